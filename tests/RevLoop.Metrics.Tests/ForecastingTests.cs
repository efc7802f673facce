namespace RevLoop.Metrics.Tests;

public class FiscalPeriodTests
{
    [Fact]
    public void Fiscal_year_is_named_after_the_year_it_ends_in()
    {
        var q = FiscalPeriod.Containing(new DateOnly(2026, 11, 23), FiscalPeriodKind.Quarter, 2);
        Assert.Equal("FY2027-Q4", q.Label);
        Assert.Equal((new DateOnly(2026, 11, 1), new DateOnly(2027, 2, 1)), (q.Start, q.End));
        Assert.Equal("FY2026-Q4", FiscalPeriod.Containing(new DateOnly(2026, 11, 23), FiscalPeriodKind.Quarter, 1).Label);
        Assert.Equal("FY2027-M01", FiscalPeriod.Containing(new DateOnly(2026, 2, 1), FiscalPeriodKind.Month, 2).Label);
        Assert.Equal("FY2026-M12", FiscalPeriod.Containing(new DateOnly(2026, 1, 31), FiscalPeriodKind.Month, 2).Label);
        var y = FiscalPeriod.Parse("fy2027", 7);
        Assert.Equal((new DateOnly(2026, 7, 1), new DateOnly(2027, 7, 1), 365), (y.Start, y.End, y.Days));
    }

    [Fact]
    public void Parse_round_trips_and_refuses_nonsense()
    {
        foreach (var label in new[] { "FY2027", "FY2027-Q1", "FY2027-Q4", "FY2027-M01", "FY2027-M12" })
            Assert.Equal(label, FiscalPeriod.Parse(label, 4).Label);
        foreach (var bad in new[] { "", "2027", "FY27", "FY2027-Q5", "FY2027-Q0", "FY2027-M13", "FY2027-X1", "FY2027Q1" })
            Assert.False(FiscalPeriod.TryParse(bad, 1, out _), bad);
        Assert.Equal("FY2026-Q4", FiscalPeriod.Parse("FY2027-Q1", 1).Previous.Label);
        Assert.Equal("FY2027-Q1 FY2026-M12 FY2026-M02 FY2028 FY2027-Q3", string.Join(" ", FiscalPeriod.Parse("FY2026-Q4", 1).Next.Label, FiscalPeriod.Parse("FY2026-M11", 4).Next.Label,
            FiscalPeriod.Parse("FY2026-M01", 4).Next.Label, FiscalPeriod.Parse("FY2027", 1).Next.Label, FiscalPeriod.Parse("FY2027-Q2", 2).Next.Label));
        Assert.Equal("FY2026-Q1", FiscalPeriod.Parse("FY2027-Q1", 1).PriorYear.Label);
    }

    [Fact]
    public void Elapsed_fraction_counts_whole_days_including_as_of()
    {
        var q = FiscalPeriod.Parse("FY2026-Q1", 1); // 2026-01-01 .. 2026-03-31, 90 days
        Assert.Equal(0m, q.ElapsedFraction(new DateOnly(2025, 12, 31)));
        Assert.Equal(1m / 90, q.ElapsedFraction(new DateOnly(2026, 1, 1)));
        Assert.Equal(45m / 90, q.ElapsedFraction(new DateOnly(2026, 2, 14)));
        Assert.Equal(1m, q.ElapsedFraction(new DateOnly(2026, 3, 31)));
        Assert.Equal(1m, q.ElapsedFraction(new DateOnly(2026, 6, 1)));
    }
}

public class ApmTests
{
    private static readonly FiscalPeriod Q1 = FiscalPeriod.Parse("FY2026-Q1", 1);
    private static readonly DateOnly HalfWay = new(2026, 2, 14); // 45 of 90 days

