namespace RevLoop.Metrics.Tests;

public class StageFunnelTests
{
    private static readonly string[] Stages = ["discovery", "proposal", "negotiation"];
    private static DateTime D(string s) => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private static readonly FunnelDeal[] Deals =
    [
        new("d1", OpportunityStatus.Won, D("2024-01-20")),
        new("d2", OpportunityStatus.Lost, D("2024-01-15")),
        new("d3", OpportunityStatus.Open, null),
        new("d4", OpportunityStatus.Open, null),
        new("d5", OpportunityStatus.Lost, D("2024-01-30")),
        new("d6", OpportunityStatus.Won, D("2024-02-10")),
        new("d7", OpportunityStatus.Open, null),
    ];

    private static readonly StageChange[] History =
    [
        new("d1", "discovery", D("2024-01-01")), new("d1", "proposal", D("2024-01-05")), new("d1", "negotiation", D("2024-01-10")),
        new("d2", "proposal", D("2024-01-06")), new("d2", "discovery", D("2024-01-02")),                       // out of order on input
        new("d3", "discovery", D("2024-01-03")),
        new("d4", "discovery", D("2024-01-04")), new("d4", "negotiation", D("2024-01-08")),                    // skips proposal
        new("d5", "discovery", D("2024-01-05")), new("d5", "proposal", D("2024-01-07")), new("d5", "discovery", D("2024-01-09")), // goes back
        new("d6", "discovery", D("2023-12-20")), new("d6", "proposal", D("2024-01-10")), new("d6", "negotiation", D("2024-02-01")),
    ];

