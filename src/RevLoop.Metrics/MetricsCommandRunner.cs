using System.Globalization;

namespace RevLoop.Metrics;

/// <summary>
/// Options shared by the `metrics` verbs. CLI option names (for the server project to wire):
/// --from YYYY-MM, --to YYYY-MM, --format csv|json|table, --currency CODE (reporting currency),
/// --rates FILE (CSV date,currency,rate), --skip-invalid, --reactivation-window DAYS.
/// </summary>
public class MetricsOptions
{
    /// <summary>First month, YYYY-MM (default: first month with MRR).</summary>
    public string? From { get; set; }
    /// <summary>Last month inclusive, YYYY-MM (default: latest month in which a row starts or ends).</summary>
    public string? To { get; set; }
    public OutputFormat Format { get; set; } = OutputFormat.Csv;
    /// <summary>Reporting currency; when set, the mrr CSV gets a trailing `fx` column.</summary>
    public string? ReportingCurrency { get; set; }
    /// <summary>Rates CSV (date,currency,rate = units of reporting currency per unit).</summary>
    public Stream? Rates { get; set; }
    /// <summary>Skip invalid rows (still listed on stderr) instead of failing with exit code 2.</summary>
    public bool SkipInvalid { get; set; }
    /// <summary>Days after churn within which a return is a reactivation; later returns count as new. Null = unlimited.</summary>
    public int? ReactivationWindowDays { get; set; }
    /// <summary>
    /// ANSI colours in the table format. The CLI sets it only when stdout is a terminal and NO_COLOR is not set, so
    /// redirected output never contains escape codes; CSV and JSON are never coloured.
    /// </summary>
    public bool Color { get; set; }
    /// <summary>
    /// Progress of a long CSV parse on stderr (a line rewritten in place every <see cref="PeriodCsvReader.ProgressInterval"/>
    /// rows and erased when parsing ends). The CLI sets it only when stderr is a terminal.
    /// </summary>
    public bool ShowProgress { get; set; }
    /// <summary>Write `load_s=` (CSV parse) and `compute_s=` (engine) lines to stderr, for benchmarks (--timings).</summary>
    public bool ReportTimings { get; set; }
    /// <summary>Rows between two progress lines (tests use small values).</summary>
    internal int ProgressEvery { get; set; } = PeriodCsvReader.ProgressInterval;
}

/// <summary>`metrics mrr`: the monthly MRR roll-forward.</summary>
public sealed class MrrOptions : MetricsOptions;

/// <summary>`metrics retention`: cohort table. --by mrr|customers.</summary>
public sealed class RetentionOptions : MetricsOptions
{
    public RetentionBasis By { get; set; } = RetentionBasis.Mrr;
}

/// <summary>
/// `metrics saas`: rates per month. --churn-rate default|stripe, --ltv default|trailing-6m,
/// --gross-margin 0.8, --quick-ratio default|without-reactivation, --cac default|lagged, --costs FILE (month,amount).
/// </summary>
public sealed class SaasOptions : MetricsOptions
{
    public ChurnRateVariant ChurnRate { get; set; }
    public LtvVariant Ltv { get; set; }
    public decimal GrossMargin { get; set; } = 1m;
    public QuickRatioVariant QuickRatio { get; set; }
    public CacVariant Cac { get; set; }
}

/// <summary>`metrics sales` (issue 5): --from/--to YYYY-MM-DD (both required, inclusive), --group-by owner|product|region|segment|source.</summary>
public sealed class SalesOptions
{
    public string? From { get; set; }
    public string? To { get; set; }
    /// <summary>Null or empty = only the `(all)` row.</summary>
    public string? GroupBy { get; set; }
    public OutputFormat Format { get; set; } = OutputFormat.Csv;
    /// <inheritdoc cref="MetricsOptions.Color"/>
    public bool Color { get; set; }
    /// <inheritdoc cref="MetricsOptions.ReportTimings"/>
    public bool ReportTimings { get; set; }
}

/// <summary>`metrics attribution` (issue 6): --model first|last|linear|u_shaped|markov (required).</summary>
public sealed class AttributionOptions
{
    public string? Model { get; set; }
    public OutputFormat Format { get; set; } = OutputFormat.Csv;
    /// <inheritdoc cref="MetricsOptions.Color"/>
    public bool Color { get; set; }
    /// <inheritdoc cref="MetricsOptions.ReportTimings"/>
    public bool ReportTimings { get; set; }
}

/// <summary>Parses the CLI spellings of the named options (case-insensitive).</summary>
public static class MetricsOptionValues
{
    public static readonly string[] Formats = ["csv", "json", "table"];
    public static readonly string[] ChurnRates = ["default", "stripe"];
    public static readonly string[] Ltvs = ["default", "trailing-6m"];
    public static readonly string[] QuickRatios = ["default", "without-reactivation"];
    public static readonly string[] Cacs = ["default", "lagged"];
    public static readonly string[] RetentionBases = ["mrr", "customers"];
    public static readonly string[] SalesGroups = ["owner", "product", "region", "segment", "source"];

