namespace RevLoop.Metrics.Tests;

public class PipelineHistoryTests
{
    private static DateTime T(string s) => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly PipelineStage[] Stages =
    [
        new("q", "Qualify", OpportunityStatus.Open, 10), new("p", "Propose", OpportunityStatus.Open, 50),
        new("w", "Won", OpportunityStatus.Won, 100), new("l", "Lost", OpportunityStatus.Lost, 0),
    ];

    private static readonly DealRecord[] Deals =
    [
        new("A", T("2026-01-01T09:00"), "w", 100000, "USD", D("2026-03-10")),
        new("B", T("2026-01-05T09:00"), "p", 50000, "USD", D("2026-04-01")),
        new("C", T("2026-02-10T09:00"), "l", 30000, "USD", D("2026-05-01")),
        new("D", T("2026-03-05T09:00"), "q", 20000, "USD", D("2026-06-01")),
        new("E", T("2026-01-10T09:00"), "p", 70000, "USD", D("2026-05-15")), // imported: no history rows at all
        new("F", T("2026-01-20T09:00"), "q", 10000, "EUR", D("2026-05-01")), // no exchange rate
    ];

    private static DealFieldChange S(string id, string at, string? from, string to) => new(id, DealField.Stage, T(at), from, to);
    private static DealFieldChange A(string id, string at, string? from, string to) => new(id, DealField.Amount, T(at), from, to);
    private static DealFieldChange C(string id, string at, string? from, string to) => new(id, DealField.CloseDate, T(at), from, to);

    private static readonly DealFieldChange[] History =
    [
        S("A", "2026-01-01T09:00", null, "q"), A("A", "2026-01-01T09:00", null, "100000"), C("A", "2026-01-01T09:00", null, "2026-03-01"),
        S("A", "2026-02-01T10:00", "q", "p"), C("A", "2026-02-15T10:00", "2026-03-01", "2026-03-10"), S("A", "2026-03-10T10:00", "p", "w"),
        // B's rows arrive out of time order.
        S("B", "2026-03-05T10:00", "q", "p"), S("B", "2026-01-05T09:00", null, "q"), A("B", "2026-01-05T09:00", null, "80000"),
        C("B", "2026-01-05T09:00", null, "2026-04-15"), A("B", "2026-02-20T10:00", "80000", "50000"), C("B", "2026-02-20T10:00", "2026-04-15", "2026-04-01"),
        S("C", "2026-02-10T09:00", null, "q"), A("C", "2026-02-10T09:00", null, "30000"), C("C", "2026-02-10T09:00", null, "2026-05-01"),
        S("C", "2026-03-01T10:00", "q", "l"),
        S("D", "2026-03-05T09:00", null, "q"), A("D", "2026-03-05T09:00", null, "20000"), C("D", "2026-03-05T09:00", null, "2026-06-01"),
        S("X", "2026-01-01T09:00", null, "q"), // a deal outside the selection: ignored
    ];

    private static decimal? ToBase(string currency, long minor, DateOnly? close) => currency == "USD" ? minor / 100m : null;

    private static PipelineHistory Build()
    {
        var errors = new List<RowError>();
        var h = new PipelineHistory(Stages, Deals, History, errors);
        Assert.Empty(errors);
        return h;
    }

    [Fact]
    public void As_of_rebuilds_stage_amount_and_close_date_of_that_day()
    {
        var p = Build().AsOf(D("2026-02-15"), ToBase);
        // A moved to Propose on 02-01 and its close to 03-10 during 02-15; B still 800 in Qualify; C created 02-10; D not yet.
        Assert.Equal([new AsOfStageRow("q", "Qualify", 2, 1100m, 110m), new AsOfStageRow("p", "Propose", 2, 1700m, 850m)], p.Rows);
        Assert.Equal((4L, 2800m, 960m, 1L), (p.Count, p.Amount, p.Weighted, p.Unconverted));
        Assert.Equal("A Propose 100000 2026-03-10|B Qualify 80000 2026-04-15|C Qualify 30000 2026-05-01|E Propose 70000 2026-05-15|F Qualify 10000 2026-05-01",
            string.Join("|", p.Deals.Select(d => $"{d.OpportunityId} {d.Stage} {d.Amount} {d.CloseDate:yyyy-MM-dd}")));
        // The day before, A's close date is the old value of the 02-15 row.
        Assert.Equal(D("2026-03-01"), Build().AsOf(D("2026-02-14"), ToBase).Deals.Single(d => d.OpportunityId == "A").CloseDate);
        // Before anything existed: empty.
        Assert.Equal(0, Build().AsOf(D("2025-12-31"), ToBase).Count);
    }