    [Fact]
    public void Hand_computed_funnel_with_skips_back_steps_and_cohorts_by_first_entry()
    {
        var errors = new List<RowError>();
        var f = StageFunnelEngine.Compute(Deals, History, new FunnelQuery(Stages, new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31)), errors);
        Assert.Empty(errors);
        // discovery: d1..d5 entered in January (d6 in December); d1, d2, d4 (skipping), d5 (reached proposal before going
        // back) advanced; d3 still there. Completed time: d1 4, d2 4, d4 4, d5 2 + 21 = 23 days (d3 still sitting).
        // median of 4, 4, 4, 23 = 4; p75 at position 2.25 = 4 + 0.25 x 19 = 8.75.
        Assert.Equal(new StageFunnelRow("discovery", 5, 4, 0, 1, 0.8m, 4m, 8.75m), f.Rows[0]);
        // proposal: d1, d2, d5, d6; d1 and d6 reached negotiation; d2 and d5 lost after it (d5 via discovery).
        // time: d1 5, d2 9, d5 2, d6 22 -> median (5 + 9) / 2 = 7, p75 9 + 0.25 x 13 = 12.25.
        Assert.Equal(new StageFunnelRow("proposal", 4, 2, 2, 0, 0.5m, 7m, 12.25m), f.Rows[1]);
        // negotiation: d1 (won: advanced, 10 days) and d4 (still); d6 entered in February, outside the cohort.
        Assert.Equal(new StageFunnelRow("negotiation", 2, 1, 0, 1, 0.5m, 10m, 10m), f.Rows[2]);
        Assert.Equal(["d2", "d5"], f.Deals("proposal", StageOutcome.Lost));
        Assert.Equal(["d1", "d2", "d4", "d5", "d3"], f.Entered("discovery"));
        Assert.Equal(["d3"], f.Deals("discovery", StageOutcome.Still));
    }

    [Fact]
    public void Empty_cohort_has_no_rates_and_errors_name_the_row()
    {
        var errors = new List<RowError>();
        var f = StageFunnelEngine.Compute(Deals, History, new FunnelQuery(Stages, new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 31)), errors);
        Assert.All(f.Rows, r => Assert.Equal((0L, (decimal?)null, (decimal?)null, (decimal?)null), (r.Entered, r.Conversion, r.MedianDays, r.P75Days)));

        StageFunnelEngine.Compute(
            [new("a", OpportunityStatus.Won, null), new("b", OpportunityStatus.Open, null), new("b", OpportunityStatus.Open, null)],
            [new("b", "demo", D("2024-01-01")), new("zz", "discovery", D("2024-01-01"))],
            new FunnelQuery(Stages, new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31)), errors);
        Assert.Equal(
            [
                new RowError(1, "closedAt", "missing for a closed deal"),
                new RowError(3, "opportunityId", "duplicate 'b'"),
                new RowError(1, "stage", "'demo' is not an open stage of the pipeline"),
                new RowError(2, "opportunityId", "unknown opportunity 'zz'"),
            ], errors);
        Assert.Throws<MetricsInputException>(() => StageFunnelEngine.Compute(Deals, History, new FunnelQuery(["a", "a"], new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 2)), errors));
    }

    [Theory]
    [InlineData(new long[] { 5 }, 5, 5)]
    [InlineData(new long[] { 1, 2, 3, 4 }, 2.5, 3.25)]
    [InlineData(new long[] { 1, 2, 3, 4, 100 }, 3, 4)]
    public void Percentiles_are_percentile_cont(long[] days, double median, double p75)
    {
        var ticks = days.Select(d => d * TimeSpan.TicksPerDay).ToArray();
        Assert.Equal(((decimal)median, (decimal)p75), (StageFunnelEngine.PercentileDays(ticks, 1, 2)!.Value, StageFunnelEngine.PercentileDays(ticks, 3, 4)!.Value));
        Assert.Null(StageFunnelEngine.PercentileDays([], 1, 2));
        // hours count: 12 h and 36 h -> median 1 day
        Assert.Equal(1m, StageFunnelEngine.PercentileDays([TimeSpan.TicksPerHour * 12, TimeSpan.TicksPerHour * 36], 1, 2));
    }

    [Fact]
    public void Generated_history_matches_a_straightforward_implementation()
    {
        var rnd = new Random(17);
        var origin = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var deals = new List<FunnelDeal>();
        var history = new List<StageChange>();
        for (int i = 0; i < 3000; i++)
        {
            string id = "o" + i;
            var t = origin.AddHours(rnd.Next(24 * 200));
            int steps = rnd.Next(0, 6);
            for (int k = 0; k < steps; k++)
            {
                history.Add(new StageChange(id, Stages[rnd.Next(Stages.Length)], t));
                t = t.AddHours(1 + rnd.Next(24 * 40));
            }
            var status = (OpportunityStatus)rnd.Next(3);
            deals.Add(new FunnelDeal(id, status, status == OpportunityStatus.Open ? null : t));
        }
        history = history.OrderBy(_ => rnd.Next()).ToList();
        var from = new DateOnly(2024, 2, 1);
        var to = new DateOnly(2024, 5, 31);
        var errors = new List<RowError>();
        var f = StageFunnelEngine.Compute(deals, history, new FunnelQuery(Stages, from, to), errors);
        Assert.Empty(errors);

        var byDeal = history.GroupBy(h => h.OpportunityId).ToDictionary(g => g.Key, g => g.OrderBy(h => h.EnteredAt).ToList());
        var deal = deals.ToDictionary(d => d.OpportunityId);
        for (int s = 0; s < Stages.Length; s++)
        {
            long entered = 0, adv = 0, lost = 0, still = 0;
            var times = new List<decimal>();
            foreach (var (id, rows) in byDeal)
            {
                int first = rows.FindIndex(r => r.Stage == Stages[s]);
                if (first < 0 || DateOnly.FromDateTime(rows[first].EnteredAt) < from || DateOnly.FromDateTime(rows[first].EnteredAt) > to) continue;
                entered++;
                bool advanced = rows.Skip(first + 1).Any(r => Array.IndexOf(Stages, r.Stage) > s) || deal[id].Status == OpportunityStatus.Won;
                if (advanced) adv++;
                else if (deal[id].Status == OpportunityStatus.Lost) lost++;
                else still++;
                if (rows[^1].Stage == Stages[s] && deal[id].Status == OpportunityStatus.Open) continue;
                decimal days = 0;
                for (int i = 0; i < rows.Count; i++)
                {
                    if (rows[i].Stage != Stages[s]) continue;
                    var exit = i + 1 < rows.Count ? rows[i + 1].EnteredAt : deal[id].ClosedAt!.Value;
                    days += (decimal)(exit - rows[i].EnteredAt).Ticks / TimeSpan.TicksPerDay;
                }
                times.Add(days);
            }
            times.Sort();
            decimal? Pct(decimal p)
            {
                if (times.Count == 0) return null;
                decimal pos = p * (times.Count - 1);
                int lo = (int)Math.Floor(pos);
                return lo + 1 < times.Count ? times[lo] + (times[lo + 1] - times[lo]) * (pos - lo) : times[lo];
            }
            var row = f.Rows[s];
            Assert.Equal((entered, adv, lost, still), (row.Entered, row.Advanced, row.Lost, row.Still));
            // the engine is exact; the reference divides in decimal, so compare at 12 decimals
            static decimal? R(decimal? v) => v is null ? null : Math.Round(v.Value, 12);
            Assert.Equal(R(entered > 0 ? (decimal)adv / entered : null), R(row.Conversion));
            Assert.Equal(R(Pct(0.5m)), R(row.MedianDays));
            Assert.Equal(R(Pct(0.75m)), R(row.P75Days));
            Assert.True(entered > 100);
        }
    }
}