    public static OutputFormat ParseFormat(string s) => Pick(s, Formats, "format") switch { 1 => OutputFormat.Json, 2 => OutputFormat.Table, _ => OutputFormat.Csv };
    public static ChurnRateVariant ParseChurnRate(string s) => Pick(s, ChurnRates, "churn-rate") == 1 ? ChurnRateVariant.Stripe : ChurnRateVariant.Default;
    public static LtvVariant ParseLtv(string s) => Pick(s, Ltvs, "ltv") == 1 ? LtvVariant.TrailingSixMonths : LtvVariant.Default;
    public static QuickRatioVariant ParseQuickRatio(string s) => Pick(s, QuickRatios, "quick-ratio") == 1 ? QuickRatioVariant.WithoutReactivation : QuickRatioVariant.Default;
    public static CacVariant ParseCac(string s) => Pick(s, Cacs, "cac") == 1 ? CacVariant.CostLaggedOnePeriod : CacVariant.Default;
    public static RetentionBasis ParseRetentionBasis(string s) => Pick(s, RetentionBases, "by") == 1 ? RetentionBasis.Customers : RetentionBasis.Mrr;

    public static SalesGroupBy ParseSalesGroupBy(string? s) =>
        string.IsNullOrWhiteSpace(s) ? SalesGroupBy.None : (SalesGroupBy)(Pick(s, SalesGroups, "group-by") + 1);

    private static int Pick(string s, string[] values, string name)
    {
        int i = Array.FindIndex(values, v => string.Equals(v, s?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (i < 0) throw new MetricsInputException($"invalid {name} '{s}', expected one of: {string.Join(", ", values)}");
        return i;
    }
}

/// <summary>
/// Entry point for the CLI verbs `metrics mrr|retention|saas` (no System.CommandLine here: the server wires options).
/// Exit codes: 0 success; 2 invalid rows (unless SkipInvalid) or unusable input/options. Invalid rows are written to
/// stderr as "line N: field: reason" (also when skipped).
/// </summary>
public sealed class MetricsCommandRunner
{
    public int RunMrr(Stream input, MrrOptions options, TextWriter stdout, TextWriter stderr) =>
        Run(input, options, stderr, cohorts: false, r => ReportWriter.WriteMrr(r, options.Format, stdout, options.Color));

    public int RunRetention(Stream input, RetentionOptions options, TextWriter stdout, TextWriter stderr) =>
        Run(input, options, stderr, cohorts: true, r => ReportWriter.WriteRetention(r, options.By, options.Format, stdout, options.Color));

    public int RunSaas(Stream input, Stream? costs, SaasOptions options, TextWriter stdout, TextWriter stderr)
    {
        IReadOnlyList<MonthlyCost>? costList = null;
        try
        {
            if (costs is not null) costList = CostCsvReader.Read(costs);
        }
        catch (MetricsInputException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return 2;
        }
        var settings = new SaasSettings(options.ChurnRate, options.Ltv, options.GrossMargin, options.QuickRatio, options.Cac);
        return Run(input, options, stderr, cohorts: true,
            r => ReportWriter.WriteSaas(r, r.Saas(settings, costList), options.Format, stdout, options.Color));
    }

    public int RunSales(Stream input, SalesOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var query = new SalesQuery(Day(options.From, "--from"), Day(options.To, "--to"), MetricsOptionValues.ParseSalesGroupBy(options.GroupBy));
            if (query.To < query.From) throw new MetricsInputException($"--to {options.To} is before --from {options.From}");
            var errors = new List<RowError>();
            var report = SalesCsvReader.Read(input, query, errors);
            if (Refused(errors, stderr)) return 2;
            var parsed = System.Diagnostics.Stopwatch.GetTimestamp();
            ReportWriter.WriteSales(report, options.Format, stdout, options.Color);
            // The sums are built while parsing, so compute_s is only the report's formatting.
            if (options.ReportTimings) Timings(stderr, started, parsed, System.Diagnostics.Stopwatch.GetTimestamp());
            return 0;
        }
        catch (MetricsInputException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return 2;
        }
    }

    public int RunAttribution(Stream input, AttributionOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (string.IsNullOrWhiteSpace(options.Model)) throw new MetricsInputException("--model is required: " + string.Join(", ", AttributionEngine.ModelNames));
            var model = AttributionEngine.ParseModel(options.Model);
            var errors = new List<RowError>();
            var paths = PathCsvReader.Read(input, errors);
            if (Refused(errors, stderr)) return 2;
            var parsed = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = AttributionEngine.Compute(paths, model);
            var computed = System.Diagnostics.Stopwatch.GetTimestamp();
            ReportWriter.WriteAttribution(result, options.Format, stdout, options.Color);
            if (options.ReportTimings) Timings(stderr, started, parsed, computed);
            return 0;
        }
        catch (MetricsInputException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return 2;
        }
    }

