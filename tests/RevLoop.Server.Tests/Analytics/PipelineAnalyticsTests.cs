using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Analytics;

/// <summary>
/// Four deals with a hand-written history (created, stage moves, amount and close-date edits at chosen times), the
/// pipeline analytics over them on both providers, every number worked out by hand in the comments.
/// </summary>
public class PipelineAnalyticsTests
{
    public sealed record Fixture(RunningServer Server, HttpClient Api, HttpClient Rep, string PipelineId, Dictionary<string, string> Stages, Dictionary<string, Guid> Deals);

    private static DateTimeOffset T(string s) => DateTimeOffset.Parse(s + "Z", CultureInfo.InvariantCulture);

    private static async Task<JsonElement> Created(HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// A (rep, USD 1000): created 01-01 in Qualify closing 03-01, Propose 02-01, close moved to 03-10 on 02-15, won 03-10.
    /// B (rep, USD): created 01-05 in Qualify at 800 closing 04-15; on 02-20 500 closing 04-01; Propose 03-05.
    /// C (other, EUR 300 = 375 at 1.25): created 02-10 in Qualify, lost 03-01. D (other, USD 200): created 03-05 in Qualify.
    /// All in 2026, at 09:00 UTC for creations and 10:00 for changes. <paramref name="creationRows"/>: the deals' values at
    /// creation stored as rows of their own, as databases written before ADR 0020 have them; without, as written since
    /// (they are in the creation row, and the analytics derive them).
    /// </summary>
    public static async Task<Fixture> SeedAsync(RunningServer server, bool creationRows = true)
    {
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae, team: "EMEA");
        var other = await server.CreateUserAsync("other@example.com", Roles.Ae, team: "NA");
        var pipeline = await Created(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", isDefault = true,
            stages = new object[] { new { name = "Qualify", type = "open", probability = 20 }, new { name = "Propose", type = "open", probability = 50 },
                new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } },
        }));
        var pid = pipeline.Str("id")!;
        var stages = pipeline.GetProperty("stages").EnumerateArray().ToDictionary(s => s.Str("name")!, s => s.Str("id")!);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/currencies", new { code = "EUR", name = "Euro" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2020-01-01", rate = 1.25m })).StatusCode);
        var account = await api.CreateAccountIdAsync("""{"name":"Acme"}""");
        async Task<Guid> Deal(string name, string stage, decimal amount, string close, Guid owner, string currency = "USD", string? lostReason = null) =>
            (await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new
            {
                name, accountId = account, pipelineId = pid, stageId = stages[stage], amount, closeDate = close, ownerId = owner, currency, lostReason,
                region = name == "C" ? "EU" : "US",
            }))).GetProperty("id").GetGuid();
        var deals = new Dictionary<string, Guid>
        {
            ["A"] = await Deal("A", "Won", 1000m, "2026-03-10", rep.Id),
            ["B"] = await Deal("B", "Propose", 500m, "2026-04-01", rep.Id),
            ["C"] = await Deal("C", "Lost", 300m, "2026-05-01", other.Id, "EUR", "price"),
            ["D"] = await Deal("D", "Qualify", 200m, "2026-06-01", other.Id),
        };

        // Replace the history written at "now" with the one above.
        await server.WithDbAsync(async db =>
        {
            var ids = deals.Values.ToList();
            string[] fields = ["StageId", "AmountMinor", "CloseDate"];
            await db.FieldChanges.Where(c => c.EntityType == "opportunity" && ids.Contains(c.EntityId) && fields.Contains(c.Field)).ExecuteDeleteAsync();
            async Task Times(string deal, string created, string? won = null, string? lost = null)
            {
                var (c, w, l) = (T(created), won is null ? (DateTimeOffset?)null : T(won), lost is null ? (DateTimeOffset?)null : T(lost));
                await db.Opportunities.Where(o => o.Id == deals[deal]).ExecuteUpdateAsync(u => u.SetProperty(o => o.CreatedAt, c).SetProperty(o => o.WonAt, w).SetProperty(o => o.LostAt, l));
            }
            await Times("A", "2026-01-01T09:00", won: "2026-03-10T10:00");
            await Times("B", "2026-01-05T09:00");
            await Times("C", "2026-02-10T09:00", lost: "2026-03-01T10:00");
            await Times("D", "2026-03-05T09:00");
            void Row(string deal, string at, string field, string? from, string to)
            {
                if (from is null && !creationRows) return;
                db.FieldChanges.Add(new FieldChange
                {
                        EntityType = "opportunity", EntityId = deals[deal], Field = field, OldValue = from, NewValue = to, ChangedAt = T(at),
                    ChangedBy = "test", Source = ChangeSources.Import, ChangeSetId = Guid.NewGuid(),
                });
            }
            string S(string name) => stages[name];
            Row("A", "2026-01-01T09:00", "StageId", null, S("Qualify")); Row("A", "2026-01-01T09:00", "AmountMinor", null, "100000");
            Row("A", "2026-01-01T09:00", "CloseDate", null, "2026-03-01"); Row("A", "2026-02-01T10:00", "StageId", S("Qualify"), S("Propose"));
            Row("A", "2026-02-15T10:00", "CloseDate", "2026-03-01", "2026-03-10"); Row("A", "2026-03-10T10:00", "StageId", S("Propose"), S("Won"));
            Row("B", "2026-01-05T09:00", "StageId", null, S("Qualify")); Row("B", "2026-01-05T09:00", "AmountMinor", null, "80000");
            Row("B", "2026-01-05T09:00", "CloseDate", null, "2026-04-15"); Row("B", "2026-02-20T10:00", "AmountMinor", "80000", "50000");
            Row("B", "2026-02-20T10:00", "CloseDate", "2026-04-15", "2026-04-01"); Row("B", "2026-03-05T10:00", "StageId", S("Qualify"), S("Propose"));
            Row("C", "2026-02-10T09:00", "StageId", null, S("Qualify")); Row("C", "2026-02-10T09:00", "AmountMinor", null, "30000");
            Row("C", "2026-02-10T09:00", "CloseDate", null, "2026-05-01"); Row("C", "2026-03-01T10:00", "StageId", S("Qualify"), S("Lost"));
            Row("D", "2026-03-05T09:00", "StageId", null, S("Qualify")); Row("D", "2026-03-05T09:00", "AmountMinor", null, "20000");
            Row("D", "2026-03-05T09:00", "CloseDate", null, "2026-06-01");
            return await db.SaveChangesAsync();
        });
        return new Fixture(server, api, await server.ClientForAsync(rep, "read"), pid, stages, deals);
    }

    private static string Rows(JsonElement period) => string.Join(" | ", period.GetProperty("rows").EnumerateArray().Select(r =>
        $"{r.Str("group")}: {r.GetProperty("created")} {r.GetProperty("pipelineCreated")} won {r.GetProperty("won")} lost {r.GetProperty("lost")} " +
        $"wr {r.GetProperty("winRate")} wrv {r.GetProperty("winRateValue")} wa {r.GetProperty("wonAmount")} avg {r.GetProperty("avgDealSize")} " +
        $"cycle {r.GetProperty("salesCycleDays")} open {r.GetProperty("open")} {r.GetProperty("openAmount")} weighted {r.GetProperty("weightedPipeline")} " +
        $"velocity {r.GetProperty("velocityPerDay")}"));

    private static async Task<List<string>> Names(HttpClient api, string url)
    {
        var page = await api.GetJsonAsync(url);
        return page.GetProperty("items").EnumerateArray().Select(i => i.Str("name")!).ToList();
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Sales_metrics_by_period_and_group_with_drill_down_and_visibility(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var f = await SeedAsync(server);
        var api = f.Api;
        const string window = "from=2026-01-01&to=2026-03-31";

        // Created A, B, C, D: 1000 + 500 + 375 + 200. Won A (1000, 68 days), lost C (375): 1/2, 1000/1375. Open at 03-31: B, D;
        // weighted B 500 x 50% + D 200 x 20% = 290; velocity 2 x 1000 x 0.5 / 68 = 14.705.. per day (rep: 1 x 1000 x 1 / 68).
        var all = await api.GetJsonAsync($"/api/v1/analytics/sales?{window}");
        Assert.Equal(("USD", 0L, 0L), (all.Str("baseCurrency"), all.GetProperty("unconverted").GetInt64(), all.GetProperty("invalid").GetInt64()));
        Assert.Equal("(all): 4 2075.00 won 1 lost 1 wr 0.5 wrv 0.7273 wa 1000.00 avg 1000.00 cycle 68.00 open 2 700.00 weighted 290.00 velocity 14.71",
            Rows(all.GetProperty("periods")[0]));

        var owners = await api.GetJsonAsync($"/api/v1/analytics/sales?{window}&groupBy=owner");
        Assert.Equal("(all): 4 2075.00 won 1 lost 1 wr 0.5 wrv 0.7273 wa 1000.00 avg 1000.00 cycle 68.00 open 2 700.00 weighted 290.00 velocity 14.71 | " +
            "other: 2 575.00 won 0 lost 1 wr 0 wrv 0 wa 0.00 avg  cycle  open 1 200.00 weighted 40.00 velocity  | " +
            "rep: 2 1500.00 won 1 lost 0 wr 1 wrv 1 wa 1000.00 avg 1000.00 cycle 68.00 open 1 500.00 weighted 250.00 velocity 14.71",
            Rows(owners.GetProperty("periods")[0]));

        // By month: January A, B created and open at its end; February C created, A, B, C open; March D created, A won, C lost.
        var months = await api.GetJsonAsync($"/api/v1/analytics/sales?{window}&period=month");
        Assert.Equal(["2026-01", "2026-02", "2026-03"], months.GetProperty("periods").EnumerateArray().Select(p => p.Str("period")!).ToList());
        Assert.Equal("(all): 2 1500.00 won 0 lost 0 wr  wrv  wa 0.00 avg  cycle  open 2 1500.00 weighted 250.00 velocity ", Rows(months.GetProperty("periods")[0]));
        Assert.Equal("(all): 1 375.00 won 0 lost 0 wr  wrv  wa 0.00 avg  cycle  open 3 1875.00 weighted 250.00 velocity ", Rows(months.GetProperty("periods")[1]));
        Assert.Equal("(all): 1 200.00 won 1 lost 1 wr 0.5 wrv 0.7273 wa 1000.00 avg 1000.00 cycle 68.00 open 2 700.00 weighted 290.00 velocity 14.71",
            Rows(months.GetProperty("periods")[2]));
        var quarters = await api.GetJsonAsync($"/api/v1/analytics/sales?from=2026-02-15&to=2026-05-31&period=quarter");
        Assert.Equal("2026-Q1 2026-02-15 2026-03-31 | 2026-Q2 2026-04-01 2026-05-31", string.Join(" | ", quarters.GetProperty("periods").EnumerateArray()
            .Select(p => $"{p.Str("period")} {p.Str("from")} {p.Str("to")}")));

        // Drill-down: every cell's deals, newest first.
        Assert.Equal(["A"], await Names(api, $"/api/v1/analytics/sales/deals?{window}&metric=won&groupBy=owner&group=rep"));
        Assert.Equal(["C"], await Names(api, $"/api/v1/analytics/sales/deals?{window}&metric=lost"));
        Assert.Equal(["D", "B"], await Names(api, $"/api/v1/analytics/sales/deals?{window}&metric=open"));
        Assert.Equal(["D", "C", "B", "A"], await Names(api, $"/api/v1/analytics/sales/deals?{window}&metric=created"));
        Assert.Equal(["C", "B", "A"], await Names(api, "/api/v1/analytics/sales/deals?from=2026-02-28&to=2026-02-28&metric=open&pageSize=5"));
        var page = await api.GetJsonAsync($"/api/v1/analytics/sales/deals?{window}&metric=created&pageSize=3");
        Assert.Equal(["A"], await Names(api, $"/api/v1/analytics/sales/deals?{window}&metric=created&pageSize=3&cursor={page.Str("nextCursor")}"));
        var line = (await api.GetJsonAsync($"/api/v1/analytics/sales/deals?{window}&metric=lost")).GetProperty("items")[0];
        Assert.Equal(("Lost", 375.00m, 30000L, "EUR", "other"), (line.Str("stage"), line.GetProperty("amount").GetDecimal(), line.GetProperty("amountMinor").GetInt64(), line.Str("currency"), line.Str("owner")));
        Assert.Equal(["C"], await Names(api, $"/api/v1/analytics/sales/deals?{window}&metric=created&region=EU"));

        // A rep sees their own deals only.
        var mine = await f.Rep.GetJsonAsync($"/api/v1/analytics/sales?{window}");
        Assert.Equal("(all): 2 1500.00 won 1 lost 0 wr 1 wrv 1 wa 1000.00 avg 1000.00 cycle 68.00 open 1 500.00 weighted 250.00 velocity 14.71",
            Rows(mine.GetProperty("periods")[0]));

        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/sales?from=2026-01-01&to=2025-01-01"), HttpStatusCode.BadRequest, "to");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/analytics/sales?{window}&groupBy=color"), HttpStatusCode.BadRequest, "groupBy");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/analytics/sales?{window}&period=week"), HttpStatusCode.BadRequest, "period");
        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/sales?from=2026-13-01&to=2026-03-01"), HttpStatusCode.BadRequest, "from");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/analytics/sales/deals?{window}&metric=best"), HttpStatusCode.BadRequest, "metric");
    }

    /// <summary>Each provider, with the deals' values at creation stored as rows (before ADR 0020) and without (since).</summary>
    public static TheoryData<string, bool> ProvidersAndCreationRows => new() { { "sqlite", true }, { "sqlite", false }, { "postgres", true }, { "postgres", false } };

    [Theory]
    [MemberData(nameof(ProvidersAndCreationRows))]
    public async Task Funnel_as_of_pipeline_and_waterfall_from_history_with_drill_down(string provider, bool creationRows)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var f = await SeedAsync(server, creationRows);
        var api = f.Api;

        // Qualify: A, B advanced, C lost, D still. Completed stays: C 19d 1h (to its loss), A 31d 1h, B 59d 1h: median 31.0417,
        // p75 = 31.0417 + 0.5 x 28 = 45.0417. Propose: A advanced (won after 37 days), B still.
        var funnel = await api.GetJsonAsync("/api/v1/analytics/funnel?from=2026-01-01&to=2026-03-31");
        Assert.Equal("Qualify 4 2 1 1 0.5 31.0417 45.0417 | Propose 2 1 0 1 0.5 37 37", string.Join(" | ", funnel.GetProperty("rows").EnumerateArray().Select(r =>
            $"{r.Str("stage")} {r.GetProperty("entered")} {r.GetProperty("advanced")} {r.GetProperty("lost")} {r.GetProperty("still")} {r.GetProperty("conversion")} {r.GetProperty("medianDays")} {r.GetProperty("p75Days")}")));
        var q = $"pipeline={f.PipelineId}&from=2026-01-01&to=2026-03-31&stage={f.Stages["Qualify"]}";
        Assert.Equal(["C"], await Names(api, $"/api/v1/analytics/funnel/deals?{q}&outcome=lost"));
        Assert.Equal(["A", "B", "C", "D"], await Names(api, $"/api/v1/analytics/funnel/deals?{q}&outcome=entered"));
        Assert.Equal(["D"], await Names(api, $"/api/v1/analytics/funnel/deals?{q}&outcome=still"));
        // February's cohort: C into Qualify, A into Propose.
        var feb = await api.GetJsonAsync("/api/v1/analytics/funnel?from=2026-02-01&to=2026-02-28");
        Assert.Equal("1 0 1 0 | 1 1 0 0", string.Join(" | ", feb.GetProperty("rows").EnumerateArray().Select(r =>
            $"{r.GetProperty("entered")} {r.GetProperty("advanced")} {r.GetProperty("lost")} {r.GetProperty("still")}")));

        // As of 02-15: A in Propose at 1000; B in Qualify at 800; C in Qualify at 375 (EUR 300). Weighted 20% and 50%.
        var asOf = await api.GetJsonAsync("/api/v1/analytics/pipeline/as-of?date=2026-02-15");
        Assert.Equal("3 2175.00 735.00 | Qualify 2 1175.00 235.00 | Propose 1 1000.00 500.00", $"{asOf.GetProperty("count")} {asOf.GetProperty("amount")} {asOf.GetProperty("weighted")} | " +
            string.Join(" | ", asOf.GetProperty("rows").EnumerateArray().Select(r => $"{r.Str("stage")} {r.GetProperty("count")} {r.GetProperty("amount")} {r.GetProperty("weighted")}")));
        Assert.Equal(["B", "C"], await Names(api, $"/api/v1/analytics/pipeline/as-of/deals?date=2026-02-15&stage={f.Stages["Qualify"]}"));

        // 01-31 -> 03-31: start A 1000 + B 800, end B 500 + D 200 = 1800 + 200 (new D) - 300 (B decreased) - 1000 (A won).
        var w = await api.GetJsonAsync("/api/v1/analytics/pipeline/waterfall?from=2026-01-31&to=2026-03-31");
        Assert.Equal("2 1800.00 -> 2 700.00 | new 1 200.00 | advanced 1 500.00 | pushedOut 0 0.00 | pulledIn 1 500.00 | increased 0 0.00 | decreased 1 300.00 | won 1 1000.00 | lost 0 0.00",
            $"{w.GetProperty("startCount")} {w.GetProperty("start")} -> {w.GetProperty("endCount")} {w.GetProperty("end")} | " +
            string.Join(" | ", w.GetProperty("rows").EnumerateArray().Select(r => $"{r.Str("bucket")} {r.GetProperty("count")} {r.GetProperty("amount")}")));
        Assert.Equal(["A"], await Names(api, "/api/v1/analytics/pipeline/waterfall/deals?from=2026-01-31&to=2026-03-31&bucket=won"));
        Assert.Equal(["B"], await Names(api, "/api/v1/analytics/pipeline/waterfall/deals?from=2026-01-31&to=2026-03-31&bucket=pulledIn"));

        // The rep's own deals only: A and B.
        var mine = await f.Rep.GetJsonAsync("/api/v1/analytics/pipeline/as-of?date=2026-02-15");
        Assert.Equal((2L, 1800.00m), (mine.GetProperty("count").GetInt64(), mine.GetProperty("amount").GetDecimal()));

        // Risks today (months later, no activity since creation): B in Propose beyond its p75 (A's 37 days), 800 -> 500;
        // D in Qualify beyond its p75 (45.0417 days). A call on D yesterday clears its no-activity flag.
        string Risks(JsonElement r) => $"{r.GetProperty("counts")} " + string.Join(" | ", r.GetProperty("items").EnumerateArray().Select(i =>
            $"{i.GetProperty("deal").Str("name")} [{string.Join(",", i.GetProperty("flags").EnumerateArray().Select(x => x.GetString()))}] p75 {i.GetProperty("stageP75Days")} peak {i.GetProperty("peakAmount")} pushes {i.GetProperty("pushes")}"));
        Assert.Equal("""{"stalled":2,"pushedOut":0,"noActivity":2,"amountDropped":1,"atRisk":2} B [stalled,noActivity,amountDropped] p75 37 peak 800.00 pushes 0 | D [stalled,noActivity] p75 45.0 peak 200.00 pushes 0""",
            Risks(await api.GetJsonAsync("/api/v1/analytics/risks")));
        await server.WithDbAsync(async db =>
        {
            db.Activities.Add(new RevLoop.Crm.Activities.Activity { Type = "call", Subject = "Check-in", OpportunityId = f.Deals["D"], OccurredAt = db.Clock.GetUtcNow().AddDays(-1) });
            return await db.SaveChangesAsync();
        });
        Assert.Equal("""{"stalled":2,"pushedOut":0,"noActivity":1,"amountDropped":1,"atRisk":2} D [stalled] p75 45.0 peak 200.00 pushes 0""",
            Risks(await api.GetJsonAsync("/api/v1/analytics/risks?flag=stalled&pageSize=1&cursor=1")));
        // With a year's allowance nobody is idle.
        Assert.Equal("""{"stalled":2,"pushedOut":0,"noActivity":0,"amountDropped":1,"atRisk":2} B [stalled,amountDropped] p75 37 peak 800.00 pushes 0 | D [stalled] p75 45.0 peak 200.00 pushes 0""",
            Risks(await api.GetJsonAsync("/api/v1/analytics/risks?noActivityDays=365")));
        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/risks?flag=late"), HttpStatusCode.BadRequest, "flag");

        // The CLI prints the API's numbers: its json is the API's body, its csv the same values.
        async Task SameAsApi(string url, params string[] args)
        {
            var cli = await RevLoopProcess.RunAsync(server.Database, ["metrics", .. args, "--format", "json"]);
            Assert.True(cli.ExitCode == 0, cli.ToString());
            var body = await (await api.GetAsync(url)).Content.ReadAsStringAsync();
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(body), JsonNode.Parse(cli.StdOut)), $"{body}\n{cli.StdOut}");
        }
        await SameAsApi("/api/v1/analytics/funnel?from=2026-01-01&to=2026-03-31", "funnel", "--from", "2026-01-01", "--to", "2026-03-31");
        await SameAsApi("/api/v1/analytics/pipeline/as-of?date=2026-02-15", "as-of", "--date", "2026-02-15", "--pipeline", "Sales");
        await SameAsApi("/api/v1/analytics/pipeline/waterfall?from=2026-01-31&to=2026-03-31", "waterfall", "--from", "2026-01-31", "--to", "2026-03-31");
        var csv = await RevLoopProcess.RunAsync(server.Database, "metrics", "waterfall", "--from", "2026-01-31", "--to", "2026-03-31");
        Assert.Equal("bucket,count,amount\nstart,2,1800.00\nnew,1,200.00\nadvanced,1,500.00\npushedOut,0,0.00\npulledIn,1,500.00\nincreased,0,0.00\n" +
            "decreased,1,300.00\nwon,1,1000.00\nlost,0,0.00\nend,2,700.00\n", csv.StdOut.ReplaceLineEndings("\n"));
        var funnelCsv = await RevLoopProcess.RunAsync(server.Database, "metrics", "funnel", "--from", "2026-01-01", "--to", "2026-03-31");
        Assert.Equal("stage,entered,advanced,lost,still,conversion,median_days,p75_days\nQualify,4,2,1,1,0.5,31.0417,45.0417\nPropose,2,1,0,1,0.5,37,37\n",
            funnelCsv.StdOut.ReplaceLineEndings("\n"));
        var bad = await RevLoopProcess.RunAsync(server.Database, "metrics", "as-of", "--date", "2026-02-30");
        Assert.Equal((2, "error: --date: '2026-02-30' is not a date YYYY-MM-DD"), (bad.ExitCode, bad.StdErr.Trim()));

        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/pipeline/waterfall?from=2026-03-31&to=2026-01-31"), HttpStatusCode.BadRequest, "to");
        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/pipeline/waterfall/deals?from=2026-01-31&to=2026-03-31&bucket=moved"), HttpStatusCode.BadRequest, "bucket");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/analytics/funnel/deals?{q}&outcome=won"), HttpStatusCode.BadRequest, "outcome");
        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/pipeline/as-of?date=yesterday"), HttpStatusCode.BadRequest, "date");
    }

    /// <summary>
    /// The analytics read the deals from memory (OpportunityHistoryColumns) and catch up with every write since their
    /// last use: a stage move, a new deal and a deletion through the API show in the next answer.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Analytics_catch_up_with_writes_made_after_their_first_use(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var f = await SeedAsync(server);
        var api = f.Api;
        static string AsOf(JsonElement a) => $"{a.GetProperty("count")} {a.GetProperty("amount")} {a.GetProperty("weighted")} | " +
            string.Join(" | ", a.GetProperty("rows").EnumerateArray().Select(r => $"{r.Str("stage")} {r.GetProperty("count")} {r.GetProperty("amount")} {r.GetProperty("weighted")}"));
        static string Counts(JsonElement funnel) => string.Join(" | ", funnel.GetProperty("rows").EnumerateArray().Select(r =>
            $"{r.Str("stage")} {r.GetProperty("entered")} {r.GetProperty("advanced")} {r.GetProperty("lost")} {r.GetProperty("still")}"));
        const string Later = "/api/v1/analytics/pipeline/as-of?date=2099-12-31", Cohort = "/api/v1/analytics/funnel?from=2026-01-01&to=2026-03-31";

        // Open today: B in Propose (500, 50% = 250), D in Qualify (200, 20% = 40).
        Assert.Equal("2 700.00 290.00 | Qualify 1 200.00 40.00 | Propose 1 500.00 250.00", AsOf(await api.GetJsonAsync(Later)));
        Assert.Equal("Qualify 4 2 1 1 | Propose 2 1 0 1", Counts(await api.GetJsonAsync(Cohort)));
        Assert.Equal(1L, (await f.Rep.GetJsonAsync(Later)).GetProperty("count").GetInt64()); // B
        // Filters on the deals' own columns, with and without a restricted viewer: C is the only EU deal (EUR 300 = 375);
        // the rep's US deals on 02-15 are B in Qualify (800) and A in Propose (1000).
        const string Feb15 = "/api/v1/analytics/pipeline/as-of?date=2026-02-15";
        Assert.Equal("1 375.00 75.00 | Qualify 1 375.00 75.00 | Propose 0 0.00 0.00", AsOf(await api.GetJsonAsync(Feb15 + "&region=EU")));
        Assert.Equal("2 1800.00 660.00 | Qualify 1 800.00 160.00 | Propose 1 1000.00 500.00", AsOf(await f.Rep.GetJsonAsync(Feb15 + "&region=US")));
        Assert.Equal("0 0.00 0.00 | Qualify 0 0.00 0.00 | Propose 0 0.00 0.00", AsOf(await f.Rep.GetJsonAsync(Feb15 + "&region=EU")));

        var moved = await api.MergePatchAsync($"/api/v1/opportunities/{f.Deals["D"]}", $$"""{"stageId":"{{f.Stages["Propose"]}}"}""");
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        var account = await api.CreateAccountIdAsync("""{"name":"Globex"}""");
        var created = await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "E", accountId = account, pipelineId = f.PipelineId, stageId = f.Stages["Qualify"], amount = 300m, closeDate = "2027-01-31" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/opportunities/{f.Deals["B"]}")).StatusCode);

        // D now in Propose, E new in Qualify (300, 20% = 60), B gone.
        Assert.Equal("2 500.00 160.00 | Qualify 1 300.00 60.00 | Propose 1 200.00 100.00", AsOf(await api.GetJsonAsync(Later)));
        // The January-March cohort without B: Qualify A and D advanced (D today), C lost; Propose A (D entered it today, outside the cohort).
        Assert.Equal("Qualify 3 2 1 0 | Propose 1 1 0 0", Counts(await api.GetJsonAsync(Cohort)));
        // The rep owned A (won) and B (deleted): nothing open left.
        Assert.Equal(0L, (await f.Rep.GetJsonAsync(Later)).GetProperty("count").GetInt64());
    }
}
