using System.CommandLine;
using RevLoop.Metrics;
using RevLoop.Platform;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

/// <summary>
/// `revloop metrics mrr|retention|saas`: from a subscriptions CSV (--subscriptions) or, without it, from the database;
/// `metrics sales` (issue 5) and `metrics attribution` (issue 6): from their CSV only; `metrics funnel|as-of|waterfall`
/// (issue 5): from the database's stage history (<see cref="PipelineVerbs"/>).
/// Exit code 2 for invalid rows (listed on stderr with their line) unless --skip-invalid.
/// </summary>
public static class MetricsVerb
{
    public static Command Build()
    {
        var cmd = new Command("metrics", "Compute SaaS metrics (METRICS.md) from a subscriptions CSV or the database, sales metrics from an opportunities CSV, attribution from a paths CSV, the stage funnel, as-of pipeline and waterfall from the database.");
        cmd.Subcommands.Add(Mrr());
        cmd.Subcommands.Add(Retention());
        cmd.Subcommands.Add(Saas());
        cmd.Subcommands.Add(Sales());
        cmd.Subcommands.Add(Attribution());
        cmd.Subcommands.Add(WinModelVerb.Build());
        foreach (var c in PipelineVerbs.Build()) cmd.Subcommands.Add(c);
        cmd.Subcommands.Add(ApmVerb.Build());
        return cmd;
    }

