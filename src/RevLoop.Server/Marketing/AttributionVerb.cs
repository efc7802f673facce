using System.CommandLine;
using System.Text.Json;
using RevLoop.Platform;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

/// <summary>
/// `revloop attribution`: the report of GET /api/v1/attribution over the database (--database), built by the same code
/// (<see cref="Attribution"/>) and printed as csv (one row per campaign and model), json (the API's body) or a table.
/// The CLI sees every deal (no signed-in user). Not to be confused with `revloop metrics attribution`, which reads a paths CSV.
/// </summary>
public static class AttributionVerb
{
    public static Command Build()
    {
        var from = new Option<string?>("--from") { Description = "First day of the period, YYYY-MM-DD", Required = true };
        var to = new Option<string?>("--to") { Description = "Last day (inclusive), YYYY-MM-DD", Required = true };
        var basis = new Option<string?>("--basis") { Description = "pipeline (deals created in the period, default) or revenue (deals won in it)" };
        var model = new Option<string?>("--model") { Description = "One model (default: all): " + string.Join(", ", Metrics.TouchAttribution.ModelNames) };
        var lookback = new Option<string?>("--lookback-days") { Description = "Touches counted before a deal's creation, in days (default 365)" };
        var halfLife = new Option<string?>("--half-life-days") { Description = "Half-life of time decay, in days (default 7)" };
        var format = new Option<string>("--format") { Description = "csv, json or table", DefaultValueFactory = _ => "csv" };
        var cmd = new Command("attribution", "Pipeline or revenue of a period attributed to campaigns under each model, with cost, leads, MQLs, deals, unit costs and ROI (the API's report).")
            { from, to, basis, model, lookback, halfLife, format };
        cmd.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var f = pr.GetValue(format);
            if (f is not ("csv" or "json" or "table")) throw new InputException("--format", "must be csv, json or table");
            var request = new AttributionQuery(pr.GetValue(from), pr.GetValue(to), pr.GetValue(basis), pr.GetValue(model), pr.GetValue(lookback), pr.GetValue(halfLife)).Parse("--");
            var dto = await Attribution.ReportAsync(db, request, ct);
            var output = Console.Out;
            if (f == "json") { output.WriteLine(JsonSerializer.Serialize(dto, ApiJson.Options)); return 0; }
            var rows = Attribution.Rows(dto);
            if (f == "csv") foreach (var r in rows) output.WriteLine(string.Join(",", r.Select(CsvRecords.Quote)));
            else
            {
                var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
                foreach (var r in rows)
                    output.WriteLine(string.Join("  ", r.Select((v, i) => i < 2 ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))).TrimEnd());
            }
            return 0;
        }, ct));
        return cmd;
    }
}
