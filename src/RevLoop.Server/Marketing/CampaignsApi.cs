using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Marketing;
using RevLoop.Server.Crm;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

public sealed record CampaignDto(Guid Id, string Name, string Type, string Channel, string Status, DateOnly? StartDate, DateOnly? EndDate, string Currency,
    decimal? Budget, decimal ActualCost, int Members, Guid? OwnerId, Guid? ParentCampaignId, string? UtmCampaign, string? Description, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static CampaignDto From(Campaign c, long costMinor, int members) => new(c.Id, c.Name, c.Type, c.Channel, c.Status, c.StartDate, c.EndDate, c.Currency,
        c.BudgetMinor is { } b ? MinorUnits.ToAmount(b, c.Currency) : null, MinorUnits.ToAmount(costMinor, c.Currency), members, c.OwnerId, c.ParentCampaignId,
        c.UtmCampaign, c.Description, c.Version, c.CreatedAt, c.UpdatedAt);
}

public sealed record CampaignInput(string? Name, string? Type = null, string? Channel = null, string? Status = null, DateOnly? StartDate = null,
    DateOnly? EndDate = null, string? Currency = null, decimal? Budget = null, Guid? OwnerId = null, Guid? ParentCampaignId = null,
    string? UtmCampaign = null, string? Description = null)
{
    public static CampaignInput From(Campaign c) => new(c.Name, c.Type, c.Channel, c.Status, c.StartDate, c.EndDate, c.Currency,
        c.BudgetMinor is { } b ? MinorUnits.ToAmount(b, c.Currency) : null, c.OwnerId, c.ParentCampaignId, c.UtmCampaign, c.Description);
}

