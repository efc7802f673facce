using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Routing;

/// <summary>Checks routing rules and queues before they are stored; a bad one is refused naming the field.</summary>
public static class RoutingRules
{
    private static readonly string[] Segments = ["smb", "mid_market", "enterprise"];

    public static async Task ApplyAsync(RevLoopDb db, RoutingRule r, RoutingRuleInput i, CancellationToken ct)
    {
        r.Name = string.IsNullOrWhiteSpace(i.Name) ? throw new InputException("name", "is required")
            : i.Name.Trim().Length <= 200 ? i.Name.Trim() : throw new InputException("name", "must be at most 200 characters");
        r.Action = i.Action?.Trim().ToLowerInvariant() is { } a && RoutingActions.All.Contains(a) ? a
            : throw new InputException("action", $"must be one of {string.Join(", ", RoutingActions.All)}");
        r.Active = i.Active ?? true;
        r.Regions = List("regions", i.Regions, null);
        r.Countries = List("countries", i.Countries, null);
        if (r.Countries?.Split(',').FirstOrDefault(c => c.Length != 2) is { } bad) throw new InputException("countries", $"'{bad}' is not a two-letter country code");
        r.Segments = List("segments", i.Segments, Segments);
        r.Sources = List("sources", i.Sources, LeadSources.All);
        r.Products = List("products", i.Products, null);
        if (i.MinEmployees is < 0) throw new InputException("minEmployees", "must be 0 or more");
        if (i.MaxEmployees is < 0) throw new InputException("maxEmployees", "must be 0 or more");
        if (i.MinEmployees > i.MaxEmployees) throw new InputException("maxEmployees", "must not be below minEmployees");
        (r.MinEmployees, r.MaxEmployees, r.AccountOwned) = (i.MinEmployees, i.MaxEmployees, i.AccountOwned);
        r.UserId = r.Action == RoutingActions.User ? i.UserId ?? throw new InputException("userId", "is required to assign to a user") : null;
        if (r.UserId is { } u && !await db.Users.AnyAsync(x => x.Id == u, ct)) throw new InputException("userId", $"no user has id {u}");
        r.TeamId = r.Action is RoutingActions.RoundRobin or RoutingActions.LoadBalanced ? i.TeamId ?? throw new InputException("teamId", $"is required for {r.Action}") : null;
        if (r.TeamId is { } t && !await db.Teams.AnyAsync(x => x.Id == t, ct)) throw new InputException("teamId", $"no team has id {t}");
        if (r.Action == RoutingActions.Queue && i.QueueId is null) throw new InputException("queueId", "is required to put leads in a queue");
        if (i.QueueId is { } q && !await db.LeadQueues.AnyAsync(x => x.Id == q, ct)) throw new InputException("queueId", $"no queue has id {q}");
        r.QueueId = i.QueueId;
        if (i.Position is < 1) throw new InputException("position", "must be 1 or more");
        r.Position = i.Position ?? (r.Position > 0 ? r.Position : (await db.RoutingRules.MaxAsync(x => (int?)x.Position, ct) ?? 0) + 1);
        r.UpdatedAt = db.Clock.GetUtcNow();
    }

    public static async Task ApplyAsync(RevLoopDb db, LeadQueue q, LeadQueueInput i, CancellationToken ct)
    {
        var name = i.Name?.Trim();
        q.Name = string.IsNullOrEmpty(name) ? throw new InputException("name", "is required")
            : name.Length <= 100 ? name : throw new InputException("name", "must be at most 100 characters");
        if (await db.LeadQueues.AnyAsync(x => x.Name == name && x.Id != q.Id, ct)) throw new InputException("name", $"a queue named '{name}' exists");
        q.SlaMinutes = i.SlaMinutes is { } m ? m is >= 1 and <= 525_600 ? m : throw new InputException("slaMinutes", "must be between 1 and 525600 (a year)")
            : throw new InputException("slaMinutes", "is required (minutes a lead may wait untouched)");
        if (i.EscalateToUserId is { } u && !await db.Users.AnyAsync(x => x.Id == u, ct)) throw new InputException("escalateToUserId", $"no user has id {u}");
        q.EscalateToUserId = i.EscalateToUserId;
    }

    public static async Task<List<RepAvailabilityDto>> RepsAsync(RevLoopDb db, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).Select(u => new { u.Id, u.DisplayName, u.TeamId }).ToListAsync(ct);
        var availability = await db.RepAvailability.AsNoTracking().ToDictionaryAsync(a => a.UserId, ct);
        var open = await db.Leads.IgnoreQueryFilters().Where(l => l.DeletedAt == null && l.OwnerId != null && LeadRouting.OpenStatuses.Contains(l.Status))
            .GroupBy(l => l.OwnerId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return users.Select(u => new RepAvailabilityDto(u.Id, u.DisplayName, u.TeamId, availability.GetValueOrDefault(u.Id)?.Capacity,
            availability.GetValueOrDefault(u.Id)?.OutOfOfficeUntil, open.GetValueOrDefault(u.Id))).ToList();
    }

    /// <summary>A list condition as stored: trimmed, lower case, comma separated; each value checked against <paramref name="allowed"/> when given.</summary>
    private static string? List(string field, IReadOnlyList<string>? values, IReadOnlyList<string>? allowed)
    {
        if (values is null || values.Count == 0) return null;
        var clean = values.Select(v => (v ?? "").Trim().ToLowerInvariant()).Distinct().ToList();
        foreach (var v in clean)
        {
            if (v.Length == 0 || v.Contains(',')) throw new InputException(field, $"'{v}' is not a value (empty, or contains a comma)");
            if (allowed is not null && !allowed.Contains(v)) throw new InputException(field, $"'{v}' must be one of {string.Join(", ", allowed)}");
        }
        var joined = string.Join(',', clean);
        return joined.Length <= 1000 ? joined : throw new InputException(field, "is too long (at most 1000 characters in all)");
    }
}
