using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform;

/// <summary>
/// The read/update/delete plumbing every tracked record's API shares: ETag on read, If-Match on write (412 when stale),
/// soft delete through the interceptor. Visibility comes from the set's query filter, so an invisible record is a 404.
/// </summary>
public static class RecordEndpoints
{
    public static async Task<Results<Ok<TDto>, NotFound>> GetAsync<T, TDto>(IQueryable<T> set, Guid id, Func<T, TDto> dto, HttpResponse response, CancellationToken ct)
        where T : class, ITrackedRecord
    {
        var record = await set.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (record is null) return TypedResults.NotFound();
        response.Headers.ETag = ETags.For(record.Version);
        return TypedResults.Ok(dto(record));
    }

    public static async Task<Results<Ok<TDto>, NotFound, ProblemHttpResult>> UpdateAsync<T, TDto>(RevLoopDb db, IQueryable<T> set, Guid id,
        HttpRequest request, HttpResponse response, Func<T, Task> change, Func<T, TDto> dto, CancellationToken ct)
        where T : class, ITrackedRecord
    {
        var expected = ETags.Requested(request);
        var record = await set.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (record is null) return TypedResults.NotFound();
        if (expected is { } v && v != record.Version)
            return Problems.Status(412, "The record was changed by someone else", $"You edited version {v}; the current version is {record.Version}. Reload it and apply your change again.");
        await change(record);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(record.Version);
        return TypedResults.Ok(dto(record));
    }

    public static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync<T>(RevLoopDb db, IQueryable<T> set, Guid id, HttpRequest request, CancellationToken ct)
        where T : class, ITrackedRecord
    {
        var expected = ETags.Requested(request);
        var record = await set.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (record is null) return TypedResults.NotFound();
        if (expected is { } v && v != record.Version) return Problems.Status(412, "The record was changed by someone else");
        db.Remove(record);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Keyset page ordered by id (creation order for v7 ids): constant cost at any depth.</summary>
    public static async Task<Page<TDto>> PageByIdAsync<T, TDto>(IQueryable<T> query, string? cursor, int? pageSize, Func<T, TDto> dto, CancellationToken ct)
        where T : class, ITrackedRecord
    {
        var size = Paging.Size(pageSize);
        if (cursor is not null)
        {
            var after = Guid.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var g) ? g : throw new InputException("cursor", "is not a cursor this list returned");
            query = query.Where(r => r.Id.CompareTo(after) > 0);
        }
        var rows = await query.AsNoTracking().OrderBy(r => r.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Id.ToString()) : null;
        return new Page<TDto>(rows.Take(size).Select(dto).ToList(), next, size);
    }
}
