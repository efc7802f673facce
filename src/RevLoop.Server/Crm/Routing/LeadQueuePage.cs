using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Routing;

public sealed record QueuedLeadDto(Guid LeadId, string Name, string? Company, string Status, Guid? OwnerId, Guid? QueueId, string Rule, DateTimeOffset AssignedAt,
    DateTimeOffset? SlaDueAt, long? MinutesLeft, DateTimeOffset? TouchedAt, DateTimeOffset? BreachedAt);

/// <summary>
/// The leads waiting for a rep (their own) or in a pool, oldest first, with their SLA timer: minutes left (negative when
/// overdue) until touched. Paged by assignment id through the (Current, OwnerId|QueueId, SlaDueAt) indexes.
/// </summary>
public static class LeadQueuePage
{
    public static async Task<Page<QueuedLeadDto>> LoadAsync(RevLoopDb db, Guid? queueId, Guid? ownerId, string? cursor, int? pageSize, CancellationToken ct)
    {
        var size = Paging.Size(pageSize);
        var q = db.LeadAssignments.Where(a => a.Current && a.FirstTouchedAt == null);
        q = queueId is { } qid ? q.Where(a => a.QueueId == qid && a.OwnerId == null)
            : ownerId is { } oid ? q.Where(a => a.OwnerId == oid)
            : throw new InputException("queueId", "give a queueId or an ownerId");
        if (cursor is not null)
        {
            var after = long.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var id) ? id : throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(a => a.Id > after);
        }
        // A pool's leads have no owner yet, so the visibility filter would hide them: every rep may see and claim them.
        var leads = queueId is null ? db.Leads : db.Leads.IgnoreQueryFilters().Where(l => l.DeletedAt == null);
        var rows = await q.OrderBy(a => a.Id)
            .Join(leads.Where(l => LeadRouting.OpenStatuses.Contains(l.Status)), a => a.LeadId, l => l.Id, (a, l) => new { a, l.FirstName, l.LastName, l.Company, l.Status })
            .Take(size + 1).ToListAsync(ct);
        var page = rows.Take(size).ToList();
        var touches = await LeadSla.FirstTouchesAsync(db, page.Select(r => r.a).ToList(), ct);
        var now = db.Clock.GetUtcNow();
        var items = page.Select(r => new QueuedLeadDto(r.a.LeadId, $"{r.FirstName} {r.LastName}".Trim(), r.Company, r.Status, r.a.OwnerId, r.a.QueueId, r.a.Rule,
            r.a.AssignedAt, r.a.SlaDueAt, r.a.SlaDueAt is { } due ? (long)Math.Floor((due - now).TotalMinutes) : null,
            touches.TryGetValue(r.a.LeadId, out var t) ? t : null, r.a.BreachedAt)).ToList();
        return new Page<QueuedLeadDto>(items, rows.Count > size ? Paging.EncodeCursor(page[^1].a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null, size);
    }
}
