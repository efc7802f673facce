using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Platform;
using RevLoop.Server.Web;

namespace RevLoop.Server.Crm.Opportunities;

/// <summary>
/// Which deals the board shows: the pipeline's, narrowed by owner, owner team (with its sub-teams), segment, region and
/// close period. <see cref="Teams"/> holds the team and the teams below it once <see cref="WithSubTeamsAsync"/> ran.
/// </summary>
public sealed record BoardFilter(Guid? OwnerId = null, Guid? TeamId = null, string? Segment = null, string? Region = null, DateOnly? CloseFrom = null, DateOnly? CloseTo = null,
    IReadOnlyList<Guid>? Teams = null)
{
    public IQueryable<Opportunity> Apply(IQueryable<Opportunity> q)
    {
        if (OwnerId is { } owner) q = q.Where(o => o.OwnerId == owner);
        if (Teams is { Count: > 1 } teams) q = q.Where(o => o.OwnerTeamId != null && teams.Contains(o.OwnerTeamId.Value));
        else if (TeamId is { } team) q = q.Where(o => o.OwnerTeamId == team);
        if (Segment is { } segment) q = q.Where(o => o.Segment == segment);
        if (Region is { } region) q = q.Where(o => o.Region == region);
        if (CloseFrom is { } from) q = q.Where(o => o.CloseDate >= from);
        if (CloseTo is { } to) q = q.Where(o => o.CloseDate <= to);
        return q;
    }

    public async Task<BoardFilter> WithSubTeamsAsync(RevLoopDb db, CancellationToken ct) =>
        TeamId is { } team && Teams is null ? this with { Teams = await TeamAndSubTeamsAsync(db, team, ct) } : this;

    /// <summary>A team and every team below it (ParentTeamId, any depth): a manager's filter covers the sub-teams' deals.</summary>
    public static async Task<List<Guid>> TeamAndSubTeamsAsync(RevLoopDb db, Guid team, CancellationToken ct)
    {
        // The teams table is small (tens of rows): one read, the tree walked here, safe against a cycle.
        var children = (await db.Teams.AsNoTracking().Where(t => t.ParentTeamId != null).Select(t => new { t.Id, Parent = t.ParentTeamId!.Value }).ToListAsync(ct))
            .ToLookup(t => t.Parent, t => t.Id);
        var result = new List<Guid> { team };
        var seen = new HashSet<Guid> { team };
        for (var i = 0; i < result.Count; i++)
            foreach (var child in children[result[i]])
                if (seen.Add(child)) result.Add(child);
        return result;
    }

    public BoardFilter Checked() =>
        Segment is not null && !Account.Segments.Contains(Segment) ? throw new InputException("segment", $"must be one of {string.Join(", ", Account.Segments)}")
        : CloseFrom > CloseTo ? throw new InputException("closeTo", "must not be before closeFrom")
        : this;
}

public sealed record BoardCard(Guid Id, string Name, Guid AccountId, string AccountName, decimal Amount, long AmountMinor, string Currency, DateOnly? CloseDate,
    Guid? OwnerId, string? OwnerName, long Version);

/// <summary>Deals whose currency has no exchange rate yet: counted, but left out of the base-currency sum.</summary>
public sealed record Unconverted(string Currency, long Count, decimal Amount);

public sealed record BoardColumn(Guid StageId, string Name, string Type, int Probability, long Count, decimal Amount, IReadOnlyList<Unconverted> Unconverted,
    IReadOnlyList<BoardCard> Cards, string? NextCursor);

public sealed record BoardDto(Guid PipelineId, string Name, string BaseCurrency, IReadOnlyList<BoardColumn> Columns);

/// <summary>
/// The pipeline board: per stage the number of deals and their amount in the base currency (aggregated in SQL, one
/// GROUP BY), and the first cards of each open stage by close date; more cards page with a cursor per stage.
/// </summary>
public static class BoardApi
{
    public const int DefaultCards = 20, MaxCards = 100;

