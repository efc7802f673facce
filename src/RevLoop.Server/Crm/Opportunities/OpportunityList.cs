using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Platform;
using RevLoop.Server.Crm.Configuration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Opportunities;

/// <summary>
/// <c>GET /api/v1/opportunities</c>: filters by pipeline, stage, account, owner and close date, sorted by id (creation
/// order) or close date, keyset-paged so a page deep in a million deals costs what the first one does.
/// <c>owner</c> takes a user id, an email or <c>me</c>; <c>stage</c> a stage id or a stage name (in every pipeline, or in
/// <c>pipelineId</c>). <c>ownerId</c>/<c>stageId</c> stay for clients written before the friendlier names.
/// </summary>
public sealed record OpportunityListQuery(Guid? PipelineId, Guid? StageId, string? Stage, Guid? AccountId, Guid? OwnerId, string? Owner, string? Tag,
    DateOnly? CloseFrom, DateOnly? CloseTo, string? Sort, string? Cursor, int? PageSize)
{
    public static readonly IReadOnlyList<string> Sorts = ["id", "closeDate", "-closeDate"];

    /// <param name="query">The whole query string, for the custom-field filters (<c>cf.key=value</c>).</param>
    public async Task<Page<OpportunityDto>> RunAsync(RevLoopDb db, Viewer viewer, IQueryCollection query, CancellationToken ct)
    {
        var size = Paging.Size(PageSize);
        var sort = Sort ?? "id";
        if (!Sorts.Contains(sort)) throw new InputException("sort", $"must be one of {string.Join(", ", Sorts)}");
        // One connection for the request's queries (the page's dated and undated parts): EF would take one from the
        // pool and give it back around each query.
        await db.Database.OpenConnectionAsync(ct);
        List<Guid>? byStage = null;
        // The same filters as plain values, while each is given at most once and no tag or custom field narrows the list:
        // then the close-date runs are compiled queries (ListRuns), which skip EF's per-query expression work.
        var plain = string.IsNullOrWhiteSpace(Tag) && !query.Keys.Any(k => k.StartsWith("cf.", StringComparison.Ordinal))
            && !(StageId is not null && !string.IsNullOrWhiteSpace(Stage)) && !(OwnerId is not null && !string.IsNullOrWhiteSpace(Owner));
        var filter = new ListRuns.Filter(PipelineId, StageId, AccountId, OwnerId, CloseFrom, CloseTo);
        var q = (await TagsAndCustomFields.FilterAsync(db, db.Opportunities, "opportunity", Tag, query, ct)).AsNoTracking();
        if (PipelineId is { } p) q = q.Where(o => o.PipelineId == p);
        if (StageId is { } s) q = q.Where(o => o.StageId == s);
        if (!string.IsNullOrWhiteSpace(Stage))
        {
            var stages = await StagesNamedAsync(db, Stage.Trim(), ct);
            // One stage keeps the ordered index seek; several (a name used in more than one pipeline) go as one array
            // parameter, so the SQL stays the same for any count and EF caches it.
            var one = stages[0];
            if (stages.Count == 1) { q = q.Where(o => o.StageId == one); filter = filter with { Stage = one }; }
            // By close date, one keyset run per stage, merged: SQLite cannot keep the date order across an IN list, and
            // would read all of an owner's deals by date to find the few in these stages (ms instead of µs).
            else if (sort != "id") byStage = stages;
            else q = q.Where(o => stages.Contains(o.StageId));
        }
        if (AccountId is { } a) q = q.Where(o => o.AccountId == a);
        if (OwnerId is { } w) q = q.Where(o => o.OwnerId == w);
        if (!string.IsNullOrWhiteSpace(Owner)) { var owner = await OwnerAsync(db, viewer, Owner.Trim(), ct); q = q.Where(o => o.OwnerId == owner); filter = filter with { Owner = owner }; }
        if (CloseFrom is { } from) q = q.Where(o => o.CloseDate >= from);
        if (CloseTo is { } to) q = q.Where(o => o.CloseDate <= to);
        var rates = await RateBook.LoadAsync(db, ct);
        return sort == "id"
            ? await RecordEndpoints.PageByIdAsync(q, Cursor, PageSize, o => OpportunityDto.From(o, rates), ct)
            : await PageByCloseDateAsync(db, q, plain ? filter : null, byStage, sort, size, rates, ct);
    }

    /// <summary>
    /// Deals with a close date come first in date order (then id), deals without one last (by id), in both directions:
    /// a NULL never sorts among dates, so each part keeps its own index seek. The cursor carries the last date ("" once
    /// in the undated part) and id.
    /// </summary>
    private async Task<Page<OpportunityDto>> PageByCloseDateAsync(RevLoopDb db, IQueryable<Opportunity> q, ListRuns.Filter? plain, List<Guid>? byStage, string sort, int size,
        RateBook rates, CancellationToken ct)
    {
        var descending = sort[0] == '-';
        DateOnly? lastDate = null;
        Guid? lastId = null;
        var inUndated = false;
        if (Cursor is { } cursor)
        {
            var parts = Paging.DecodeCursor(cursor, 3);
            if (parts[0] != sort || !Guid.TryParse(parts[2], out var id)) throw new InputException("cursor", "belongs to another sort order");
            lastId = id;
            if (string.IsNullOrEmpty(parts[1])) inUndated = true;
            else if (DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) lastDate = d;
            else throw new InputException("cursor", "is not a cursor this list returned");
        }
        Task<List<Opportunity>> Run(Guid? stage) => plain is not null
            ? ListRuns.RowsAsync(db, stage is null ? plain : plain with { Stage = stage }, lastDate, lastId, inUndated, descending, size, ct)
            : CloseDatePaging.RowsAsync(db, stage is { } one ? q.Where(o => o.StageId == one) : q, lastDate, lastId, inUndated, descending, size, ct);
        List<Opportunity> rows;
        if (byStage is null) rows = await Run(null);
        else
        {
            rows = [];
            foreach (var stage in byStage) rows.AddRange(await Run(stage));
            rows.Sort(CloseDatePaging.Order(descending));
            if (rows.Count > size + 1) rows.RemoveRange(size + 1, rows.Count - size - 1);
        }
        string? next = null;
        if (rows.Count > size)
        {
            rows.RemoveAt(size);
            var last = rows[^1];
            next = Paging.EncodeCursor(sort, last.CloseDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", last.Id.ToString());
        }
        return new Page<OpportunityDto>(rows.Select(o => OpportunityDto.From(o, rates)).ToList(), next, size);
    }

    // Stage and user ids by name, for the list's friendlier filters: a manager's dashboard asks the same few names over
    // and over, and they change rarely (a save of a stage or a user drops them, see ChangeVersions).
    private static readonly ChangeCache<(string Name, Guid? Pipeline), List<Guid>?> StageIds = new(TimeSpan.FromSeconds(5));
    private static readonly ChangeCache<string, Guid?> UserIds = new(TimeSpan.FromSeconds(5));

    private async Task<List<Guid>> StagesNamedAsync(RevLoopDb db, string stage, CancellationToken ct)
    {
        if (Guid.TryParse(stage, out var id)) return [id];
        var lower = stage.ToLowerInvariant();
        var pipeline = PipelineId;
        var ids = await StageIds.GetAsync(db, (lower, pipeline), ChangeVersions.Of(typeof(Stage)), async ct =>
        {
            var stages = db.Stages.AsNoTracking().Where(s => s.Name.ToLower() == lower);
            if (pipeline is { } p) stages = stages.Where(s => s.PipelineId == p);
            var found = await stages.Select(s => s.Id).ToListAsync(ct);
            return found.Count > 0 ? found : null;
        }, ct);
        return ids ?? throw new InputException("stage", $"no stage is named '{stage}'{(PipelineId is null ? "" : " in that pipeline")}");
    }

    private static async Task<Guid> OwnerAsync(RevLoopDb db, Viewer viewer, string owner, CancellationToken ct)
    {
        if (owner.Equals("me", StringComparison.OrdinalIgnoreCase))
            return viewer.UserId ?? throw new InputException("owner", "'me' needs a signed-in user");
        if (Guid.TryParse(owner, out var id)) return id;
        var normalized = owner.ToUpperInvariant();
        var found = await UserIds.GetAsync(db, normalized, ChangeVersions.Of(typeof(User)),
            ct => db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct), ct);
        return found ?? throw new InputException("owner", $"no user has the email '{owner}' (give a user id, an email or 'me')");
    }
}

