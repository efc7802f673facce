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
/// The stage funnel of one pipeline from the stage history (FieldChanges rows of field StageId), computed by
/// <see cref="StageFunnelEngine"/>. Deals: the visible, filtered deals of the pipeline; a deal's close is its WonAt or
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
        var openIds = open.ToDictionary(s => s.Id.ToString(), s => s.Id.ToString());
        var types = pipeline.Stages.ToDictionary(s => s.Id, s => s.Type);

        var deals = new List<FunnelDeal>();
        var known = new HashSet<Guid>();
        var q = (filter with { PipelineId = pipeline.Id }).Apply(db.Opportunities.AsNoTracking())
            .OrderBy(o => o.Id) // drill-down lists in a stable order (ids are time-ordered v7)
            .Select(o => new { o.Id, o.StageId, o.WonAt, o.LostAt });
        await foreach (var o in q.AsAsyncEnumerable().WithCancellation(ct))
        {
            var type = types.GetValueOrDefault(o.StageId, StageTypes.Open);
            var status = type == StageTypes.Won ? OpportunityStatus.Won : type == StageTypes.Lost ? OpportunityStatus.Lost : OpportunityStatus.Open;
            var closedAt = status == OpportunityStatus.Won ? o.WonAt : status == OpportunityStatus.Lost ? o.LostAt : null;
            deals.Add(new FunnelDeal(o.Id.ToString(), status, closedAt?.UtcDateTime));
            known.Add(o.Id);
        }

        var history = new List<StageChange>();
        var rows = db.FieldChanges.AsNoTracking()
            .Where(c => c.EntityType == "opportunity" && OpportunityHistoryRows.Fields.Contains(c.Field) && c.Field == nameof(Opportunity.StageId))
            .Select(c => new { c.EntityId, c.NewValue, c.ChangedAt });
        await foreach (var c in rows.AsAsyncEnumerable().WithCancellation(ct))
            if (c.NewValue is { } stage && known.Contains(c.EntityId) && openIds.TryGetValue(stage, out var id))
                history.Add(new StageChange(c.EntityId.ToString(), id, c.ChangedAt.UtcDateTime));

        var errors = new List<RowError>();
        try
        {
            var funnel = StageFunnelEngine.Compute(deals, history, new FunnelQuery(open.Select(s => s.Id.ToString()).ToList(), f, t), errors);
            return new Computed(pipeline, f, t, funnel, open);
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
