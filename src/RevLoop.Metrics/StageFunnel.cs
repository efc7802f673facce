using System.Numerics;

namespace RevLoop.Metrics;

/// <summary>A deal entered <paramref name="Stage"/> at <paramref name="EnteredAt"/> (UTC), as a stage-history row records it.</summary>
public sealed record StageChange(string OpportunityId, string Stage, DateTime EnteredAt);

/// <summary>A deal's outcome today: status and, for won and lost deals, when it closed (UTC).</summary>
public sealed record FunnelDeal(string OpportunityId, OpportunityStatus Status, DateTime? ClosedAt);

/// <summary>The pipeline's open stages in order, and the cohort window (days inclusive) on the first entry into a stage.</summary>
public sealed record FunnelQuery(IReadOnlyList<string> Stages, DateOnly From, DateOnly To);

public enum StageOutcome : byte { Advanced, Lost, Still }

/// <summary>
/// One stage of the funnel. Entered = Advanced + Lost + Still. Conversion = Advanced / Entered (none when nothing
/// entered). Median / P75 = time in the stage in days over the cohort's completed stays (none when there is none).
/// </summary>
public sealed record StageFunnelRow(string Stage, long Entered, long Advanced, long Lost, long Still, decimal? Conversion, decimal? MedianDays, decimal? P75Days);

/// <summary>The funnel rows in pipeline order, with the deals behind every count (drill-down).</summary>
public sealed class StageFunnel
{
    private readonly int[][][] _deals; // [stage][outcome] -> deal indexes
    private readonly Func<int, string> _id;

    internal StageFunnel(IReadOnlyList<StageFunnelRow> rows, int[][][] deals, Func<int, string> id)
    {
        Rows = rows;
        _deals = deals;
        _id = id;
    }

    public IReadOnlyList<StageFunnelRow> Rows { get; }

    /// <summary>The opportunities counted in a stage's cell, in input order of their first history row.</summary>
    public IReadOnlyList<string> Deals(string stage, StageOutcome outcome)
    {
        for (int s = 0; s < Rows.Count; s++)
            if (Rows[s].Stage == stage) return Array.ConvertAll(_deals[s][(int)outcome], d => _id(d));
        throw new ArgumentException($"unknown stage '{stage}'", nameof(stage));
    }

    /// <summary>Every opportunity that entered the stage in the window.</summary>
    public IReadOnlyList<string> Entered(string stage) =>
        [.. Deals(stage, StageOutcome.Advanced), .. Deals(stage, StageOutcome.Lost), .. Deals(stage, StageOutcome.Still)];
}

/// <summary>
/// The funnel's input as columns, for a caller that holds the history typed already (the server's in-memory history):
/// deals 0..n-1 with their status and close (ticks, UTC; <see cref="long.MaxValue"/> while open), and their stage rows
/// grouped per deal in <c>[Start[d], Start[d+1])</c>, in time order within a deal, each row's stage an index into
/// <see cref="FunnelQuery.Stages"/>.
/// </summary>
public sealed class FunnelColumns
{
    public required Func<int, string> Id { get; init; }
    public required OpportunityStatus[] Status { get; init; }
    public required long[] Closed { get; init; }
    public required int[] Start { get; init; }
    public required long[] At { get; init; }
    public required int[] Stage { get; init; }
}

