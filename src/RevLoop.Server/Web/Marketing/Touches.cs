using Microsoft.EntityFrameworkCore;
using RevLoop.Data;

namespace RevLoop.Server.Web.Marketing;

public sealed record TouchRow(DateTimeOffset At, string Type, string? What, Guid? CampaignId, string? Campaign);
public sealed record PersonTouches(IReadOnlyList<TouchRow> Latest, IReadOnlyList<(string Type, int Count)> ByType, string PersonType, Guid PersonId);

/// <summary>A person's marketing touches for their page: the latest 20 with their campaigns, and how many of each kind.</summary>
public static class Touches
{
    public static async Task<PersonTouches> OfAsync(RevLoopDb db, string personType, Guid personId, CancellationToken ct)
    {
        var mine = db.MarketingEvents.AsNoTracking().Where(e => e.PersonType == personType && e.PersonId == personId);
        var latest = await mine.OrderByDescending(e => e.OccurredAt).Take(20).ToListAsync(ct);
        var campaignIds = latest.Where(e => e.CampaignId is not null).Select(e => e.CampaignId!.Value).Distinct().ToList();
        var names = campaignIds.Count == 0 ? [] : await db.Campaigns.AsNoTracking().Where(c => campaignIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var byType = (await mine.GroupBy(e => e.Type).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Key).Select(x => (x.Key, x.Count)).ToList();
        return new PersonTouches(latest.Select(e => new TouchRow(e.OccurredAt, e.Type, e.Url ?? e.Feature, e.CampaignId,
            e.CampaignId is { } c ? names.GetValueOrDefault(c) : null)).ToList(), byType, personType, personId);
    }
}
