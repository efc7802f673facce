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
/// pipeline (held in memory by <see cref="OpportunityHistoryColumns"/>). Amounts in the base currency with the rate rule of ADR 0007 applied to the close date of that moment.
/// </summary>
public static class PipelineAsOfAnalytics
{
    public static readonly string[] Buckets = ["new", "advanced", "pushedOut", "pulledIn", "increased", "decreased", "won", "lost"];

    /// <summary>
    /// The pipeline's history for one use: <see cref="History"/> reads the in-memory columns without copying them, so it
    /// is valid only inside the callback of <see cref="UseAsync{T}"/>; <see cref="DealId"/> maps its deal indexes to ids.
    /// </summary>
    public sealed record Loaded(Pipeline Pipeline, PipelineHistory History, RateBook Rates, Func<int, Guid> DealId, Func<int, long, DateTime?> LastActivity)
    {
        public decimal? ToBase(string currency, long minor, DateOnly? close) => Rates.ToBase(minor, currency, close);
    }

    /// <summary>
    /// Runs <paramref name="use"/> on the history of the visible, filtered deals of the pipeline (the default one when
    /// none is given); null when there is no pipeline. The result must not keep <see cref="Loaded.History"/>.
    /// </summary>
    public static async Task<(Loaded Loaded, T Result)?> UseAsync<T>(RevLoopDb db, Guid? pipelineId, AnalyticsFilter filter, Func<Loaded, T> use, CancellationToken ct)
    {
        var pipeline = await AnalyticsPieces.PipelineAsync(db, pipelineId, ct);
        if (pipeline is null) return null;
        var rates = await RateBook.LoadAsync(db, ct);
        var stages = pipeline.Stages.OrderBy(s => s.Type == StageTypes.Open ? 0 : 1).ThenBy(s => s.SortOrder).ToList();
        var engineStages = stages
            .Select(s => new PipelineStage(s.Id.ToString(), s.Name, s.Type == StageTypes.Won ? OpportunityStatus.Won : s.Type == StageTypes.Lost ? OpportunityStatus.Lost : OpportunityStatus.Open, s.Probability))
            .ToList();
        var visible = await AnalyticsFilter.VisibleOwnersAsync(db, pipeline.Id, ct);
        return await OpportunityHistoryColumns.For(db).ReadAsync(db, c =>
        {
            var stageMap = Enumerable.Repeat(-1, c.StageCount).ToArray();
            for (int i = 0; i < stages.Count; i++) if (c.StageIndex(stages[i].Id) is var s and >= 0) stageMap[s] = i;
            var selection = c.Select(pipeline.Id, filter, visible);
            var loaded = new Loaded(pipeline, new PipelineHistory(engineStages, c.Columns(), stageMap, selection), rates, d => c.Id(selection[d]),
                (d, ticks) => c.LastActivity(selection[d], ticks));
            return (loaded, use(loaded));
        }, ct);
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
        var r = await UseAsync(db, filter.Pipeline, filter.Filter(), l => AsOfDto(l, l.History.AsOf(day, l.ToBase)), ct);
        return r is null ? TypedResults.NotFound() : TypedResults.Ok(r.Value.Result);
    }

    /// <summary>The deals open at the date, optionally in one stage, by amount as of then (largest first).</summary>
    public static async Task<Results<Ok<Page<DealLine>>, NotFound>> AsOfDeals(string? date, Guid? stage, string? cursor, int? pageSize,
        [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var day = AnalyticsPieces.Day(date, "date");
        var r = await UseAsync(db, filter.Pipeline, filter.Filter(), l =>
        {
            var stageName = stage is { } s ? l.Pipeline.Stages.FirstOrDefault(x => x.Id == s)?.Name ?? throw new InputException("stage", "is not a stage of the pipeline") : null;
            return l.History.AsOf(day, l.ToBase).Deals.Where(d => stageName is null || d.Stage == stageName)
                .OrderByDescending(d => d.BaseAmount ?? -1).ThenBy(d => d.OpportunityId, StringComparer.Ordinal).Select(d => Guid.Parse(d.OpportunityId)).ToList();
        }, ct);
        if (r is null) return TypedResults.NotFound();
        return TypedResults.Ok(await AnalyticsPieces.PageAsync(db, r.Value.Result, cursor, pageSize, ct));
    }

    public static async Task<Results<Ok<WaterfallDto>, NotFound>> Waterfall(string? from, string? to, [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var (f, t) = (AnalyticsPieces.Day(from, "from"), AnalyticsPieces.Day(to, "to"));
        if (t < f) throw new InputException("to", "must not be before from");
        var r = await UseAsync(db, filter.Pipeline, filter.Filter(), l => WaterfallDto(l, l.History.Waterfall(f, t, l.ToBase)), ct);
        return r is null ? TypedResults.NotFound() : TypedResults.Ok(r.Value.Result);
    }

    public static async Task<Results<Ok<Page<DealLine>>, NotFound>> WaterfallDeals(string? from, string? to, string? bucket, string? cursor, int? pageSize,
        [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var (f, t) = (AnalyticsPieces.Day(from, "from"), AnalyticsPieces.Day(to, "to"));
        if (t < f) throw new InputException("to", "must not be before from");
        var b = ParseBucket(bucket);
        var r = await UseAsync(db, filter.Pipeline, filter.Filter(), l => l.History.Waterfall(f, t, l.ToBase).Deals(b).Select(Guid.Parse).ToList(), ct);
        if (r is null) return TypedResults.NotFound();
        return TypedResults.Ok(await AnalyticsPieces.PageAsync(db, r.Value.Result, cursor, pageSize, ct));
    }
}
