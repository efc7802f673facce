using System.Diagnostics;
using System.Globalization;
using System.Text;
using RevLoop.Metrics;

// Generates a seeded CSV of N customers (~3 periods each over 2020-01..2024-12) if the file does not exist,
// then runs `metrics mrr` through MetricsCommandRunner and reports wall time and peak working set.
int customers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
string path = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), $"revloop-periods-{customers}.csv");
string verb = args.Length > 2 ? args[2] : "mrr";

if (verb == "funnel")
{
    // In memory: N deals with ~5 stage-history rows each over 5 open stages (the issue 5 target: 1M deals, 5M rows).
    var rnd = new Random(42);
    string[] stages = ["discovery", "qualification", "proposal", "negotiation", "contract"];
    var deals = new List<FunnelDeal>(customers);
    var history = new List<StageChange>(customers * 5);
    var origin = new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    for (int i = 0; i < customers; i++)
    {
        string id = "opp" + i.ToString(CultureInfo.InvariantCulture);
        var t = origin.AddHours(rnd.Next(24 * 1400));
        int stage = 0;
        for (int k = 0; k < 5; k++)
        {
            history.Add(new StageChange(id, stages[stage], t));
            t = t.AddHours(1 + rnd.Next(24 * 30));
            stage = Math.Clamp(stage + (rnd.Next(5) == 0 ? -1 : 1), 0, stages.Length - 1);
        }
        var status = (OpportunityStatus)rnd.Next(3);
        deals.Add(new FunnelDeal(id, status, status == OpportunityStatus.Open ? null : t));
    }
    for (int rep = 0; rep < 3; rep++)
    {
        var t0 = Stopwatch.StartNew();
        var c0 = Process.GetCurrentProcess().TotalProcessorTime;
        var f = StageFunnelEngine.Compute(deals, history, new FunnelQuery(stages, new DateOnly(2023, 1, 1), new DateOnly(2024, 12, 31)), new List<RowError>());
        Console.WriteLine($"funnel over {deals.Count:N0} deals / {history.Count:N0} history rows: {t0.Elapsed.TotalMilliseconds:F0} ms "
                          + $"(CPU {(Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds:F0} ms); "
                          + string.Join(", ", f.Rows.Select(r => $"{r.Stage} {r.Entered}/{r.Conversion:0.0000}/{r.MedianDays:0.00}d")));
    }
    return;
}

if (!File.Exists(path))
{
    var gen = Stopwatch.StartNew();
    Generate(path, customers);
    Console.Error.WriteLine($"generated {path} ({new FileInfo(path).Length / 1e6:F0} MB) in {gen.Elapsed.TotalSeconds:F1} s");
}

if (verb == "phases")
{
    for (int rep = 0; rep < 3; rep++)
    {
        var t0 = Stopwatch.StartNew();
        var c0 = Process.GetCurrentProcess().TotalProcessorTime;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var errs = new List<RowError>();
        var table = PeriodCsvReader.Read(fs, errs);
        var parse = t0.Elapsed.TotalMilliseconds;
        var cParse = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds;
        var res = MetricsEngine.Compute(table, new MetricsQuery { From = new YearMonth(2020, 1), To = new YearMonth(2024, 12), ComputeCohorts = false });
        var compute = t0.Elapsed.TotalMilliseconds - parse;
        var cCompute = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds - cParse;
        var res2 = MetricsEngine.Compute(table, new MetricsQuery { From = new YearMonth(2020, 1), To = new YearMonth(2024, 12), ComputeCohorts = true });
        var cohorts = t0.Elapsed.TotalMilliseconds - parse - compute;
        var cCohorts = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds - cParse - cCompute;
        Console.WriteLine($"rows {table.Count}, customers {table.Customers.Count}: parse {parse:F0} ms, compute {compute:F0} ms, compute+cohorts {cohorts:F0} ms"
                          + $" (CPU: {cParse:F0} / {cCompute:F0} / {cCohorts:F0} ms)");
    }
    return;
}

var sw = Stopwatch.StartNew();
using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
{
    var stdout = new StringWriter();
    var runner = new MetricsCommandRunner();
    int code = verb switch
    {
        "saas" => runner.RunSaas(input, null, new SaasOptions { From = "2020-01", To = "2024-12" }, stdout, Console.Error),
        "retention" => runner.RunRetention(input, new RetentionOptions { From = "2020-01", To = "2024-12" }, stdout, Console.Error),
        _ => runner.RunMrr(input, new MrrOptions { From = "2020-01", To = "2024-12" }, stdout, Console.Error),
    };
    sw.Stop();
    string text = stdout.ToString();
    Console.WriteLine(string.Join('\n', text.Split('\n').Take(3)));
    Console.WriteLine("...");
    Console.WriteLine(string.Join('\n', text.Split('\n').TakeLast(3)));
    var self = Process.GetCurrentProcess();
    Console.WriteLine($"exit {code}; {verb}: {sw.Elapsed.TotalMilliseconds:F0} ms; CPU (process, incl. start-up) {self.TotalProcessorTime.TotalMilliseconds:F0} ms; "
                      + $"peak working set {self.PeakWorkingSet64 / 1048576.0:F0} MiB");
}

static void Generate(string path, int customers)
{
    var rnd = new Random(12345);
    using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
    w.Write("customer_id,subscription_id,start,end,amount,currency,interval,interval_count,quantity\n");
    var first = new DateOnly(2020, 1, 1);
    string[] prices = ["29.00", "49.00", "99.00", "18.29", "199.00", "9.99"];
    var sb = new StringBuilder();
    for (int c = 0; c < customers; c++)
    {
        var day = first.AddDays(rnd.Next(0, 1700));
        int periods = rnd.Next(1, 6); // mean 3
        for (int p = 0; p < periods; p++)
        {
            var len = rnd.Next(20, 500);
            var end = day.AddDays(len);
            bool last = p == periods - 1;
            string interval = rnd.Next(10) switch { < 7 => "month", < 9 => "year", _ => "quarter" };
            sb.Clear();
            sb.Append("cus_").Append(c).Append(",sub_").Append(c).Append('_').Append(p).Append(',')
              .Append(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',');
            if (!last || rnd.Next(3) == 0) sb.Append(end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            sb.Append(',').Append(prices[rnd.Next(prices.Length)]).Append(",USD,").Append(interval).Append(",1,")
              .Append(rnd.Next(1, 4)).Append('\n');
            w.Write(sb);
            day = rnd.Next(5) == 0 ? end.AddDays(rnd.Next(1, 90)) : end; // gap = churn then reactivation
        }
    }
}