    [Fact]
    public void Cells_amounts_targets_pace_colours_and_year_over_year()
    {
        ApmFact F(string v, ApmFactKind k, decimal a, bool prior = false) => new(v, k, prior, a);
        var facts = new[]
        {
            // EMEA: won 400 (last year by now 320, whole Q1 last year 900), open 1,500 of which commit 200, created 1,000 (last year 800).
            F("EMEA", ApmFactKind.Won, 250), F("EMEA", ApmFactKind.Won, 150), F("EMEA", ApmFactKind.Won, 320, true), F("EMEA", ApmFactKind.WonWholePeriod, 900, true),
            F("EMEA", ApmFactKind.Open, 1500), F("EMEA", ApmFactKind.OpenCommit, 200), F("EMEA", ApmFactKind.Created, 1000), F("EMEA", ApmFactKind.Created, 800, true),
            // NA: won 100, open 300, nothing last year.
            F("NA", ApmFactKind.Won, 100), F("NA", ApmFactKind.Open, 300),
        };
        var targets = new Dictionary<string, ApmTargets> { ["EMEA"] = new(1000m, 2400m), ["NA"] = new(500m, null), ["APAC"] = new(200m, null) };
        var m = Apm.Compute(facts, targets, Q1, HalfWay, ApmThresholds.Default);

        Assert.Equal(0.5m, m.Elapsed);
        Assert.Equal(["APAC", "EMEA", "NA"], m.Rows.Select(r => r.Value));
        var emea = m.Rows[1];
        // Forecast 400 + 200 = 600 of 1,000 = 60 % against 100 % expected: pace 0.6 < 0.8, red; YoY vs last year's final 900.
        Assert.Equal(new ApmCell(600m, 1000m, 0.6m, (600m - 900m) / 900m, 1m, RagStatus.Red), emea.Forecast);
        // Closed 400 of 1,000 = 40 % against 50 % elapsed: pace 0.8, yellow (not below 0.8, below 0.95); YoY 400/320 - 1 = 0.25.
        Assert.Equal(new ApmCell(400m, 1000m, 0.4m, 0.25m, 0.5m, RagStatus.Yellow), emea.Closed);
        // Open 1,500 against 3 x (1,000 - 400) = 1,800: 0.8333.., yellow; coverage 1,500 / 600 = 2.5x of 3x.
        Assert.Equal(new ApmCell(1500m, 1800m, 1500m / 1800m, null, 1m, RagStatus.Yellow), emea.OpenPipeline);
        Assert.Equal(new ApmCell(2.5m, 3m, 2.5m / 3m, null, 1m, RagStatus.Yellow), emea.Coverage);
        // Generation 1,000 of 2,400 = 41.67 % against 50 %: pace 0.8333, yellow; YoY 0.25.
        Assert.Equal(new ApmCell(1000m, 2400m, 1000m / 2400m, 0.25m, 0.5m, RagStatus.Yellow), emea.Generation);

        var na = m.Rows[2];
        // Closed 100 of 500 = 20 % vs 50 %: pace 0.4, red; no generation target: no colour; no prior year: no YoY.
        Assert.Equal(new ApmCell(100m, 500m, 0.2m, null, 0.5m, RagStatus.Red), na.Closed);
        Assert.Equal(new ApmCell(0m, null, null, null, 0.5m, RagStatus.None), na.Generation);
        Assert.Equal(new ApmCell(0.75m, 3m, 0.25m, null, 1m, RagStatus.Red), na.Coverage);

        // APAC has a target but no deals: a row of zeros, all red.
        Assert.Equal(new ApmCell(0m, 200m, 0m, null, 0.5m, RagStatus.Red), m.Rows[0].Closed);

        // Total: sums of amounts and of targets; closed 500 of 1,700, generation target only EMEA's.
        Assert.Equal(new ApmCell(500m, 1700m, 500m / 1700m, 500m / 320m - 1, 0.5m, RagStatus.Red), m.Total.Closed);
        Assert.Equal(new ApmCell(1000m, 2400m, 1000m / 2400m, 0.25m, 0.5m, RagStatus.Yellow), m.Total.Generation);
        Assert.Equal(new ApmCell(1800m, 3600m, 0.5m, null, 1m, RagStatus.Red), m.Total.OpenPipeline);
    }

    [Fact]
    public void A_target_already_met_is_green_and_coverage_is_none()
    {
        var m = Apm.Compute([new("EMEA", ApmFactKind.Won, false, 1200m), new("EMEA", ApmFactKind.Open, false, 50m)],
            new Dictionary<string, ApmTargets> { ["EMEA"] = new(1000m, null) }, Q1, HalfWay, ApmThresholds.Default);
        var r = m.Rows.Single();
        Assert.Equal(new ApmCell(1200m, 1000m, 1.2m, null, 0.5m, RagStatus.Green), r.Closed);
        Assert.Equal(new ApmCell(50m, 0m, null, null, 1m, RagStatus.Green), r.OpenPipeline);
        Assert.Equal(new ApmCell(null, 3m, null, null, 1m, RagStatus.Green), r.Coverage);
    }

    [Theory]
    [InlineData(0.39, 0.5, RagStatus.Red)]
    [InlineData(0.40, 0.5, RagStatus.Yellow)]
    [InlineData(0.474, 0.5, RagStatus.Yellow)]
    [InlineData(0.475, 0.5, RagStatus.Green)]
    [InlineData(0.10, 0, RagStatus.Green)]
    public void Status_compares_pace_with_the_thresholds(double pct, double expected, RagStatus status) =>
        Assert.Equal(status, Apm.Status((decimal)pct, (decimal)expected, ApmThresholds.Default));
}

public class ForecastRollupTests
{
    [Fact]
    public void Teams_roll_up_reps_and_child_teams_and_a_managers_adjustment_replaces_the_roll_up()
    {
        Guid Id(int n) => new($"00000000-0000-0000-0000-{n:000000000000}");
        var (sales, emea, dach, na) = (Id(1), Id(2), Id(3), Id(4));
        var teams = new[] { new ForecastTeam(sales, null), new ForecastTeam(emea, sales), new ForecastTeam(dach, emea), new ForecastTeam(na, sales) };
        var reps = new[]
        {
            new RepForecast(Id(11), emea, new CategoryAmounts(100, 50, 20, 10), new ForecastCall(160, 200, 300)),
            new RepForecast(Id(12), dach, new CategoryAmounts(10, 0, 5, 0), new ForecastCall(15, 20, 30)),
            new RepForecast(Id(13), dach, new CategoryAmounts(0, 40, 0, 0), null),
            new RepForecast(Id(14), na, new CategoryAmounts(1000, 0, 0, 0), new ForecastCall(1000, 1100, 1200)),
        };
        var adjusted = new Dictionary<Guid, ForecastCall> { [dach] = new(50, 60, 70) };
        var r = ForecastRollup.Compute(teams, reps, adjusted);

        Assert.Equal(new TeamForecast(dach, new CategoryAmounts(10, 40, 5, 0), new ForecastCall(15, 20, 30), new ForecastCall(50, 60, 70), 2, 1), r[dach]);
        Assert.Equal(new ForecastCall(50, 60, 70), r[dach].Call);
        // EMEA: its rep's 160 plus DACH's adjusted 50 (not DACH's rolled-up 15).
        Assert.Equal(new TeamForecast(emea, new CategoryAmounts(110, 90, 25, 10), new ForecastCall(210, 260, 370), null, 3, 2), r[emea]);
        Assert.Equal(new TeamForecast(sales, new CategoryAmounts(1110, 90, 25, 10), new ForecastCall(1210, 1360, 1570), null, 4, 3), r[sales]);
        Assert.Equal((0.9m, -0.1m), ForecastRollup.Score(90m, 100m));
    }
}
