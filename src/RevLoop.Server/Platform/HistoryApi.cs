using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform;

public sealed record FieldChangeDto(string Field, string? OldValue, string? NewValue, DateTimeOffset ChangedAt, string ChangedBy, string Source, Guid ChangeSetId);

public static class HistoryApi
{
    /// <summary>API object name -> history entity type and a visibility check that goes through the record's own filtered set.</summary>
    private static readonly Dictionary<string, (string EntityType, Func<RevLoopDb, Guid, CancellationToken, Task<bool>> Visible, Func<RevLoopDb, Guid, CancellationToken, Task<Guid?>>? MergedInto)> Objects = new()
    {
        ["accounts"] = ("account", (db, id, ct) => db.Accounts.AnyAsync(a => a.Id == id, ct),
            (db, id, ct) => db.Accounts.IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.MergedIntoId).FirstOrDefaultAsync(ct)),
    };

    /// <param name="mergedInto">For records that can be merged: the survivor a merged record points to (read past the filter).</param>
    public static void Register(string apiName, string entityType, Func<RevLoopDb, Guid, CancellationToken, Task<bool>> visible,
        Func<RevLoopDb, Guid, CancellationToken, Task<Guid?>>? mergedInto = null) =>
        Objects[apiName] = (entityType, visible, mergedInto);

    public static void MapHistoryApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/{objectName}/{id:guid}/history", Get).WithTags("History").RequireAuthorization(ApiPolicies.Read);

    public static async Task<Results<Ok<Page<FieldChangeDto>>, NotFound>> Get(string objectName, Guid id, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        if (!Objects.TryGetValue(objectName, out var o)) return TypedResults.NotFound();
        // Deleted records keep their history readable; visibility is still checked on the record itself.
        // A merged record's history stays answerable by its id to whoever can see the record it was merged into.
        var visible = await o.Visible(db, id, ct)
            || (o.MergedInto is not null && await o.MergedInto(db, id, ct) is { } survivor && await o.Visible(db, survivor, ct))
            || await VisibleEvenIfDeleted(db, o.EntityType, id, ct);
        if (!visible) return TypedResults.NotFound();
        var size = Paging.Size(pageSize);
        var q = History.Of(db, o.EntityType, id);
        // A stored creation row lists several fields (CreationRecord), so the cursor names a row and how many of its
        // entries were already given: pages hold exactly `size` entries, whatever rows they come from.
        long from = 0;
        var skip = 0;
        if (cursor is not null)
        {
            var parts = Paging.DecodeCursor(cursor, 2);
            if (!long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out from)
                || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out skip) || skip < 0)
                throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(c => c.Id >= from);
        }
        // Every row gives at least one entry (the first at least one past `skip`), so size + 1 rows fill a page and tell
        // whether there is another.
        var rows = await q.OrderBy(c => c.Id).Take(size + 1).ToListAsync(ct);
        var entries = new List<(FieldChange Change, long Row, int Index)>(size + 1);
        foreach (var row in rows)
        {
            var index = 0;
            foreach (var change in CreationRecord.Expand([row]))
            {
                if (row.Id != from || index >= skip) entries.Add((change, row.Id, index));
                index++;
            }
            if (entries.Count > size) break;
        }
        string? next = entries.Count > size
            ? Paging.EncodeCursor(entries[size].Row.ToString(System.Globalization.CultureInfo.InvariantCulture), entries[size].Index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : null;
        return TypedResults.Ok(new Page<FieldChangeDto>(entries.Take(size)
            .Select(e => new FieldChangeDto(e.Change.Field, e.Change.OldValue, e.Change.NewValue, e.Change.ChangedAt, e.Change.ChangedBy, e.Change.Source, e.Change.ChangeSetId)).ToList(), next, size));
    }

    private static async Task<bool> VisibleEvenIfDeleted(RevLoopDb db, string entityType, Guid id, CancellationToken ct)
    {
        if (!db.Viewer.SeesAll) return false;
        return await db.FieldChanges.AnyAsync(c => c.EntityType == entityType && c.EntityId == id, ct);
    }
}