/// <summary>
/// Deals with a close date first in date order (then id), deals without one last (by id): a NULL never sorts among
/// dates, so each part keeps its own index seek. Returns up to size + 1 rows after the position (the extra row says a
/// next page exists); the list API and the board each keep their own cursor format around it.
/// </summary>
internal static class CloseDatePaging
{
    public static async Task<List<Opportunity>> RowsAsync(RevLoopDb db, IQueryable<Opportunity> q, DateOnly? lastDate, Guid? lastId, bool inUndated, bool descending, int size,
        CancellationToken ct)
    {
        var rows = new List<Opportunity>(size + 1);
        if (!inUndated)
        {
            var dated = q.Where(o => o.CloseDate != null);
            if (lastDate is { } d && lastId is { } i)
                // The leading "date >= last" is implied by the OR, but it lets both databases seek the index to the cursor.
                dated = descending
                    ? dated.Where(o => o.CloseDate <= d && (o.CloseDate < d || o.Id.CompareTo(i) < 0))
                    : dated.Where(o => o.CloseDate >= d && (o.CloseDate > d || o.Id.CompareTo(i) > 0));
            dated = descending ? dated.OrderByDescending(o => o.CloseDate).ThenByDescending(o => o.Id) : dated.OrderBy(o => o.CloseDate).ThenBy(o => o.Id);
            rows.AddRange(await dated.Take(size + 1).ToListAsync(ct));
        }
        if (rows.Count <= size && (inUndated || await UndatedDeals.MayExistAsync(db, ct)))
        {
            var undated = q.Where(o => o.CloseDate == null);
            if (inUndated && lastId is { } i) undated = descending ? undated.Where(o => o.Id.CompareTo(i) < 0) : undated.Where(o => o.Id.CompareTo(i) > 0);
            undated = descending ? undated.OrderByDescending(o => o.Id) : undated.OrderBy(o => o.Id);
            rows.AddRange(await undated.Take(size + 1 - rows.Count).ToListAsync(ct));
        }
        return rows;
    }

