using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RevLoop.Platform;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

/// <summary>
/// `revloop metrics apm [--dimension product|region|segment|source] [--period FY2027-Q1] [--format csv|json] [--timings]`:
/// the accountability performance matrix from the database, the same numbers and CSV as the API's ?format=csv.
/// </summary>
public static class ApmVerb
{
    public static Command Build()
    {
        var dimension = new Option<string>("--dimension") { Description = "product, region, segment or source", DefaultValueFactory = _ => "product" };
        var period = new Option<string?>("--period") { Description = "Fiscal period: FY2027, FY2027-Q1 or FY2027-M01 (default: the current quarter)" };
        var format = new Option<string>("--format") { Description = "csv or json", DefaultValueFactory = _ => "csv" };
        var timings = new Option<bool>("--timings") { Description = "Print compute_s= on stderr (benchmarks)" };
        var repeat = new Option<int>("--repeat") { Description = "Compute this many times (benchmarks: the first run pays for opening the database and compiling the queries)", DefaultValueFactory = _ => 1 };
        var cmd = new Command("apm", "Accountability performance matrix from the database: forecast, closed business, open pipeline, generation and coverage against target per dimension value.")
            { dimension, period, format, timings, repeat };
        cmd.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var f = pr.GetValue(format);
            if (f is not ("csv" or "json")) throw new InputException("--format", "must be csv or json");
            string dim;
            try { dim = ApmApi.Dimension(pr.GetValue(dimension)); }
            catch (InputException e) { throw new InputException("--dimension", e.Reason); }
            if (pr.GetValue(repeat) is < 1 or > 100) throw new InputException("--repeat", "must be between 1 and 100");
            RevLoop.Metrics.ApmMatrix m = default!;
            var runs = new List<double>();
            for (var i = 0; i < pr.GetValue(repeat); i++)
            {
                var clock = Stopwatch.StartNew();
                try { m = await ApmApi.ComputeAsync(db, dim, pr.GetValue(period), ct); }
                catch (InputException e) when (e.Field == "period") { throw new InputException("--period", e.Reason); }
                runs.Add(clock.Elapsed.TotalSeconds);
            }
            var settings = await SettingsApi.LoadAsync(db, ct);
            var dto = ApmApi.Dto(m, dim, settings.BaseCurrency, ApmApi.Thresholds(settings));
            Console.Out.Write(f == "csv" ? ApmApi.Csv(dto) : JsonSerializer.Serialize(dto, ApiJson.Options) + "\n");
            if (pr.GetValue(timings))
            {
                // First run cold; the rest warm (median), as a long-running server answers.
                var warm = runs.Skip(1).Order().ToList();
                Console.Error.WriteLine(FormattableString.Invariant($"compute_s={runs[0]:0.000}"));
                if (warm.Count > 0) Console.Error.WriteLine(FormattableString.Invariant($"warm_median_s={warm[warm.Count / 2]:0.000} warm_max_s={warm[^1]:0.000}"));
            }
            return 0;
        }, ct));
        return cmd;
    }
}
