using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Finance;
using RevLoop.Metrics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

public sealed record AsOfRowDto(Guid StageId, string Stage, long Count, decimal Amount, decimal Weighted);
public sealed record AsOfDto(Guid PipelineId, string Pipeline, string BaseCurrency, DateOnly Date, long Count, decimal Amount, decimal Weighted, long Unconverted, IReadOnlyList<AsOfRowDto> Rows);
public sealed record WaterfallRowDto(string Bucket, long Count, decimal Amount);
public sealed record WaterfallDto(Guid PipelineId, string Pipeline, string BaseCurrency, DateOnly From, DateOnly To, long StartCount, decimal Start,
    long EndCount, decimal End, long Unconverted, IReadOnlyList<WaterfallRowDto> Rows);

/// <summary>
/// The open pipeline as it stood at a past date and the waterfall between two dates (issue 5), rebuilt by
/// <see cref="PipelineHistory"/> from the stage, amount and close-date history of the visible, filtered deals of one
/// pipeline. Amounts in the base currency with the rate rule of ADR 0007 applied to the close date of that moment.
/// </summary>
public static class PipelineAsOfAnalytics
{
    public static readonly string[] Buckets = ["new", "advanced", "pushedOut", "pulledIn", "increased", "decreased", "won", "lost"];

    public sealed record Loaded(Pipeline Pipeline, PipelineHistory History, RateBook Rates)
    {
        public decimal? ToBase(string currency, long minor, DateOnly? close) => Rates.ToBase(minor, currency, close);
    }

