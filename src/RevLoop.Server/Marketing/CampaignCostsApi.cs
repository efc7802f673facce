using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Marketing;
using RevLoop.Server.Crm;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

public sealed record CampaignCostDto(long Id, DateOnly Date, decimal Amount, string Currency, string? Description);
public sealed record CampaignCostInput(DateOnly? Date, decimal? Amount, string? Description = null);

/// <summary>What a campaign actually cost, line by line over time; the campaign's actual cost is their sum.</summary>
public static class CampaignCostsApi
{
    public static void Map(RouteGroupBuilder campaigns)
    {
        campaigns.MapGet("/{id:guid}/costs", List);
        campaigns.MapPost("/{id:guid}/costs", Add).RequireAuthorization(ApiPolicies.Write);
        campaigns.MapDelete("/{id:guid}/costs/{costId:long}", Remove).RequireAuthorization(ApiPolicies.Write);
    }

    public static async Task<Results<Ok<Page<CampaignCostDto>>, NotFound>> List(Guid id, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        var campaign = await db.Campaigns.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.Currency }).FirstOrDefaultAsync(ct);
        if (campaign is null) return TypedResults.NotFound();
        var size = Paging.Size(pageSize);
        var q = db.CampaignCosts.AsNoTracking().Where(c => c.CampaignId == id);
        // Newest spend first, keyset on (date, id).
        if (cursor is not null)
        {
            var parts = Paging.DecodeCursor(cursor, 2);
            if (!DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", out var d) || !long.TryParse(parts[1], out var after)) throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(c => c.Date < d || (c.Date == d && c.Id < after));
        }
        var rows = await q.OrderByDescending(c => c.Date).ThenByDescending(c => c.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), rows[size - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<CampaignCostDto>(rows.Take(size).Select(c => Dto(c, campaign.Currency)).ToList(), next, size));
    }

    private static CampaignCostDto Dto(CampaignCost c, string currency) => new(c.Id, c.Date, MinorUnits.ToAmount(c.AmountMinor, currency), currency, c.Description);

    public static async Task<Results<Created<CampaignCostDto>, NotFound>> Add(Guid id, CampaignCostInput input, RevLoopDb db, CancellationToken ct)
    {
        var campaign = await db.Campaigns.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.Currency }).FirstOrDefaultAsync(ct);
        if (campaign is null) return TypedResults.NotFound();
        var date = input.Date ?? throw new InputException("date", "is required");
        var amount = input.Amount ?? throw new InputException("amount", "is required");
        // A negative line is a credit (a refund from the venue), so only zero is refused.
        if (amount == 0) throw new InputException("amount", "must not be zero");
        var cost = new CampaignCost
        {
            CampaignId = id, Date = date, CreatedAt = db.Clock.GetUtcNow(),
            AmountMinor = MinorUnits.ToMinor(amount, campaign.Currency) ?? throw new InputException("amount", $"has more decimals than {campaign.Currency} allows"),
            Description = PersonRules.Optional("description", input.Description, 300),
        };
        db.CampaignCosts.Add(cost);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/campaigns/{id}/costs/{cost.Id}", Dto(cost, campaign.Currency));
    }

    public static async Task<Results<NoContent, NotFound>> Remove(Guid id, long costId, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.Campaigns.AnyAsync(c => c.Id == id, ct)) return TypedResults.NotFound();
        var removed = await db.CampaignCosts.Where(c => c.Id == costId && c.CampaignId == id).ExecuteDeleteAsync(ct);
        return removed == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
