namespace RevLoop.Metrics;

/// <summary>What one amount fed to the APM is: a deal's contribution to one of the matrix's columns.</summary>
public enum ApmFactKind
{
    /// <summary>Won, closed in the period (prior year: closed by the same point of the period a year earlier).</summary>
    Won,
    /// <summary>Prior year only: won and closed anywhere in that year's period (its final result).</summary>
    WonWholePeriod,
    /// <summary>Open, forecast category commit, closing in the period.</summary>
    OpenCommit,
    /// <summary>Open (any forecast category but omitted), closing in the period (prior year: as it stood on the same day a year earlier).</summary>
    Open,
    /// <summary>Created in the period up to the as-of day (prior year: up to the same day a year earlier).</summary>
    Created,
}

/// <summary>An amount in base currency for one dimension value; the caller may pre-aggregate (several deals in one fact).</summary>
public readonly record struct ApmFact(string Value, ApmFactKind Kind, bool PriorYear, decimal Amount);

/// <summary>Targets of one dimension value for the period: bookings (closed ACV) and pipeline generation.</summary>
/// <param name="PriorBookings">Last year's bookings target of the same period: for the coverage's year-over-year change.</param>
public sealed record ApmTargets(decimal? Bookings, decimal? Generation, decimal? PriorBookings = null);

/// <summary>
/// Colour thresholds. pace = (percent of target) / (percent expected by now); red below <see cref="RedBelow"/>, yellow
/// below <see cref="GreenFrom"/>, green from it. <see cref="CoverageTarget"/>: open pipeline wanted per unit of the
/// bookings still to close (3 = 3x coverage).
/// </summary>
public sealed record ApmThresholds(decimal RedBelow, decimal GreenFrom, decimal CoverageTarget)
{
    public static readonly ApmThresholds Default = new(0.8m, 0.95m, 3m);
}

public enum RagStatus { None, Red, Yellow, Green }

/// <summary>One cell: amount, target, amount/target, year-over-year change, the share of target expected by now, colour.</summary>
public sealed record ApmCell(decimal? Amount, decimal? Target, decimal? PercentOfTarget, decimal? YoyChange, decimal Expected, RagStatus Status);

public sealed record ApmRow(string Value, ApmCell Forecast, ApmCell Closed, ApmCell OpenPipeline, ApmCell Generation, ApmCell Coverage)
{
    public IEnumerable<(string Column, ApmCell Cell)> Cells =>
        [("forecast", Forecast), ("closed", Closed), ("open_pipeline", OpenPipeline), ("generation", Generation), ("coverage", Coverage)];
}

public sealed record ApmMatrix(FiscalPeriod Period, DateOnly AsOf, decimal Elapsed, IReadOnlyList<ApmRow> Rows, ApmRow Total);

