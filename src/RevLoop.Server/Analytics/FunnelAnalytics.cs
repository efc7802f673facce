using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Metrics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

public sealed record FunnelRowDto(Guid StageId, string Stage, long Entered, long Advanced, long Lost, long Still, decimal? Conversion, decimal? MedianDays, decimal? P75Days);
public sealed record FunnelDto(Guid PipelineId, string Pipeline, DateOnly From, DateOnly To, IReadOnlyList<FunnelRowDto> Rows);

/// <summary>
/// The stage funnel of one pipeline from the stage history (FieldChanges rows of field StageId, held in memory by
/// <see cref="OpportunityHistoryColumns"/>), computed by <see cref="StageFunnelEngine"/>. Deals: the visible, filtered deals of the pipeline; a deal's close is its WonAt or
/// LostAt. History rows into won or lost stages are left out (the close ends the last stay), as are rows into stages of
/// another pipeline (a deal moved between pipelines counts only for its stays in this one).
/// </summary>
public static class FunnelAnalytics
{
    public static readonly string[] Outcomes = ["entered", "advanced", "lost", "still"];

    public sealed record Computed(Pipeline Pipeline, DateOnly From, DateOnly To, StageFunnel Funnel, List<Stage> OpenStages);

    public static async Task<Computed?> ComputeAsync(RevLoopDb db, Guid? pipelineId, string? from, string? to, AnalyticsFilter filter, CancellationToken ct)
    {
        var (f, t) = (AnalyticsPieces.Day(from, "from"), AnalyticsPieces.Day(to, "to"));
        if (t < f) throw new InputException("to", "must not be before from");
        var pipeline = await AnalyticsPieces.PipelineAsync(db, pipelineId, ct);
        if (pipeline is null) return null;
        var open = pipeline.Stages.Where(s => s.Type == StageTypes.Open).OrderBy(s => s.SortOrder).ToList();
        var types = pipeline.Stages.ToDictionary(s => s.Id, s => s.Type);
        var visible = await AnalyticsFilter.VisibleOwnersAsync(db, pipeline.Id, ct);
        var query = new FunnelQuery(open.Select(s => s.Id.ToString()).ToList(), f, t);
        var columns = OpportunityHistoryColumns.For(db);
        var input = await columns.ReadAsync(db, c =>
        {
            // Stage index of the columns -> rank among this pipeline's open stages (-1: a closed stage or another pipeline's).
            var openRank = Enumerable.Repeat(-1, c.StageCount + 1).ToArray();
            for (int i = 0; i < open.Count; i++) if (c.StageIndex(open[i].Id) is var s and >= 0) openRank[s] = i;
            var typeOf = new string?[c.StageCount];
            foreach (var (id, type) in types) if (c.StageIndex(id) is var s and >= 0) typeOf[s] = type;
            return c.Funnel(c.Select(pipeline.Id, filter, visible), s => typeOf[s], openRank);
        }, ct);
        try
        {
            return new Computed(pipeline, f, t, StageFunnelEngine.Compute(input, query), open);
        }
        catch (MetricsInputException e) { throw new InputException("query", e.Message); }
    }
    public static FunnelDto Dto(Computed c) => new(c.Pipeline.Id, c.Pipeline.Name, c.From, c.To, c.Funnel.Rows.Select((r, i) =>
        new FunnelRowDto(c.OpenStages[i].Id, c.OpenStages[i].Name, r.Entered, r.Advanced, r.Lost, r.Still, Round(r.Conversion), Round(r.MedianDays), Round(r.P75Days))).ToList());

    private static decimal? Round(decimal? v) => v is { } x ? Math.Round(x, 4, MidpointRounding.AwayFromZero) : null;

    public static async Task<Results<Ok<FunnelDto>, NotFound>> Get(string? from, string? to, [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var c = await ComputeAsync(db, filter.Pipeline, from, to, filter.Filter(), ct);
        return c is null ? TypedResults.NotFound() : TypedResults.Ok(Dto(c));
    }

    /// <summary>The deals of one stage's cell: outcome entered (all of the cohort), advanced, lost or still.</summary>
    public static async Task<Results<Ok<Page<DealLine>>, NotFound>> Deals(string? from, string? to, Guid? stage, string? outcome, string? cursor, int? pageSize,
        [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        if (outcome is null || !Outcomes.Contains(outcome)) throw new InputException("outcome", $"must be one of {string.Join(", ", Outcomes)}");
        var c = await ComputeAsync(db, filter.Pipeline, from, to, filter.Filter(), ct);
        if (c is null) return TypedResults.NotFound();
        if (stage is not { } s || c.OpenStages.All(x => x.Id != s)) throw new InputException("stage", "must be an open stage of the pipeline");
        var key = s.ToString();
        var ids = outcome == "entered" ? c.Funnel.Entered(key) : c.Funnel.Deals(key, Enum.Parse<StageOutcome>(outcome, ignoreCase: true));
        return TypedResults.Ok(await AnalyticsPieces.PageAsync(db, ids.Select(Guid.Parse).ToList(), cursor, pageSize, ct));
    }
}
