using System.CommandLine;
using System.Text.Json;
using RevLoop.Platform;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

/// <summary>
/// `revloop marketing funnel`: the API's funnel report (<see cref="MarketingFunnel"/>) from the command line, printed as
/// csv, json (the API's body) or a table. The CLI sees every lead (no signed-in user).
/// </summary>
public static class MarketingVerb
{
    public static Command Build() => new("marketing", "Marketing reports over the database.") { Funnel() };

    private static Command Funnel()
    {
        var from = new Option<string?>("--from") { Description = "First day of the window (leads created from), YYYY-MM-DD", Required = true };
        var to = new Option<string?>("--to") { Description = "Last day (inclusive), YYYY-MM-DD", Required = true };
        var period = new Option<string?>("--period") { Description = "month (default) or quarter" };
        var groupBy = new Option<string?>("--group-by") { Description = "channel, campaign, region, team or rep" };
        var format = new Option<string>("--format") { Description = "csv, json or table", DefaultValueFactory = _ => "csv" };
        var cmd = new Command("funnel", "Leads by period of entry and how far they got: MQL, SQL, opportunity, won; conversion rates and median days.")
        {
            from, to, period, groupBy, format,
        };
        cmd.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var f = pr.GetValue(format);
            if (f is not ("csv" or "json" or "table")) throw new InputException("--format", "must be csv, json or table");
            MarketingFunnelDto dto;
            try { dto = await MarketingFunnel.ComputeAsync(db, pr.GetValue(from), pr.GetValue(to), pr.GetValue(period), pr.GetValue(groupBy), ct); }
            catch (InputException e) { throw new InputException(e.Field == "groupBy" ? "--group-by" : "--" + e.Field, e.Reason); }
            var output = Console.Out;
            if (f == "json") { output.WriteLine(JsonSerializer.Serialize(dto, ApiJson.Options)); return 0; }
            var rows = MarketingFunnel.CsvRows(dto);
            if (f == "csv") foreach (var r in rows) output.WriteLine(string.Join(",", r.Select(CsvRecords.Quote)));
            else
            {
                var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
                foreach (var r in rows)
                    output.WriteLine(string.Join("  ", r.Select((v, i) => i < 4 ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))).TrimEnd());
            }
            return 0;
        }, ct));
        return cmd;
    }
}
