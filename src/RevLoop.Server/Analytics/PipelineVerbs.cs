using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

/// <summary>
/// `revloop metrics funnel|as-of|waterfall` over the database (--database): the API's numbers, built by the same code
/// (<see cref="FunnelAnalytics"/>, <see cref="PipelineAsOfAnalytics"/>) and printed as csv, json (the API's body) or a table.
/// The CLI sees every deal (no signed-in user).
/// </summary>
public static class PipelineVerbs
{
    public static IEnumerable<Command> Build() => [Funnel(), AsOf(), Waterfall()];

    private static Option<string?> PipelineOption() => new("--pipeline") { Description = "Pipeline name or id (default: the default pipeline)" };
    private static Option<string> FormatOption() => new("--format") { Description = "csv, json or table", DefaultValueFactory = _ => "csv" };

    private static Command Funnel()
    {
        var (pipeline, format) = (PipelineOption(), FormatOption());
        var from = new Option<string?>("--from") { Description = "First day of the cohort window, YYYY-MM-DD", Required = true };
        var to = new Option<string?>("--to") { Description = "Last day (inclusive), YYYY-MM-DD", Required = true };
        var cmd = new Command("funnel", "Stage funnel from stage history: entered, advanced, lost, still, conversion, median and p75 days in stage.") { from, to, pipeline, format };
        cmd.SetAction((pr, ct) => Run<object>(pr, format, async db =>
        {
            var c = await FunnelAnalytics.ComputeAsync(db, await PipelineIdAsync(db, pr.GetValue(pipeline), ct), pr.GetValue(from), pr.GetValue(to), new AnalyticsFilter(), ct)
                ?? throw new InputException("--pipeline", "there is no pipeline");
            var dto = FunnelAnalytics.Dto(c);
            return ((object)dto, [["stage", "entered", "advanced", "lost", "still", "conversion", "median_days", "p75_days"],
                .. dto.Rows.Select(r => new[] { r.Stage, N(r.Entered), N(r.Advanced), N(r.Lost), N(r.Still), N(r.Conversion), N(r.MedianDays), N(r.P75Days) })]);
        }, ct));
        return cmd;
    }

    private static Command AsOf()
    {
        var (pipeline, format) = (PipelineOption(), FormatOption());
        var date = new Option<string?>("--date") { Description = "The day (its end, UTC), YYYY-MM-DD", Required = true };
        var cmd = new Command("as-of", "The open pipeline as it stood at the end of a past day, per stage, rebuilt from history.") { date, pipeline, format };
        cmd.SetAction((pr, ct) => Run<object>(pr, format, async db =>
        {
            var day = AnalyticsPieces.Day(pr.GetValue(date), "--date");
            var dto = (await PipelineAsOfAnalytics.UseAsync(db, await PipelineIdAsync(db, pr.GetValue(pipeline), ct), new AnalyticsFilter(),
                l => PipelineAsOfAnalytics.AsOfDto(l, l.History.AsOf(day, l.ToBase)), ct) ?? throw new InputException("--pipeline", "there is no pipeline")).Result;
            return ((object)dto, [["stage", "count", "amount", "weighted"], ["(all)", N(dto.Count), N(dto.Amount), N(dto.Weighted)],
                .. dto.Rows.Select(r => new[] { r.Stage, N(r.Count), N(r.Amount), N(r.Weighted) })]);
        }, ct));
        return cmd;
    }

    private static Command Waterfall()
    {
        var (pipeline, format) = (PipelineOption(), FormatOption());
        var from = new Option<string?>("--from") { Description = "Start day (its end, UTC), YYYY-MM-DD", Required = true };
        var to = new Option<string?>("--to") { Description = "End day (its end, UTC), YYYY-MM-DD", Required = true };
        var cmd = new Command("waterfall", "How the open pipeline moved between two days: new, advanced, pushed out, pulled in, increased, decreased, won, lost.") { from, to, pipeline, format };
        cmd.SetAction((pr, ct) => Run<object>(pr, format, async db =>
        {
            var (f, t) = (AnalyticsPieces.Day(pr.GetValue(from), "--from"), AnalyticsPieces.Day(pr.GetValue(to), "--to"));
            if (t < f) throw new InputException("--to", "must not be before --from");
            var dto = (await PipelineAsOfAnalytics.UseAsync(db, await PipelineIdAsync(db, pr.GetValue(pipeline), ct), new AnalyticsFilter(),
                l => PipelineAsOfAnalytics.WaterfallDto(l, l.History.Waterfall(f, t, l.ToBase)), ct) ?? throw new InputException("--pipeline", "there is no pipeline")).Result;
            return ((object)dto, [["bucket", "count", "amount"], ["start", N(dto.StartCount), N(dto.Start)],
                .. dto.Rows.Select(r => new[] { r.Bucket, N(r.Count), N(r.Amount) }), ["end", N(dto.EndCount), N(dto.End)]]);
        }, ct));
        return cmd;
    }

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string N(decimal? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static async Task<Guid?> PipelineIdAsync(RevLoopDb db, string? pipeline, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(pipeline)) return null;
        if (Guid.TryParse(pipeline, out var id)) return id;
        var name = pipeline.Trim();
        return await db.Pipelines.AsNoTracking().Where(p => p.Name == name).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct)
            ?? throw new InputException("--pipeline", $"no pipeline named '{name}'");
    }

    private static Task<int> Run<T>(ParseResult pr, Option<string> format, Func<RevLoopDb, Task<(T Dto, List<string[]> Rows)>> compute, CancellationToken ct) =>
        RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var f = pr.GetValue(format);
            if (f is not ("csv" or "json" or "table")) throw new InputException("--format", "must be csv, json or table");
            var (dto, rows) = await compute(db);
            var output = Console.Out;
            if (f == "json") output.WriteLine(JsonSerializer.Serialize(dto, dto!.GetType(), ApiJson.Options));
            else if (f == "csv") foreach (var r in rows) output.WriteLine(string.Join(",", r.Select(CsvRecords.Quote)));
            else
            {
                var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
                foreach (var r in rows)
                    output.WriteLine(string.Join("  ", r.Select((v, i) => i == 0 ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))).TrimEnd());
            }
            return 0;
        }, ct);
}