/// <summary>
/// The accountability performance matrix (seed 003): per dimension value, forecast, closed business, open pipeline,
/// pipeline generation and coverage, each against its target, year over year, and coloured by pace.
/// Forecast = won + open commit closing in the period, target = bookings target, expected 100 %.
/// Closed business = won in the period, target = bookings, expected = the elapsed fraction of the period.
/// Open pipeline = open deals closing in the period, target = coverage target x (bookings target - won), expected 100 %.
/// Pipeline generation = created in the period, target = generation target, expected = elapsed fraction.
/// Coverage = open pipeline / (bookings target - won) (METRICS.md §5), target = the coverage target, expected 100 %.
/// Year over year: (this - last) / last, like for like (closed and generation up to the same day a year earlier;
/// forecast against last year's final closed business; open pipeline against last year's open pipeline as it stood on
/// the same day, closing in last year's period; coverage against last year's coverage that day, where last year's
/// period had a bookings target).
/// </summary>
public static class Apm
{
    public static ApmMatrix Compute(IEnumerable<ApmFact> facts, IReadOnlyDictionary<string, ApmTargets> targets, FiscalPeriod period, DateOnly asOf, ApmThresholds thresholds)
    {
        var sums = new Dictionary<string, decimal[]>(StringComparer.Ordinal);
        var total = new decimal[10];
        foreach (var f in facts)
        {
            if (!sums.TryGetValue(f.Value, out var s)) sums[f.Value] = s = new decimal[10];
            var slot = (int)f.Kind * 2 + (f.PriorYear ? 1 : 0);
            s[slot] += f.Amount;
            total[slot] += f.Amount;
        }
        foreach (var value in targets.Keys) if (!sums.ContainsKey(value)) sums[value] = new decimal[10];

        var elapsed = period.ElapsedFraction(asOf);
        var rows = sums.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => Row(kv.Key, kv.Value, targets.GetValueOrDefault(kv.Key), elapsed, thresholds)).ToList();
        var bookings = targets.Values.Where(t => t.Bookings is not null).Select(t => t.Bookings!.Value).ToList();
        var generation = targets.Values.Where(t => t.Generation is not null).Select(t => t.Generation!.Value).ToList();
        var priorBookings = targets.Values.Where(t => t.PriorBookings is not null).Select(t => t.PriorBookings!.Value).ToList();
        var totalTargets = new ApmTargets(bookings.Count > 0 ? bookings.Sum() : null, generation.Count > 0 ? generation.Sum() : null,
            priorBookings.Count > 0 ? priorBookings.Sum() : null);
        return new ApmMatrix(period, asOf, elapsed, rows, Row("(all)", total, totalTargets, elapsed, thresholds));
    }

    private static decimal Get(decimal[] s, ApmFactKind kind, bool prior) => s[(int)kind * 2 + (prior ? 1 : 0)];

    private static ApmRow Row(string value, decimal[] s, ApmTargets? t, decimal elapsed, ApmThresholds th)
    {
        var won = Get(s, ApmFactKind.Won, false);
        var forecast = won + Get(s, ApmFactKind.OpenCommit, false);
        var open = Get(s, ApmFactKind.Open, false);
        var created = Get(s, ApmFactKind.Created, false);
        var remaining = t?.Bookings is { } b ? Math.Max(b - won, 0m) : (decimal?)null;
        var coverage = remaining is > 0 ? open / remaining.Value : (decimal?)null;
        // Last year's coverage on the same day: its open pipeline then against its target less what was won by then.
        var priorRemaining = t?.PriorBookings is { } pb ? Math.Max(pb - Get(s, ApmFactKind.Won, true), 0m) : (decimal?)null;
        var priorCoverage = priorRemaining is > 0 ? Get(s, ApmFactKind.Open, true) / priorRemaining.Value : (decimal?)null;
        var coverageYoy = coverage is { } cNow && priorCoverage is { } cThen ? Yoy(cNow, cThen) : null;

        return new ApmRow(value,
            Cell(forecast, t?.Bookings, Yoy(forecast, Get(s, ApmFactKind.WonWholePeriod, true)), 1m, th),
            Cell(won, t?.Bookings, Yoy(won, Get(s, ApmFactKind.Won, true)), elapsed, th),
            remaining is null ? Cell(open, null, Yoy(open, Get(s, ApmFactKind.Open, true)), 1m, th) : Cell(open, th.CoverageTarget * remaining.Value, Yoy(open, Get(s, ApmFactKind.Open, true)), 1m, th),
            Cell(created, t?.Generation, Yoy(created, Get(s, ApmFactKind.Created, true)), elapsed, th),
            remaining is null ? Cell(coverage, null, coverageYoy, 1m, th) : Cell(coverage, th.CoverageTarget, coverageYoy, 1m, th, reached: remaining == 0));
    }

    private static decimal? Yoy(decimal now, decimal before) => before != 0 ? (now - before) / before : null;

    /// <summary>A cell's colour from its pace against the share of target expected by now; a target already met is green.</summary>
    private static ApmCell Cell(decimal? amount, decimal? target, decimal? yoy, decimal expected, ApmThresholds th, bool reached = false)
    {
        if (target is null) return new ApmCell(amount, null, null, yoy, expected, RagStatus.None);
        if (reached || target == 0) return new ApmCell(amount, target, null, yoy, expected, RagStatus.Green);
        var pct = amount is { } a ? a / target.Value : (decimal?)null;
        return new ApmCell(amount, target, pct, yoy, expected, Status(pct, expected, th));
    }

    public static RagStatus Status(decimal? percentOfTarget, decimal expected, ApmThresholds th)
    {
        if (percentOfTarget is not { } pct) return RagStatus.None;
        if (expected <= 0) return RagStatus.Green;
        var pace = pct / expected;
        return pace < th.RedBelow ? RagStatus.Red : pace < th.GreenFrom ? RagStatus.Yellow : RagStatus.Green;
    }
}
