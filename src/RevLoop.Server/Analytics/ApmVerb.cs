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
        var cmd = new Command("apm", "Accountability performance matrix from the database: forecast, closed business, open pipeline, generation and coverage against target per dimension value.")
            { dimension, period, format, timings };
        cmd.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var f = pr.GetValue(format);
            if (f is not ("csv" or "json")) throw new InputException("--format", "must be csv or json");
            string dim;
            try { dim = ApmApi.Dimension(pr.GetValue(dimension)); }
            catch (InputException e) { throw new InputException("--dimension", e.Reason); }
            var clock = Stopwatch.StartNew();
            RevLoop.Metrics.ApmMatrix m;
            try { m = await ApmApi.ComputeAsync(db, dim, pr.GetValue(period), ct); }
            catch (InputException e) when (e.Field == "period") { throw new InputException("--period", e.Reason); }
            var elapsed = clock.Elapsed;
            var settings = await SettingsApi.LoadAsync(db, ct);
            var dto = ApmApi.Dto(m, dim, settings.BaseCurrency, ApmApi.Thresholds(settings));
            Console.Out.Write(f == "csv" ? ApmApi.Csv(dto) : JsonSerializer.Serialize(dto, ApiJson.Options) + "\n");
            if (pr.GetValue(timings)) Console.Error.WriteLine(FormattableString.Invariant($"compute_s={elapsed.TotalSeconds:0.000}"));
            return 0;
        }, ct));
        return cmd;
    }
}
