using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Metrics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

public sealed record RiskLine(DealLine Deal, IReadOnlyList<string> Flags, decimal DaysInStage, decimal? StageP75Days, int Pushes, decimal? PeakAmount, decimal DaysWithoutActivity);
public sealed record RiskCounts(long Stalled, long PushedOut, long NoActivity, long AmountDropped, long AtRisk);
public sealed record RisksDto(Guid PipelineId, string Pipeline, int NoActivityDays, RiskCounts Counts, IReadOnlyList<RiskLine> Items, string? NextCursor, int PageSize);

/// <summary>
/// Deal risk flags (issue 5) for the open deals of one pipeline, by <see cref="PipelineHistory.Risks"/>: the stage p75
/// comes from the all-time stage funnel, the last activity from the deal's activities up to now (any author: a
/// colleague's call counts even when the viewer cannot see it), kept with the deal in the in-memory columns. Most flags first, then the longest without activity.
/// </summary>
public static class RiskAnalytics
{
    public const int DefaultNoActivityDays = 14;
    public static readonly string[] Flags = ["stalled", "pushedOut", "noActivity", "amountDropped"];

    public static IReadOnlyList<string> Names(RiskFlags f) =>
        Flags.Where((_, i) => (f & (RiskFlags)(1 << i)) != 0).ToList();

    public static async Task<(PipelineAsOfAnalytics.Loaded Loaded, IReadOnlyList<DealRisk> Risks)?> ComputeAsync(RevLoopDb db, Guid? pipeline, AnalyticsFilter filter, int noActivityDays, CancellationToken ct)
    {
        var chosen = await AnalyticsPieces.PipelineAsync(db, pipeline, ct);
        if (chosen is null) return null;
        var now = db.Clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var funnel = await FunnelAnalytics.ComputeAsync(db, chosen.Id, "0001-01-01", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), filter, ct);
        var p75 = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (funnel is not null)
            for (int i = 0; i < funnel.OpenStages.Count; i++)
                if (funnel.Funnel.Rows[i].P75Days is { } d) p75[funnel.OpenStages[i].Id.ToString()] = d;
        long nowTicks = now.UtcTicks;
        var r = await PipelineAsOfAnalytics.UseAsync(db, chosen.Id, filter,
            l => l.History.Risks(now.UtcDateTime, p75, d => l.LastActivity(d, nowTicks), noActivityDays), ct);
        return r is { } x ? (x.Loaded, x.Result) : null;
    }

    public static async Task<Results<Ok<RisksDto>, NotFound>> Get(int? noActivityDays, string? flag, string? cursor, int? pageSize, [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var days = noActivityDays ?? DefaultNoActivityDays;
        if (days is < 1 or > 3650) throw new InputException("noActivityDays", "must be 1 to 3650");
        RiskFlags? only = null;
        if (!string.IsNullOrEmpty(flag))
            only = Array.IndexOf(Flags, flag) is var i and >= 0 ? (RiskFlags)(1 << i) : throw new InputException("flag", $"must be one of {string.Join(", ", Flags)}");
        int size = Paging.Size(pageSize);
        int offset = 0;
        if (!string.IsNullOrEmpty(cursor) && !int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            throw new InputException("cursor", "is not a cursor this server issued");
        var r = await ComputeAsync(db, filter.Pipeline, filter.Filter(), days, ct);
        if (r is null) return TypedResults.NotFound();
        var (l, risks) = r.Value;
        long Count(RiskFlags f) => risks.LongCount(x => (x.Flags & f) != 0);
        var counts = new RiskCounts(Count(RiskFlags.Stalled), Count(RiskFlags.PushedOut), Count(RiskFlags.NoActivity), Count(RiskFlags.AmountDropped), risks.Count);
        var ordered = risks.Where(x => only is null || (x.Flags & only.Value) != 0)
            .OrderByDescending(x => System.Numerics.BitOperations.PopCount((uint)x.Flags)).ThenByDescending(x => x.DaysWithoutActivity)
            .ThenBy(x => x.OpportunityId, StringComparer.Ordinal).ToList();
        var slice = ordered.Skip(offset).Take(size).ToList();
        var lines = (await AnalyticsPieces.LinesAsync(db, slice.Select(x => Guid.Parse(x.OpportunityId)).ToList(), ct)).ToDictionary(x => x.Id);
        var items = slice.Where(x => lines.ContainsKey(Guid.Parse(x.OpportunityId))).Select(x =>
        {
            var line = lines[Guid.Parse(x.OpportunityId)];
            return new RiskLine(line, Names(x.Flags), Round(x.DaysInStage), x.StageP75Days is { } p ? Round(p) : null, x.Pushes,
                l.ToBase(line.Currency, x.PeakAmount, line.CloseDate) is { } peak ? Money.RoundToCents(peak) : null, Round(x.DaysWithoutActivity));
        }).ToList();
        return TypedResults.Ok(new RisksDto(l.Pipeline.Id, l.Pipeline.Name, days, counts, items, offset + size < ordered.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : null, size));
    }

    private static decimal Round(decimal v) => Math.Round(v, 1, MidpointRounding.AwayFromZero);
}