    public static void MapBoardApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/pipelines/{id:guid}/board").WithTags("Pipelines").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", Get);
        g.MapGet("/stages/{stageId:guid}/cards", Cards);
    }

    public static async Task<Results<Ok<BoardDto>, NotFound>> Get(Guid id, [AsParameters] BoardQuery query, RevLoopDb db, CancellationToken ct)
    {
        var board = await LoadAsync(db, id, query.Filter(), query.Size(), ct);
        return board is null ? TypedResults.NotFound() : TypedResults.Ok(board);
    }

    public static async Task<Results<Ok<Page<BoardCard>>, NotFound>> Cards(Guid id, Guid stageId, [AsParameters] BoardQuery query, string? cursor, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.Stages.AnyAsync(s => s.Id == stageId && s.PipelineId == id, ct)) return TypedResults.NotFound();
        var size = query.Size();
        var (cards, next) = await CardsAsync(db, id, stageId, query.Filter(), cursor, size, ct);
        return TypedResults.Ok(new Page<BoardCard>(cards, next, size));
    }

    public sealed record BoardQuery(Guid? OwnerId, Guid? TeamId, string? Segment, string? Region, DateOnly? CloseFrom, DateOnly? CloseTo, int? PageSize)
    {
        public BoardFilter Filter() => new BoardFilter(OwnerId, TeamId, Blank(Segment)?.ToLowerInvariant(), Blank(Region), CloseFrom, CloseTo).Checked();
        public int Size() => PageSize is null ? DefaultCards : PageSize is >= 1 and <= MaxCards ? PageSize.Value : throw new InputException("pageSize", $"must be 1 to {MaxCards}");
        private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
    }

    public static async Task<BoardDto?> LoadAsync(RevLoopDb db, Guid pipelineId, BoardFilter filter, int cardsPerStage, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.AsNoTracking().Include(p => p.Stages).FirstOrDefaultAsync(p => p.Id == pipelineId, ct);
        if (pipeline is null) return null;
        filter = await filter.WithSubTeamsAsync(db, ct);
        var rates = await RateBook.LoadAsync(db, ct);
        var baseCurrency = rates.BaseCurrency;
        var today = rates.Today;
        // Deals in another currency convert at their close date's rate (ADR 0007), so they are summed per close date; a
        // close date still ahead (or none) uses today's rate, so those fold into one group. Summed over the in-memory
        // deal columns (ADR 0012, brought up to date first): a GROUP BY over a large team's deals read ~330k index
        // entries per board (0.2 s at 1M deals on SQLite); the database still decides who sees which deals.
        var visible = await Analytics.AnalyticsFilter.VisibleOwnersAsync(db, pipelineId, ct);
        var totals = await Analytics.OpportunityHistoryColumns.For(db).ReadAsync(db, c => c.BoardTotals(pipelineId, filter, visible, baseCurrency, today), ct);

        var columns = new List<BoardColumn>();
        // Won and lost close the board: drop targets with their totals, no cards.
        foreach (var stage in pipeline.Stages.OrderBy(s => s.Type == StageTypes.Open ? 0 : 1).ThenBy(s => s.SortOrder))
        {
            var rows = totals.Where(t => t.StageId == stage.Id).ToList();
            long amountMinor = 0;
            var unconverted = new List<Unconverted>();
            foreach (var r in rows)
            {
                if (rates.ToBaseMinor(r.Minor, r.Currency, r.Day) is { } converted) amountMinor += converted;
                else unconverted.Add(new Unconverted(r.Currency, r.Count, MinorUnits.ToAmount(r.Minor, r.Currency)));
            }
            var amount = MinorUnits.ToAmount(amountMinor, baseCurrency);
            // One currency without any rate may sit in several day groups: name it once.
            unconverted = unconverted.GroupBy(u => u.Currency).Select(g => new Unconverted(g.Key, g.Sum(u => u.Count), g.Sum(u => u.Amount))).ToList();
            var count = rows.Sum(r => r.Count);
            List<BoardCard> cards = [];
            string? next = null;
            if (stage.Type == StageTypes.Open && count > 0) (cards, next) = await CardsAsync(db, pipelineId, stage.Id, filter, null, cardsPerStage, ct);
            columns.Add(new BoardColumn(stage.Id, stage.Name, stage.Type, stage.Probability, count, amount, unconverted, cards, next));
        }
        return new BoardDto(pipeline.Id, pipeline.Name, baseCurrency, columns);
    }

    /// <summary>
    /// A stage's cards by close date (deals without one last), then id; the cursor is the last card's (close date, id).
    /// Two keyset runs, dated then undated, because SQLite and PostgreSQL sort nulls differently.
    /// </summary>
    public static async Task<(List<BoardCard> Cards, string? Next)> CardsAsync(RevLoopDb db, Guid pipelineId, Guid stageId, BoardFilter filter, string? cursor, int size, CancellationToken ct)
    {
        filter = await filter.WithSubTeamsAsync(db, ct);
        var q = filter.Apply(db.Opportunities.AsNoTracking().Where(o => o.PipelineId == pipelineId && o.StageId == stageId));
        DateOnly? afterDate = null;
        Guid? afterId = null;
        var inUndated = false;
        if (cursor is not null)
        {
            var parts = Paging.DecodeCursor(cursor, 2);
            if (!Guid.TryParse(parts[1], out var id)) throw new InputException("cursor", "is not a cursor this board returned");
            afterId = id;
            if (parts[0] == "-") inUndated = true;
            else afterDate = DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
                : throw new InputException("cursor", "is not a cursor this board returned");
        }

        var rows = await CloseDatePaging.RowsAsync(db, q, afterDate, afterId, inUndated, descending: false, size, ct);
        string? next = null;
        if (rows.Count > size)
        {
            rows.RemoveRange(size, rows.Count - size);
            var last = rows[^1];
            next = Paging.EncodeCursor(last.CloseDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-", last.Id.ToString());
        }
        var accountIds = rows.Select(r => r.AccountId).Distinct().ToList();
        var accounts = accountIds.Count == 0 ? [] : await db.Accounts.AsNoTracking().IgnoreQueryFilters().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var owners = await Ui.UserNamesAsync(db, rows.Where(r => r.OwnerId is not null).Select(r => r.OwnerId!.Value), ct);
        return (rows.Select(o => new BoardCard(o.Id, o.Name, o.AccountId, accounts.GetValueOrDefault(o.AccountId, ""), MinorUnits.ToAmount(o.AmountMinor, o.Currency),
            o.AmountMinor, o.Currency, o.CloseDate, o.OwnerId, o.OwnerId is { } w ? owners.GetValueOrDefault(w) : null, o.Version)).ToList(), next);
    }
}