/// <summary>Campaign CRUD; members and costs live in <see cref="CampaignMembersApi"/> and <see cref="CampaignCostsApi"/>.</summary>
public static class CampaignsApi
{
    public static void MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/campaigns").WithTags("Campaigns").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", List);
        g.MapGet("/{id:guid}", Get);
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write);
        g.MapPut("/{id:guid}", (Guid id, CampaignInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            UpdateAsync(id, _ => input, db, request, response, ct)).RequireAuthorization(ApiPolicies.Write);
        g.MapPatch("/{id:guid}", (Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            UpdateAsync(id, c => MergePatch.Apply(CampaignInput.From(c), patch, "campaign"), db, request, response, ct))
            .RequireAuthorization(ApiPolicies.Write).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        g.MapDelete("/{id:guid}", (Guid id, RevLoopDb db, HttpRequest request, CancellationToken ct) => RecordEndpoints.DeleteAsync(db, db.Campaigns, id, request, ct))
            .RequireAuthorization(ApiPolicies.Write);
        HistoryApi.Register("campaigns", "campaign", (db, id, ct) => db.Campaigns.AnyAsync(c => c.Id == id, ct));
        CampaignMembersApi.Map(g);
        CampaignCostsApi.Map(g);
    }

    public static async Task<Ok<Page<CampaignDto>>> List(string? type, string? status, string? channel, Guid? parentId, string? q, string? cursor, int? pageSize,
        RevLoopDb db, CancellationToken ct)
    {
        var query = db.Campaigns.AsQueryable();
        if (type is not null) query = query.Where(c => c.Type == type);
        if (status is not null) query = query.Where(c => c.Status == status);
        if (channel is not null) query = query.Where(c => c.Channel == channel);
        if (parentId is { } p) query = query.Where(c => c.ParentCampaignId == p);
        if (!string.IsNullOrWhiteSpace(q)) { var prefix = q.Trim(); query = query.Where(c => c.Name.StartsWith(prefix)); }
        var page = await RecordEndpoints.PageByIdAsync(query, cursor, pageSize, c => c, ct);
        var (costs, members) = await TotalsAsync(db, page.Items.Select(c => c.Id).ToList(), ct);
        return TypedResults.Ok(new Page<CampaignDto>(page.Items.Select(c => CampaignDto.From(c, costs.GetValueOrDefault(c.Id), members.GetValueOrDefault(c.Id))).ToList(),
            page.NextCursor, page.PageSize));
    }

    /// <summary>Actual cost (sum of cost lines) and member count of a page of campaigns: two grouped queries, not two per campaign.</summary>
    public static async Task<(Dictionary<Guid, long> Costs, Dictionary<Guid, int> Members)> TotalsAsync(RevLoopDb db, List<Guid> ids, CancellationToken ct)
    {
        var costs = await db.CampaignCosts.Where(c => ids.Contains(c.CampaignId)).GroupBy(c => c.CampaignId)
            .Select(g => new { g.Key, Sum = g.Sum(c => c.AmountMinor) }).ToDictionaryAsync(x => x.Key, x => x.Sum, ct);
        var members = await db.CampaignMembers.Where(m => ids.Contains(m.CampaignId)).GroupBy(m => m.CampaignId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return (costs, members);
    }

    public static async Task<CampaignDto?> FindAsync(RevLoopDb db, Guid id, CancellationToken ct)
    {
        var c = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return null;
        var (costs, members) = await TotalsAsync(db, [id], ct);
        return CampaignDto.From(c, costs.GetValueOrDefault(id), members.GetValueOrDefault(id));
    }

    public static async Task<Results<Ok<CampaignDto>, NotFound>> Get(Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var dto = await FindAsync(db, id, ct);
        if (dto is null) return TypedResults.NotFound();
        response.Headers.ETag = ETags.For(dto.Version);
        return TypedResults.Ok(dto);
    }

    public static async Task<Created<CampaignDto>> Create(CampaignInput input, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var c = new Campaign();
        await CampaignRules.ApplyAsync(db, c, input, ct);
        db.Campaigns.Add(c);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(c.Version);
        return TypedResults.Created($"/api/v1/campaigns/{c.Id}", CampaignDto.From(c, 0, 0));
    }

    private static async Task<Results<Ok<CampaignDto>, NotFound, ProblemHttpResult>> UpdateAsync(Guid id, Func<Campaign, CampaignInput> input, RevLoopDb db,
        HttpRequest request, HttpResponse response, CancellationToken ct)
    {
        var result = await RecordEndpoints.UpdateAsync(db, db.Campaigns, id, request, response, c => CampaignRules.ApplyAsync(db, c, input(c), ct), c => c, ct);
        if (result.Result is not Ok<Campaign> ok) return result.Result switch { NotFound nf => nf, ProblemHttpResult p => p, _ => throw new InvalidOperationException() };
        var (costs, members) = await TotalsAsync(db, [id], ct);
        return TypedResults.Ok(CampaignDto.From(ok.Value!, costs.GetValueOrDefault(id), members.GetValueOrDefault(id)));
    }
}

public static class CampaignRules
{
    public static async Task ApplyAsync(RevLoopDb db, Campaign c, CampaignInput i, CancellationToken ct)
    {
        c.Name = PersonRules.Optional("name", i.Name, 300) ?? throw new InputException("name", "is required");
        c.Type = PersonRules.OneOf("type", i.Type, CampaignTypes.All) ?? CampaignTypes.Other;
        c.Channel = PersonRules.OneOf("channel", i.Channel, CampaignChannels.All) ?? CampaignChannels.Other;
        c.Status = PersonRules.OneOf("status", i.Status, CampaignStatus.All) ?? CampaignStatus.Planned;
        if (i.StartDate is { } s && i.EndDate is { } e && e < s) throw new InputException("endDate", $"must not be before the start date {s:yyyy-MM-dd}");
        c.StartDate = i.StartDate;
        c.EndDate = i.EndDate;
        var currency = string.IsNullOrWhiteSpace(i.Currency) ? (await SettingsApi.LoadAsync(db, ct)).BaseCurrency : i.Currency.Trim().ToUpperInvariant();
        if (currency != c.Currency && await db.CampaignCosts.AnyAsync(x => x.CampaignId == c.Id, ct))
            throw new InputException("currency", "cannot change once the campaign has cost lines (they are in its currency)");
        if (!await db.Currencies.AnyAsync(x => x.Code == currency, ct)) throw new InputException("currency", $"{currency} is not a currency in Settings");
        c.Currency = currency;
        c.BudgetMinor = i.Budget is { } b
            ? b < 0 ? throw new InputException("budget", "must not be negative") : MinorUnits.ToMinor(b, currency) ?? throw new InputException("budget", $"has more decimals than {currency} allows")
            : null;
        if (i.OwnerId is { } o && !await db.Users.AnyAsync(u => u.Id == o, ct)) throw new InputException("ownerId", $"no user has id {o}");
        c.OwnerId = i.OwnerId;
        if (i.ParentCampaignId is { } p)
        {
            if (p == c.Id) throw new InputException("parentCampaignId", "a campaign cannot be its own parent");
            // Walk up from the new parent: meeting this campaign would make a cycle.
            Guid? at = p;
            for (var depth = 0; at is { } cur; depth++)
            {
                var parent = await db.Campaigns.AsNoTracking().Where(x => x.Id == cur).Select(x => new { x.ParentCampaignId }).FirstOrDefaultAsync(ct)
                    ?? (depth == 0 ? throw new InputException("parentCampaignId", $"no campaign has id {p}") : null);
                if (parent is null) break;
                if (parent.ParentCampaignId == c.Id) throw new InputException("parentCampaignId", "would make a cycle (the parent is below this campaign)");
                at = parent.ParentCampaignId;
                if (depth > 50) break;
            }
        }
        c.ParentCampaignId = i.ParentCampaignId;
        var utm = PersonRules.Optional("utmCampaign", i.UtmCampaign, 200)?.ToLowerInvariant();
        if (utm is not null && await db.Campaigns.AnyAsync(x => x.UtmCampaign == utm && x.Id != c.Id, ct))
            throw new InputException("utmCampaign", $"'{utm}' already attributes touches to another campaign");
        c.UtmCampaign = utm;
        c.Description = PersonRules.Optional("description", i.Description, 4000);
    }
}