    public static async Task<Loaded?> LoadAsync(RevLoopDb db, Guid? pipelineId, AnalyticsFilter filter, CancellationToken ct)
    {
        var pipeline = await AnalyticsPieces.PipelineAsync(db, pipelineId, ct);
        if (pipeline is null) return null;
        var rates = await RateBook.LoadAsync(db, ct);
        var stages = pipeline.Stages.OrderBy(s => s.Type == StageTypes.Open ? 0 : 1).ThenBy(s => s.SortOrder)
            .Select(s => new PipelineStage(s.Id.ToString(), s.Name, s.Type == StageTypes.Won ? OpportunityStatus.Won : s.Type == StageTypes.Lost ? OpportunityStatus.Lost : OpportunityStatus.Open, s.Probability))
            .ToList();
        var deals = new List<DealRecord>();
        var known = new HashSet<Guid>();
        var q = (filter with { PipelineId = pipeline.Id }).Apply(db.Opportunities.AsNoTracking())
            .OrderBy(o => o.Id) // drill-down lists in a stable order (ids are time-ordered v7)
            .Select(o => new { o.Id, o.CreatedAt, o.StageId, o.AmountMinor, o.Currency, o.CloseDate });
        await foreach (var o in q.AsAsyncEnumerable().WithCancellation(ct))
        {
            deals.Add(new DealRecord(o.Id.ToString(), o.CreatedAt.UtcDateTime, o.StageId.ToString(), o.AmountMinor, o.Currency, o.CloseDate));
            known.Add(o.Id);
        }
        var changes = new List<DealFieldChange>();
        var rows = db.FieldChanges.AsNoTracking()
            .Where(c => c.EntityType == "opportunity" && OpportunityHistoryRows.Fields.Contains(c.Field))
            .Select(c => new { c.EntityId, c.Field, c.ChangedAt, c.OldValue, c.NewValue });
        await foreach (var c in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!known.Contains(c.EntityId)) continue;
            var field = c.Field == nameof(Opportunity.StageId) ? DealField.Stage : c.Field == nameof(Opportunity.AmountMinor) ? DealField.Amount : DealField.CloseDate;
            changes.Add(new DealFieldChange(c.EntityId.ToString(), field, c.ChangedAt.UtcDateTime, c.OldValue, c.NewValue));
        }
        var errors = new List<RowError>();
        return new Loaded(pipeline, new PipelineHistory(stages, deals, changes, errors), rates);
    }

    public static AsOfDto AsOfDto(Loaded l, AsOfPipeline p) => new(l.Pipeline.Id, l.Pipeline.Name, l.Rates.BaseCurrency, p.Date, p.Count, Cents(p.Amount), Cents(p.Weighted),
        p.Unconverted, p.Rows.Select(r => new AsOfRowDto(Guid.Parse(r.StageId), r.Stage, r.Count, Cents(r.Amount), Cents(r.Weighted))).ToList());

    public static WaterfallDto WaterfallDto(Loaded l, Waterfall w) => new(l.Pipeline.Id, l.Pipeline.Name, l.Rates.BaseCurrency, w.From, w.To, w.StartCount, Cents(w.Start),
        w.EndCount, Cents(w.End), w.Unconverted, w.Rows.Select(r => new WaterfallRowDto(Buckets[(int)r.Bucket], r.Count, Cents(r.Amount))).ToList());

    private static decimal Cents(decimal v) => Money.RoundToCents(v);

    public static WaterfallBucket ParseBucket(string? bucket) =>
        Array.IndexOf(Buckets, bucket) is var i and >= 0 ? (WaterfallBucket)i : throw new InputException("bucket", $"must be one of {string.Join(", ", Buckets)}");

    public static async Task<Results<Ok<AsOfDto>, NotFound>> AsOf(string? date, [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var day = AnalyticsPieces.Day(date, "date");
        var l = await LoadAsync(db, filter.Pipeline, filter.Filter(), ct);
        return l is null ? TypedResults.NotFound() : TypedResults.Ok(AsOfDto(l, l.History.AsOf(day, l.ToBase)));
    }

    /// <summary>The deals open at the date, optionally in one stage, by amount as of then (largest first).</summary>
    public static async Task<Results<Ok<Page<DealLine>>, NotFound>> AsOfDeals(string? date, Guid? stage, string? cursor, int? pageSize,
        [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var day = AnalyticsPieces.Day(date, "date");
        var l = await LoadAsync(db, filter.Pipeline, filter.Filter(), ct);
        if (l is null) return TypedResults.NotFound();
        var stageName = stage is { } s ? l.Pipeline.Stages.FirstOrDefault(x => x.Id == s)?.Name ?? throw new InputException("stage", "is not a stage of the pipeline") : null;
        var ids = l.History.AsOf(day, l.ToBase).Deals.Where(d => stageName is null || d.Stage == stageName)
            .OrderByDescending(d => d.BaseAmount ?? -1).ThenBy(d => d.OpportunityId, StringComparer.Ordinal).Select(d => Guid.Parse(d.OpportunityId)).ToList();
        return TypedResults.Ok(await AnalyticsPieces.PageAsync(db, ids, cursor, pageSize, ct));
    }

    public static async Task<Results<Ok<WaterfallDto>, NotFound>> Waterfall(string? from, string? to, [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var (f, t) = (AnalyticsPieces.Day(from, "from"), AnalyticsPieces.Day(to, "to"));
        if (t < f) throw new InputException("to", "must not be before from");
        var l = await LoadAsync(db, filter.Pipeline, filter.Filter(), ct);
        return l is null ? TypedResults.NotFound() : TypedResults.Ok(WaterfallDto(l, l.History.Waterfall(f, t, l.ToBase)));
    }

    public static async Task<Results<Ok<Page<DealLine>>, NotFound>> WaterfallDeals(string? from, string? to, string? bucket, string? cursor, int? pageSize,
        [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var (f, t) = (AnalyticsPieces.Day(from, "from"), AnalyticsPieces.Day(to, "to"));
        if (t < f) throw new InputException("to", "must not be before from");
        var b = ParseBucket(bucket);
        var l = await LoadAsync(db, filter.Pipeline, filter.Filter(), ct);
        if (l is null) return TypedResults.NotFound();
        var ids = l.History.Waterfall(f, t, l.ToBase).Deals(b).Select(Guid.Parse).ToList();
        return TypedResults.Ok(await AnalyticsPieces.PageAsync(db, ids, cursor, pageSize, ct));
    }
}