/// <summary>
/// The stage funnel of issue 5 from stage history (METRICS.md §5 "stage conversion: deals that reached stage i+1 / deals
/// that entered stage i, cohort by entry date"). For each open stage of the pipeline, in order:
/// <list type="bullet">
/// <item>Cohort: deals whose first entry into the stage falls in [From, To] (UTC days).</item>
/// <item>Advanced: after that first entry the deal reached a later stage of the pipeline (skipping counts: a deal
/// that jumps from stage 1 to 3 reached stage 2's successor too) or was won.</item>
/// <item>Lost: did not advance and is lost. Still: did not advance and is still open (a deal that went back and forth
/// is judged by whether it ever got past the stage after entering it).</item>
/// <item>Time in stage: per deal, the sum of its completed stays in the stage (a stay ends at the next history row,
/// or at the close for the last one); deals still sitting in the stage are left out (their time is not known yet).
/// Median and p75 are PostgreSQL's percentile_cont (linear interpolation between the closest ranks), in days, exact.</item>
/// </list>
/// Columnar and linear apart from one sort: deals are interned to dense indexes, history rows are grouped per deal by
/// a counting sort and ordered by time within the deal; only the percentiles sort, per stage.
/// </summary>
public static class StageFunnelEngine
{
    public static StageFunnel Compute(IEnumerable<FunnelDeal> deals, IEnumerable<StageChange> history, FunnelQuery query, List<RowError> errors)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(errors);
        if (query.To < query.From) throw new MetricsInputException($"to {query.To:yyyy-MM-dd} is before from {query.From:yyyy-MM-dd}");
        int stages = query.Stages.Count;
        var stageIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int s = 0; s < stages; s++)
            if (!stageIndex.TryAdd(query.Stages[s], s)) throw new MetricsInputException($"stage '{query.Stages[s]}' is listed twice");

        // Deals: status and close, by dense index.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var status = new List<OpportunityStatus>();
        var closed = new List<long>();
        var names = new List<string>();
        long ordinal = 0;
        foreach (var d in deals)
        {
            ordinal++;
            if (d.Status != OpportunityStatus.Open && d.ClosedAt is null) { errors.Add(new RowError(ordinal, "closedAt", "missing for a closed deal")); continue; }
            if (!ids.TryAdd(d.OpportunityId, ids.Count)) { errors.Add(new RowError(ordinal, "opportunityId", $"duplicate '{d.OpportunityId}'")); continue; }
            names.Add(d.OpportunityId);
            status.Add(d.Status);
            closed.Add(d.Status == OpportunityStatus.Open ? long.MaxValue : Utc(d.ClosedAt!.Value).Ticks);
        }

        // History rows, columnar.
        var rowDeal = new List<int>();
        var rowStage = new List<int>();
        var rowAt = new List<long>();
        ordinal = 0;
        foreach (var h in history)
        {
            ordinal++;
            if (!ids.TryGetValue(h.OpportunityId, out int d)) { errors.Add(new RowError(ordinal, "opportunityId", $"unknown opportunity '{h.OpportunityId}'")); continue; }
            if (!stageIndex.TryGetValue(h.Stage, out int s)) { errors.Add(new RowError(ordinal, "stage", $"'{h.Stage}' is not an open stage of the pipeline")); continue; }
            rowDeal.Add(d);
            rowStage.Add(s);
            rowAt.Add(Utc(h.EnteredAt).Ticks);
        }
        int n = ids.Count, rows = rowDeal.Count;

        // Counting sort of the rows by deal (stable), then by time within each deal.
        var start = new int[n + 1];
        foreach (int d in rowDeal) start[d + 1]++;
        for (int d = 0; d < n; d++) start[d + 1] += start[d];
        var order = new int[rows];
        var fill = (int[])start.Clone();
        for (int r = 0; r < rows; r++) order[fill[rowDeal[r]]++] = r;
        var at = new long[rows];
        var st = new int[rows];
        for (int i = 0; i < rows; i++) { at[i] = rowAt[order[i]]; st[i] = rowStage[order[i]]; }
        for (int d = 0; d < n; d++)
        {
            int a = start[d], b = start[d + 1];
            // Usually already in time order (history is appended, the database returns it ordered): insertion sort
            // costs one comparison per row then; ties keep their input order.
            for (int i = a + 1; i < b; i++)
            {
                long key = at[i];
                int ks = st[i], j = i - 1;
                if (at[j] <= key) continue;
                if (b - a > 32) { Array.Sort(at, st, a, b - a); break; }
                while (j >= a && at[j] > key) { at[j + 1] = at[j]; st[j + 1] = st[j]; j--; }
                at[j + 1] = key;
                st[j + 1] = ks;
            }
        }

        return Compute(new FunnelColumns
        {
            Id = d => names[d], Status = [.. status], Closed = [.. closed], Start = start, At = at, Stage = st,
        }, query);
    }

    /// <summary>The funnel from columns (see <see cref="FunnelColumns"/>); linear in deals + rows apart from the percentiles' sort.</summary>
    public static StageFunnel Compute(FunnelColumns c, FunnelQuery query)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(query);
        if (query.To < query.From) throw new MetricsInputException($"to {query.To:yyyy-MM-dd} is before from {query.From:yyyy-MM-dd}");
        int stages = query.Stages.Count, n = c.Status.Length;
        var (status, closed, start, at, st) = (c.Status, c.Closed, c.Start, c.At, c.Stage);
        long from = query.From.DayNumber * TimeSpan.TicksPerDay, toEnd = (query.To.DayNumber + 1L) * TimeSpan.TicksPerDay;
        var counts = new long[stages, 3];
        var deals3 = new List<int>[stages, 3];
        var durations = new List<long>[stages];
        for (int s = 0; s < stages; s++)
        {
            durations[s] = new List<long>();
            for (int o = 0; o < 3; o++) deals3[s, o] = new List<int>();
        }
        var firstEntry = new long[stages];
        var maxAfter = new int[stages];
        var time = new long[stages];
        var sitting = new bool[stages];
        for (int d = 0; d < n; d++)
        {
            int a = start[d], b = start[d + 1];
            if (a == b) continue;
            Array.Fill(firstEntry, long.MinValue);
            Array.Fill(time, 0);
            Array.Fill(sitting, false);
            // The highest stage reached after each row, scanning backwards: suffix maximum.
            int highest = status[d] == OpportunityStatus.Won ? stages : -1;
            for (int i = b - 1; i >= a; i--)
            {
                int s = st[i];
                long exit = i + 1 < b ? at[i + 1] : closed[d];
                if (exit == long.MaxValue) sitting[s] = true;
                else if (exit > at[i]) time[s] += exit - at[i];
                firstEntry[s] = at[i];  // ends on the earliest
                maxAfter[s] = highest; // ends on the value after the first entry
                highest = Math.Max(highest, s);
            }
            for (int s = 0; s < stages; s++)
            {
                if (firstEntry[s] == long.MinValue || firstEntry[s] < from || firstEntry[s] >= toEnd) continue;
                var outcome = maxAfter[s] > s ? StageOutcome.Advanced : status[d] == OpportunityStatus.Lost ? StageOutcome.Lost : StageOutcome.Still;
                counts[s, (int)outcome]++;
                deals3[s, (int)outcome].Add(d);
                if (!sitting[s]) durations[s].Add(time[s]);
            }
        }

        var result = new List<StageFunnelRow>(stages);
        var drill = new int[stages][][];
        for (int s = 0; s < stages; s++)
        {
            long adv = counts[s, 0], lost = counts[s, 1], still = counts[s, 2], entered = adv + lost + still;
            var sorted = durations[s].ToArray();
            Array.Sort(sorted);
            result.Add(new StageFunnelRow(query.Stages[s], entered, adv, lost, still,
                entered > 0 ? Money.ToDecimal(adv, entered) : null, PercentileDays(sorted, 1, 2), PercentileDays(sorted, 3, 4)));
            drill[s] = new int[3][];
            for (int o = 0; o < 3; o++) drill[s][o] = [.. deals3[s, o]];
        }
        return new StageFunnel(result, drill, c.Id);
    }

    /// <summary>percentile_cont(num/den) of sorted tick counts, in days: position p(n-1), linear between neighbours.</summary>
    internal static decimal? PercentileDays(long[] sorted, int num, int den)
    {
        if (sorted.Length == 0) return null;
        long pos = (long)num * (sorted.Length - 1); // position = pos / den
        long lo = pos / den, frac = pos % den;
        BigInteger value = (BigInteger)sorted[lo] * den;
        if (frac > 0) value += (BigInteger)(sorted[lo + 1] - sorted[lo]) * frac;
        return Money.ToDecimal(value, (BigInteger)den * TimeSpan.TicksPerDay);
    }

    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
}