    /// <summary>The order of <see cref="RowsAsync"/> in memory, to merge runs: dated first by date, then undated; ids break
    /// ties in the same direction (a Guid compares as its stored text and uuid do).</summary>
    public static Comparison<Opportunity> Order(bool descending) => (a, b) =>
    {
        var undated = (a.CloseDate is null).CompareTo(b.CloseDate is null);
        if (undated != 0) return undated;
        var c = Nullable.Compare(a.CloseDate, b.CloseDate);
        if (c == 0) c = a.Id.CompareTo(b.Id);
        return descending ? -c : c;
    };
}

/// <summary>
/// <see cref="CloseDatePaging"/> for the list's plain filters as compiled queries: dated and undated, each direction, and on
/// PostgreSQL both parts in one query. A page that ends in the dated part needs the undated part read too, unless no deal
/// lacks a date; SQLite knows that cheaply (<see cref="UndatedDeals"/>), PostgreSQL does not, and there a second round trip
/// was ~15% of a short page (1M deals, 100 clients: p99 ~56 → ~47 ms, ADR 0017). Only for the list: the board's columns
/// are mostly full pages, for which the union's second part only adds work (+3-4 ms per board on PostgreSQL).
/// A filter left out is a null parameter, which EF drops from the SQL (it caches one SQL text per set of null parameters),
/// so each run keeps the same index seek as the composed query; what it saves is EF's work on the expression tree at
/// every execution (~0.06 ms of a ~0.3 ms query). The visibility filter (ADR 0003) applies to compiled queries too.
/// </summary>
internal static class ListRuns
{
    public sealed record Filter(Guid? Pipeline, Guid? Stage, Guid? Account, Guid? Owner, DateOnly? From, DateOnly? To);

    // A compiled query belongs to the model it first ran with; a test process uses both providers' models.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Microsoft.EntityFrameworkCore.Metadata.IModel, Queries> ByModel = new();

    private sealed class Queries
    {
        // Each query repeats the filter's Where: EF cannot look into a helper method called inside a compiled query. The
        // leading "date >= last" is implied by the OR, but it lets both databases seek the index to the cursor.
        public readonly Func<RevLoopDb, Guid?, Guid?, Guid?, Guid?, DateOnly?, DateOnly?, DateOnly?, Guid, int, IAsyncEnumerable<Opportunity>> DatedUp =
            EF.CompileAsyncQuery((RevLoopDb db, Guid? pipeline, Guid? stage, Guid? account, Guid? owner, DateOnly? from, DateOnly? to, DateOnly? after, Guid afterId, int take) =>
                db.Opportunities.AsNoTracking().Where(o => (pipeline == null || o.PipelineId == pipeline) && (stage == null || o.StageId == stage)
                        && (account == null || o.AccountId == account) && (owner == null || o.OwnerId == owner) && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to))
                    .Where(o => o.CloseDate != null && (after == null || (o.CloseDate >= after && (o.CloseDate > after || o.Id.CompareTo(afterId) > 0))))
                    .OrderBy(o => o.CloseDate).ThenBy(o => o.Id).Take(take));