    /// <summary>Lists the invalid rows; true when there were any (nothing is printed on stdout then).</summary>
    private static bool Refused(List<RowError> errors, TextWriter stderr)
    {
        if (errors.Count == 0) return false;
        foreach (var e in errors) stderr.WriteLine(e.ToString());
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: {errors.Select(e => e.Line).Distinct().Count()} invalid row(s); nothing computed"));
        return true;
    }

    private static void Timings(TextWriter stderr, long started, long parsed, long computed)
    {
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load_s={System.Diagnostics.Stopwatch.GetElapsedTime(started, parsed).TotalSeconds:0.000}"));
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compute_s={System.Diagnostics.Stopwatch.GetElapsedTime(parsed, computed).TotalSeconds:0.000}"));
    }

    private static DateOnly Day(string? s, string option)
    {
        if (string.IsNullOrWhiteSpace(s)) throw new MetricsInputException($"{option} is required (YYYY-MM-DD)");
        return DateOnly.TryParseExact(s.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new MetricsInputException($"invalid {option} '{s}', expected YYYY-MM-DD");
    }

    private static int Run(Stream input, MetricsOptions options, TextWriter stderr, bool cohorts, Action<MetricsResult> write)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var query = BuildQuery(options, cohorts);
            var errors = new List<RowError>();
            PeriodTable table;
            if (options.ShowProgress)
            {
                long length = input.CanSeek ? input.Length : 0;
                bool shown = false;
                try
                {
                    table = PeriodCsvReader.Read(input, errors, 1 << 20, options.ProgressEvery, rows =>
                    {
                        shown = true;
                        string pct = length > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({Math.Min(99, input.Position * 100 / length)}%)") : "";
                        stderr.Write(string.Create(CultureInfo.InvariantCulture, $"\rreading subscriptions: {rows:N0} rows{pct}"));
                        stderr.Flush();
                    });
                }
                finally
                {
                    if (shown) { stderr.Write("\r\u001b[K"); stderr.Flush(); } // erase the progress line
                }
            }
            else
            {
                table = PeriodCsvReader.Read(input, errors);
            }
            if (errors.Count > 0)
            {
                foreach (var e in errors) stderr.WriteLine(e.ToString());
                if (!options.SkipInvalid)
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: {errors.Select(e => e.Line).Distinct().Count()} invalid row(s); fix them or use --skip-invalid"));
                    return 2;
                }
            }
            var parsed = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = MetricsEngine.Compute(table, query);
            var computed = System.Diagnostics.Stopwatch.GetTimestamp();
            write(result);
            if (options.ReportTimings)
            {
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load_s={System.Diagnostics.Stopwatch.GetElapsedTime(started, parsed).TotalSeconds:0.000}"));
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compute_s={System.Diagnostics.Stopwatch.GetElapsedTime(parsed, computed).TotalSeconds:0.000}"));
            }
            return 0;
        }
        catch (MetricsInputException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return 2;
        }
    }

    /// <summary>Turns options into an engine query (parses months, reads the rates stream).</summary>
    public static MetricsQuery BuildQuery(MetricsOptions options, bool cohorts)
    {
        YearMonth? from = null, to = null;
        if (!string.IsNullOrWhiteSpace(options.From))
            from = YearMonth.TryParse(options.From.Trim(), out var f) ? f : throw new MetricsInputException($"invalid --from '{options.From}', expected YYYY-MM");
        if (!string.IsNullOrWhiteSpace(options.To))
            to = YearMonth.TryParse(options.To.Trim(), out var t) ? t : throw new MetricsInputException($"invalid --to '{options.To}', expected YYYY-MM");
        if (from is { } a && to is { } b && b < a) throw new MetricsInputException($"--to {b} is before --from {a}");
        if (options.Rates is not null && string.IsNullOrWhiteSpace(options.ReportingCurrency))
            throw new MetricsInputException("--rates needs --currency (the reporting currency)");
        if (options is SaasOptions { GrossMargin: < 0 or > 1 } so)
            throw new MetricsInputException($"--gross-margin {so.GrossMargin} must be between 0 and 1");
        FxRateTable? rates = null;
        string? currency = string.IsNullOrWhiteSpace(options.ReportingCurrency) ? null : options.ReportingCurrency.Trim().ToUpperInvariant();
        if (currency is not null)
            rates = options.Rates is null ? FxRateTable.Empty(currency) : FxRateTable.Read(options.Rates, currency);
        return new MetricsQuery
        {
            From = from,
            To = to,
            ReportingCurrency = currency,
            Rates = rates,
            ReactivationWindowDays = options.ReactivationWindowDays,
            ComputeCohorts = cohorts,
        };
    }
}
