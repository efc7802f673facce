using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Crm.Routing;

namespace RevLoop.Server.Demo;

/// <summary>
/// The demo's lead routing: a queue per lead pool the simulation filled (each SDR team's inbound pool, partner
/// registrations), a rule per SDR team (round robin in its most common lead region, waiting in its pool when nobody is
/// free) and the partner rule; the leads still waiting in a pool get their routing decision and SLA clock. Derived from
/// the generated data only, so the same seed gives the same routing.
/// </summary>
public static class DemoRouting
{
    public const string PartnerPool = "Partner registrations";

    public static async Task AddAsync(RevLoopDb db, DemoOptions o, CancellationToken ct)
    {
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var sdrTeams = (await db.Users.AsNoTracking().Where(u => u.Role == Roles.Sdr && u.TeamId != null).Select(u => u.TeamId!.Value).Distinct().ToListAsync(ct)).ToHashSet();
        // Most pooled leads were claimed within minutes, so the pools still holding leads are only some of them.
        var pools = (await db.Leads.IgnoreQueryFilters().Where(l => l.Pool != null).Select(l => l.Pool!).Distinct().ToListAsync(ct))
            .Append(PartnerPool).Concat(teams.Where(t => sdrTeams.Contains(t.Id)).Select(t => $"{t.Name} inbound")).Distinct().Order(StringComparer.Ordinal).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var queues = new Dictionary<string, LeadQueue>();
        foreach (var pool in pools)
        {
            var team = teams.FirstOrDefault(t => pool == $"{t.Name} inbound");
            var q = new LeadQueue { CreatedAt = o.Start };
            await RoutingRules.ApplyAsync(db, q, new LeadQueueInput(pool, pool == PartnerPool ? 2880 : 1440, team?.ManagerUserId), ct);
            db.LeadQueues.Add(q);
            queues[pool] = q;
        }
        await db.SaveChangesAsync(ct);

        var rules = new Dictionary<string, RoutingRule>();
        async Task AddRule(string pool, RoutingRuleInput input)
        {
            var r = new RoutingRule { CreatedAt = o.Start };
            await RoutingRules.ApplyAsync(db, r, input, ct);
            db.RoutingRules.Add(r);
            await db.SaveChangesAsync(ct);
            rules[pool] = r;
        }
        await AddRule(PartnerPool, new RoutingRuleInput("Partner registrations", RoutingActions.Queue, Sources: ["partner"], QueueId: queues[PartnerPool].Id));
        foreach (var team in teams.Where(t => sdrTeams.Contains(t.Id)))
        {
            var teamId = team.Id;
            var region = await db.Leads.IgnoreQueryFilters().Where(l => l.OwnerTeamId == teamId && l.Region != null).GroupBy(l => l.Region!)
                .Select(g => new { Region = g.Key, Count = g.Count() }).OrderByDescending(g => g.Count).ThenBy(g => g.Region).Select(g => g.Region).FirstOrDefaultAsync(ct);
            if (region is null) continue;
            var pool = $"{team.Name} inbound";
            await AddRule(pool, new RoutingRuleInput($"{team.Name} inbound", RoutingActions.RoundRobin, Regions: [region], TeamId: teamId,
                QueueId: queues[pool].Id));
        }

        // The last two weeks' inbound leads get their decision: still waiting in their pool, or claimed by the rep who owns
        // them, with the SLA settled from their history (touched in time, or breached at the due time).
        var since = o.Horizon.AddDays(-14);
        var teamOf = await db.Users.AsNoTracking().Where(u => u.TeamId != null).ToDictionaryAsync(u => u.Id, u => u.TeamId!.Value, ct);
        var teamName = teams.ToDictionary(t => t.Id, t => t.Name);
        var recent = await db.Leads.IgnoreQueryFilters().AsNoTracking().Where(l => l.DeletedAt == null && l.CreatedAt >= since && l.Source != "outbound")
            .OrderBy(l => l.CreatedAt).ThenBy(l => l.Id).Select(l => new { l.Id, l.Pool, l.OwnerId, l.Source, l.CreatedAt }).ToListAsync(ct);
        var rows = new List<LeadAssignment>(recent.Count);
        foreach (var l in recent)
        {
            var pool = l.Pool ?? (l.Source == "partner" ? PartnerPool : l.OwnerId is { } owner && teamOf.TryGetValue(owner, out var t) ? $"{teamName[t]} inbound" : null);
            if (pool is null || !queues.TryGetValue(pool, out var q)) continue;
            var rule = rules.GetValueOrDefault(pool);
            rows.Add(new LeadAssignment
            {
                LeadId = l.Id, AssignedAt = l.CreatedAt, RuleId = rule?.Id, Rule = l.OwnerId is null ? rule?.Name ?? pool : "Claimed",
                Reason = l.OwnerId is null ? $"put in queue {q.Name}" : $"claimed from the queue {q.Name}", OwnerId = l.OwnerId, QueueId = q.Id,
                SlaDueAt = l.CreatedAt.AddMinutes(q.SlaMinutes), ClaimedAt = l.OwnerId is null ? null : l.CreatedAt,
            });
        }
        var touches = await LeadSla.FirstTouchesAsync(db, rows, ct);
        foreach (var a in rows)
        {
            if (touches.TryGetValue(a.LeadId, out var touched) && touched <= a.SlaDueAt) a.FirstTouchedAt = touched;
            else if (a.SlaDueAt < o.Horizon) a.BreachedAt = a.SlaDueAt;
        }
        BulkRows.Write(db, rows);
        await transaction.CommitAsync(ct);
    }
}