    private sealed record Common(Option<FileInfo?> Subscriptions, Option<string?> From, Option<string?> To, Option<string> Format,
        Option<string?> Currency, Option<FileInfo?> Rates, Option<bool> SkipInvalid, Option<int?> ReactivationWindow, Option<bool> Timings)
    {
        public static Common Create() => new(
            new Option<FileInfo?>("--subscriptions") { Description = "Subscription item periods CSV (METRICS.md §1); default: the periods stored in the database" },
            new Option<string?>("--from") { Description = "First month, YYYY-MM" },
            new Option<string?>("--to") { Description = "Last month (inclusive), YYYY-MM" },
            new Option<string>("--format") { Description = "csv, json or table", DefaultValueFactory = _ => "csv" },
            new Option<string?>("--currency") { Description = "Reporting currency (ISO 4217); adds the fx line" },
            new Option<FileInfo?>("--rates") { Description = "Rates CSV: date,currency,rate (units of the reporting currency per unit)" },
            new Option<bool>("--skip-invalid") { Description = "Skip invalid rows (still listed on stderr) instead of exiting with 2" },
            new Option<int?>("--reactivation-window") { Description = "Days after churn within which a return counts as reactivation (default: unlimited)" },
            new Option<bool>("--timings") { Description = "Print load_s= and compute_s= lines on stderr (benchmarks)" });

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Subscriptions, From, To, Format, Currency, Rates, SkipInvalid, ReactivationWindow, Timings }) c.Options.Add(o);
        }

        public T Fill<T>(ParseResult pr, T o) where T : MetricsOptions
        {
            o.From = pr.GetValue(From); o.To = pr.GetValue(To);
            o.Format = MetricsOptionValues.ParseFormat(pr.GetValue(Format)!);
            o.ReportingCurrency = pr.GetValue(Currency);
            o.SkipInvalid = pr.GetValue(SkipInvalid);
            o.ReportTimings = pr.GetValue(Timings);
            o.ReactivationWindowDays = pr.GetValue(ReactivationWindow);
            o.Color = UseColor();
            o.ShowProgress = !Console.IsErrorRedirected;
            return o;
        }
    }

    /// <summary>ANSI colours only when stdout is a terminal, NO_COLOR (https://no-color.org) is unset or empty and TERM is not "dumb".</summary>
    internal static bool UseColor() =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

    private static Command Mrr()
    {
        var c = Common.Create();
        var cmd = new Command("mrr", "Monthly MRR roll-forward: start, new, expansion, reactivation, contraction, churn, end and customer counts.");
        c.AddTo(cmd);
        cmd.SetAction((pr, ct) => Run(pr, c, ct, () => c.Fill(pr, new MrrOptions()),
            (runner, input, o) => runner.RunMrr(input, o, Console.Out, Console.Error),
            (result, o) => ReportWriter.WriteMrr(result, o.Format, Console.Out, o.Color), cohorts: false));
        return cmd;
    }

    private static Command Retention()
    {
        var c = Common.Create();
        var by = new Option<string>("--by") { Description = "mrr or customers", DefaultValueFactory = _ => "mrr" };
        var cmd = new Command("retention", "Cohort retention table (cohort = month of first MRR).") { by };
        c.AddTo(cmd);
        cmd.SetAction((pr, ct) => Run(pr, c, ct, () => { var o = c.Fill(pr, new RetentionOptions()); o.By = MetricsOptionValues.ParseRetentionBasis(pr.GetValue(by)!); return o; },
            (runner, input, o) => runner.RunRetention(input, o, Console.Out, Console.Error),
            (result, o) => ReportWriter.WriteRetention(result, o.By, o.Format, Console.Out, o.Color), cohorts: true));
        return cmd;
    }

    private static Command Saas()
    {
        var c = Common.Create();
        var costs = new Option<FileInfo?>("--costs") { Description = "Sales and marketing costs CSV: month,amount (for CAC)" };
        var churn = new Option<string>("--churn-rate") { Description = "default or stripe", DefaultValueFactory = _ => "default" };
        var ltv = new Option<string>("--ltv") { Description = "default or trailing-6m", DefaultValueFactory = _ => "default" };
        var margin = new Option<decimal>("--gross-margin") { Description = "Gross margin as a fraction (0.8)", DefaultValueFactory = _ => 1m };
        var quick = new Option<string>("--quick-ratio") { Description = "default or without-reactivation", DefaultValueFactory = _ => "default" };
        var cac = new Option<string>("--cac") { Description = "default or lagged (cost of the previous period)", DefaultValueFactory = _ => "default" };
        var cmd = new Command("saas", "Rates and derived metrics per month: churn, NRR, GRR, LTV, quick ratio, CAC, payback.") { costs, churn, ltv, margin, quick, cac };
        c.AddTo(cmd);
        SaasOptions Options(ParseResult pr)
        {
            var o = c.Fill(pr, new SaasOptions());
            o.ChurnRate = MetricsOptionValues.ParseChurnRate(pr.GetValue(churn)!);
            o.Ltv = MetricsOptionValues.ParseLtv(pr.GetValue(ltv)!);
            o.GrossMargin = pr.GetValue(margin);
            o.QuickRatio = MetricsOptionValues.ParseQuickRatio(pr.GetValue(quick)!);
            o.Cac = MetricsOptionValues.ParseCac(pr.GetValue(cac)!);
            return o;
        }
        cmd.SetAction((pr, ct) => Run(pr, c, ct, () => Options(pr),
            (runner, input, o) =>
            {
                using var costStream = pr.GetValue(costs) is { } f ? Open(f, "--costs") : null;
                return runner.RunSaas(input, costStream, o, Console.Out, Console.Error);
            },
            (result, o) =>
            {
                IReadOnlyList<MonthlyCost>? list = null;
                if (pr.GetValue(costs) is { } f) { using var s = Open(f, "--costs"); list = CostCsvReader.Read(s); }
                ReportWriter.WriteSaas(result, result.Saas(new SaasSettings(o.ChurnRate, o.Ltv, o.GrossMargin, o.QuickRatio, o.Cac), list), o.Format, Console.Out, o.Color);
            }, cohorts: true));
        return cmd;
    }

    private static Command Sales()
    {
        var file = new Option<FileInfo?>("--opportunities") { Description = "Opportunities CSV: opportunity_id,account_id,owner,product,region,segment,source,created,closed,status,amount,stage" };
        var from = new Option<string?>("--from") { Description = "First day, YYYY-MM-DD" };
        var to = new Option<string?>("--to") { Description = "Last day (inclusive), YYYY-MM-DD" };
        var groupBy = new Option<string?>("--group-by") { Description = "owner, product, region, segment or source" };
        var format = new Option<string>("--format") { Description = "csv, json or table", DefaultValueFactory = _ => "csv" };
        var timings = new Option<bool>("--timings") { Description = "Print load_s= and compute_s= lines on stderr (benchmarks)" };
        var cmd = new Command("sales", "Win rate, deal size, sales cycle, pipeline created and open pipeline (METRICS.md §5) from an opportunities CSV.")
            { file, from, to, groupBy, format, timings };
        cmd.SetAction(pr => FromFile(() =>
        {
            var o = new SalesOptions
            {
                From = pr.GetValue(from), To = pr.GetValue(to), GroupBy = pr.GetValue(groupBy),
                Format = MetricsOptionValues.ParseFormat(pr.GetValue(format)!), Color = UseColor(), ReportTimings = pr.GetValue(timings),
            };
            using var input = Open(pr.GetValue(file) ?? throw new InputException("--opportunities", "required: the opportunities CSV"), "--opportunities");
            return new MetricsCommandRunner().RunSales(input, o, Console.Out, Console.Error);
        }));
        return cmd;
    }

    private static Command Attribution()
    {
        var file = new Option<FileInfo?>("--paths") { Description = "Paths CSV: path,total_conversions,total_conversion_value,total_null (path = channels joined by ' > ')" };
        var model = new Option<string?>("--model") { Description = "first, last, linear, u_shaped or markov" };
        var format = new Option<string>("--format") { Description = "csv, json or table", DefaultValueFactory = _ => "csv" };
        var timings = new Option<bool>("--timings") { Description = "Print load_s= and compute_s= lines on stderr (benchmarks)" };
        var cmd = new Command("attribution", "Conversions and value per channel under one attribution model, from a conversion paths CSV.")
            { file, model, format, timings };
        cmd.SetAction(pr => FromFile(() =>
        {
            var o = new AttributionOptions
            {
                Model = pr.GetValue(model), Format = MetricsOptionValues.ParseFormat(pr.GetValue(format)!),
                Color = UseColor(), ReportTimings = pr.GetValue(timings),
            };
            using var input = Open(pr.GetValue(file) ?? throw new InputException("--paths", "required: the paths CSV"), "--paths");
            return new MetricsCommandRunner().RunAttribution(input, o, Console.Out, Console.Error);
        }));
        return cmd;
    }

    /// <summary>Runs a CSV-only verb: bad options or a missing file are exit code 2 like bad rows.</summary>
    private static int FromFile(Func<int> run)
    {
        try
        {
            return run();
        }
        catch (MetricsInputException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {e.Field}: {e.Reason}");
            return 2;
        }
    }

    private static async Task<int> Run<T>(ParseResult pr, Common c, CancellationToken ct, Func<T> options,
        Func<MetricsCommandRunner, Stream, T, int> fromCsv, Action<MetricsResult, T> fromDatabase, bool cohorts) where T : MetricsOptions
    {
        try
        {
            var o = options();
            using var rates = pr.GetValue(c.Rates) is { } r ? Open(r, "--rates") : null;
            o.Rates = rates;
            if (pr.GetValue(c.Subscriptions) is { } file)
            {
                using var input = Open(file, "--subscriptions");
                return fromCsv(new MetricsCommandRunner(), input, o);
            }
            return await RevLoopCli.WithServices(pr, ChangeSources.Cli, async (sp, db) =>
            {
                var query = MetricsCommandRunner.BuildQuery(o, cohorts);
                if (query.ReportingCurrency is { } cur && o.Rates is null)
                    query = new MetricsQuery { From = query.From, To = query.To, ReportingCurrency = cur, Rates = await StoredSubscriptions.RatesAsync(db, cur, ct), ReactivationWindowDays = query.ReactivationWindowDays, ComputeCohorts = cohorts };
                var result = MetricsEngine.Compute(StoredSubscriptions.Load(db), query);
                fromDatabase(result, o);
                return 0;
            }, ct);
        }
        catch (MetricsInputException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {e.Field}: {e.Reason}");
            return 2;
        }
    }

    private static FileStream Open(FileInfo f, string option) =>
        f.Exists ? new FileStream(f.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan)
            : throw new InputException(option, $"{f.FullName} does not exist");
}