        public readonly Func<RevLoopDb, Guid?, Guid?, Guid?, Guid?, DateOnly?, DateOnly?, DateOnly?, Guid, int, IAsyncEnumerable<Opportunity>> DatedDown =
            EF.CompileAsyncQuery((RevLoopDb db, Guid? pipeline, Guid? stage, Guid? account, Guid? owner, DateOnly? from, DateOnly? to, DateOnly? after, Guid afterId, int take) =>
                db.Opportunities.AsNoTracking().Where(o => (pipeline == null || o.PipelineId == pipeline) && (stage == null || o.StageId == stage)
                        && (account == null || o.AccountId == account) && (owner == null || o.OwnerId == owner) && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to))
                    .Where(o => o.CloseDate != null && (after == null || (o.CloseDate <= after && (o.CloseDate < after || o.Id.CompareTo(afterId) < 0))))
                    .OrderByDescending(o => o.CloseDate).ThenByDescending(o => o.Id).Take(take));

        public readonly Func<RevLoopDb, Guid?, Guid?, Guid?, Guid?, DateOnly?, DateOnly?, Guid?, int, IAsyncEnumerable<Opportunity>> UndatedUp =
            EF.CompileAsyncQuery((RevLoopDb db, Guid? pipeline, Guid? stage, Guid? account, Guid? owner, DateOnly? from, DateOnly? to, Guid? after, int take) =>
                db.Opportunities.AsNoTracking().Where(o => (pipeline == null || o.PipelineId == pipeline) && (stage == null || o.StageId == stage)
                        && (account == null || o.AccountId == account) && (owner == null || o.OwnerId == owner) && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to))
                    .Where(o => o.CloseDate == null && (after == null || o.Id.CompareTo(after.Value) > 0)).OrderBy(o => o.Id).Take(take));

        public readonly Func<RevLoopDb, Guid?, Guid?, Guid?, Guid?, DateOnly?, DateOnly?, Guid?, int, IAsyncEnumerable<Opportunity>> UndatedDown =
            EF.CompileAsyncQuery((RevLoopDb db, Guid? pipeline, Guid? stage, Guid? account, Guid? owner, DateOnly? from, DateOnly? to, Guid? after, int take) =>
                db.Opportunities.AsNoTracking().Where(o => (pipeline == null || o.PipelineId == pipeline) && (stage == null || o.StageId == stage)
                        && (account == null || o.AccountId == account) && (owner == null || o.OwnerId == owner) && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to))
                    .Where(o => o.CloseDate == null && (after == null || o.Id.CompareTo(after.Value) < 0)).OrderByDescending(o => o.Id).Take(take));

        // Dated then undated in one query, for PostgreSQL. Each part keeps its own seek and limit; the outer order puts the
        // at most 2 x take rows in the page's order (undated last).
        public readonly Func<RevLoopDb, Guid?, Guid?, Guid?, Guid?, DateOnly?, DateOnly?, DateOnly?, Guid, int, IAsyncEnumerable<Opportunity>> BothUp =
            EF.CompileAsyncQuery((RevLoopDb db, Guid? pipeline, Guid? stage, Guid? account, Guid? owner, DateOnly? from, DateOnly? to, DateOnly? after, Guid afterId, int take) =>
                db.Opportunities.AsNoTracking().Where(o => (pipeline == null || o.PipelineId == pipeline) && (stage == null || o.StageId == stage)
                        && (account == null || o.AccountId == account) && (owner == null || o.OwnerId == owner) && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to))
                    .Where(o => o.CloseDate != null && (after == null || (o.CloseDate >= after && (o.CloseDate > after || o.Id.CompareTo(afterId) > 0))))
                    .OrderBy(o => o.CloseDate).ThenBy(o => o.Id).Take(take)
                    .Concat(db.Opportunities.AsNoTracking().Where(o => (pipeline == null || o.PipelineId == pipeline) && (stage == null || o.StageId == stage)
                            && (account == null || o.AccountId == account) && (owner == null || o.OwnerId == owner) && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to))
                        .Where(o => o.CloseDate == null).OrderBy(o => o.Id).Take(take))
                    .OrderBy(o => o.CloseDate == null).ThenBy(o => o.CloseDate).ThenBy(o => o.Id).Take(take));

        public readonly Func<RevLoopDb, Guid?, Guid?, Guid?, Guid?, DateOnly?, DateOnly?, DateOnly?, Guid, int, IAsyncEnumerable<Opportunity>> BothDown =
            EF.CompileAsyncQuery((RevLoopDb db, Guid? pipeline, Guid? stage, Guid? account, Guid? owner, DateOnly? from, DateOnly? to, DateOnly? after, Guid afterId, int take) =>
                db.Opportunities.AsNoTracking().Where(o => (pipeline == null || o.PipelineId == pipeline) && (stage == null || o.StageId == stage)
                        && (account == null || o.AccountId == account) && (owner == null || o.OwnerId == owner) && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to))
                    .Where(o => o.CloseDate != null && (after == null || (o.CloseDate <= after && (o.CloseDate < after || o.Id.CompareTo(afterId) < 0))))
                    .OrderByDescending(o => o.CloseDate).ThenByDescending(o => o.Id).Take(take)
                    .Concat(db.Opportunities.AsNoTracking().Where(o => (pipeline == null || o.PipelineId == pipeline) && (stage == null || o.StageId == stage)
                            && (account == null || o.AccountId == account) && (owner == null || o.OwnerId == owner) && (from == null || o.CloseDate >= from) && (to == null || o.CloseDate <= to))
                        .Where(o => o.CloseDate == null).OrderByDescending(o => o.Id).Take(take))
                    .OrderBy(o => o.CloseDate == null).ThenByDescending(o => o.CloseDate).ThenByDescending(o => o.Id).Take(take));
    }

    /// <summary>As <see cref="CloseDatePaging.RowsAsync"/>: up to size + 1 rows after the position, dated then undated.</summary>
    public static async Task<List<Opportunity>> RowsAsync(RevLoopDb db, Filter f, DateOnly? lastDate, Guid? lastId, bool inUndated, bool descending, int size, CancellationToken ct)
    {
        var rows = new List<Opportunity>(size + 1);
        var queries = ByModel.GetOrAdd(db.Model, _ => new Queries());
        if (!inUndated)
        {
            var (after, afterId) = lastDate is { } d && lastId is { } i ? ((DateOnly?)d, i) : (null, Guid.Empty);
            if (!db.IsSqlite && f.From is null && f.To is null)
            {
                // PostgreSQL has no cheap way to know that no deal lacks a date: both parts go in one round trip.
                var both = (descending ? queries.BothDown : queries.BothUp)(db, f.Pipeline, f.Stage, f.Account, f.Owner, f.From, f.To, after, afterId, size + 1);
                await foreach (var o in both.WithCancellation(ct)) rows.Add(o);
                return rows;
            }
            var dated = (descending ? queries.DatedDown : queries.DatedUp)(db, f.Pipeline, f.Stage, f.Account, f.Owner, f.From, f.To, after, afterId, size + 1);
            await foreach (var o in dated.WithCancellation(ct)) rows.Add(o);
        }
        // A close-date filter leaves undated deals out (NULL is never in a range), as the composed query does.
        if (rows.Count <= size && f.From is null && f.To is null && (inUndated || await UndatedDeals.MayExistAsync(db, ct)))
        {
            var undated = (descending ? queries.UndatedDown : queries.UndatedUp)(db, f.Pipeline, f.Stage, f.Account, f.Owner, f.From, f.To, inUndated ? lastId : null, size + 1 - rows.Count);
            await foreach (var o in undated.WithCancellation(ct)) rows.Add(o);
        }
        return rows;
    }
}

/// <summary>
/// Whether any deal may lack a close date. Most databases have none (Salesforce requires the date), and then a page that
/// ends before its size needs no second query for the undated part: about a third of a short list request's time. The
/// answer is kept per process with the <see cref="DataVersion"/> it was read at, so a commit by anyone (another process
/// included) makes it read again; on PostgreSQL, or inside a transaction that may hold its own unsaved deals, it is "maybe".
/// </summary>
internal static class UndatedDeals
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Data, long Saves, bool Exist)> Known = new();

    public static async Task<bool> MayExistAsync(RevLoopDb db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return true;
        // Read before the answer: a commit in between leaves the kept answer already outdated, never wrongly current.
        if (DataVersion.Of(db) is not { } data) return true;
        var saves = ChangeVersions.Of(typeof(Opportunity));
        if (Known.TryGetValue(db.DatabaseKey, out var kept) && kept.Data == data && kept.Saves == saves) return kept.Exist;
        // Deleted and hidden deals count too: a "maybe" costs one query, a wrong "no" would lose deals from the list.
        var exist = await db.Opportunities.IgnoreQueryFilters().AnyAsync(o => o.CloseDate == null, ct);
        Known[db.DatabaseKey] = (data, saves, exist);
        return exist;
    }
}