    [Fact]
    public void Waterfall_buckets_reconcile_start_to_end()
    {
        var w = Build().Waterfall(D("2026-01-31"), D("2026-03-31"), ToBase);
        // Start A 1000 + B 800 + E 700; End B 500 + D 200 + E 700. F (EUR, no rate) is left out.
        Assert.Equal((3L, 2500m, 3L, 1400m, 1L), (w.StartCount, w.Start, w.EndCount, w.End, w.Unconverted));
        Assert.Equal("New 1 200|Advanced 1 500|PushedOut 0 0|PulledIn 1 500|Increased 0 0|Decreased 1 300|Won 1 1000|Lost 0 0",
            string.Join("|", w.Rows.Select(r => $"{r.Bucket} {r.Count} {r.Amount}")));
        Assert.Equal(w.End, w.Start + w.Row(WaterfallBucket.New).Amount + w.Row(WaterfallBucket.Increased).Amount - w.Row(WaterfallBucket.Decreased).Amount
            - w.Row(WaterfallBucket.Won).Amount - w.Row(WaterfallBucket.Lost).Amount);
        Assert.Equal(["D"], w.Deals(WaterfallBucket.New));
        Assert.Equal(["B"], w.Deals(WaterfallBucket.PulledIn));

        // From 02-28 B's amount and close had already changed; C was open then and is lost by 03-31.
        var late = Build().Waterfall(D("2026-02-28"), D("2026-03-31"), ToBase);
        Assert.Equal((4L, 2500m, 3L, 1400m), (late.StartCount, late.Start, late.EndCount, late.End));
        Assert.Equal("New 1 200|Advanced 1 500|PushedOut 0 0|PulledIn 0 0|Increased 0 0|Decreased 0 0|Won 1 1000|Lost 1 300",
            string.Join("|", late.Rows.Select(r => $"{r.Bucket} {r.Count} {r.Amount}")));
        Assert.Equal(["C"], late.Deals(WaterfallBucket.Lost));
        Assert.Throws<MetricsInputException>(() => Build().Waterfall(D("2026-03-01"), D("2026-02-01"), ToBase));
    }

    [Fact]
    public void A_bad_history_value_is_reported_with_its_row()
    {
        var errors = new List<RowError>();
        _ = new PipelineHistory(Stages, Deals, [A("A", "2026-01-01T09:00", null, "12.5"), C("B", "2026-01-01T09:00", null, "01/02/2026")], errors);
        Assert.Equal([new RowError(1, "Amount", "not a valid value"), new RowError(2, "CloseDate", "not a valid value")], errors);
    }

    [Fact]
    public void Risk_flags_of_the_open_deals()
    {
        var errors = new List<RowError>();
        // D's close date moves later twice.
        var h = new PipelineHistory(Stages, Deals, [.. History, C("D", "2026-03-10T10:00", "2026-06-01", "2026-07-01"), C("D", "2026-03-12T10:00", "2026-07-01", "2026-06-15"),
            C("D", "2026-03-14T10:00", "2026-06-15", "2026-08-01")], errors);
        Assert.Empty(errors);
        var p75 = new Dictionary<string, decimal> { ["q"] = 30m, ["p"] = 10m };
        var ids = Enumerable.Range(0, h.DealCount).Select(h.OpportunityId).ToList();
        DateTime? Activity(int d) => ids[d] == "B" ? T("2026-03-18T10:00") : null;
        var risks = h.Risks(T("2026-03-20T10:00"), p75, Activity, 14);
        // A and C are closed. B: Propose since 03-05 10:00 (15 days > 10), 800 -> 500, active 2 days ago. D: Qualify 15 days
        // 1 hour (< 30), pushed later twice (the move earlier does not count), no activity since its creation. E and F have no
        // history: in their stage and idle since creation (69 and 59 days).
        Assert.Equal("B Stalled, AmountDropped 15 0 80000 2 | D PushedOut, NoActivity 15.0417 2 20000 15.0417 | E Stalled, NoActivity 69.0417 0 70000 69.0417 | " +
            "F Stalled, NoActivity 59.0417 0 10000 59.0417",
            string.Join(" | ", risks.Select(r => $"{r.OpportunityId} {r.Flags} {Math.Round(r.DaysInStage, 4)} {r.Pushes} {r.PeakAmount} {Math.Round(r.DaysWithoutActivity, 4)}")));
        Assert.Equal(10m, risks[0].StageP75Days);
        // Without thresholds nothing is stalled; with a 100-day window nobody is idle.
        Assert.Equal("B AmountDropped | D PushedOut", string.Join(" | ", h.Risks(T("2026-03-20T10:00"), new Dictionary<string, decimal>(), Activity, 100).Select(r => $"{r.OpportunityId} {r.Flags}")));
    }
}
