using Microsoft.EntityFrameworkCore;
using RevLoop.Data;

namespace RevLoop.Server.Web.Marketing;

public sealed record TouchRow(DateTimeOffset At, string Type, string? What, Guid? CampaignId, string? Campaign);
public sealed record PersonTouches(IReadOnlyList<TouchRow> Latest, IReadOnlyList<(string Type, int Count)> ByType, string PersonType, Guid PersonId,
    IReadOnlyList<RevLoop.Marketing.ContactBlock> Blocks);

/// <summary>A person's marketing touches for their page (the latest 20 with their campaigns, how many of each kind) and the contacts that were blocked.</summary>
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
        // Contacts RevLoop refused to make (consent, suppression list), newest first.
        var blocks = await db.ContactBlocks.AsNoTracking().Where(b => b.PersonType == personType && b.PersonId == personId).OrderByDescending(b => b.BlockedAt).Take(10).ToListAsync(ct);
        return new PersonTouches(latest.Select(e => new TouchRow(e.OccurredAt, e.Type, e.Url ?? e.Feature, e.CampaignId,
            e.CampaignId is { } c ? names.GetValueOrDefault(c) : null)).ToList(), byType, personType, personId, blocks);
    }
}
