using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Platform;
using RevLoop.Server.Hosting;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Forecasting;

/// <summary>Targets, forecast submissions and roll-up, snapshots and accuracy, and the APM, on a fixed clock (2026-02-14, half of FY2026-Q1).</summary>
public class ForecastingApiTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public static readonly DateTimeOffset Now = new(2026, 2, 14, 12, 0, 0, TimeSpan.Zero);

    public static Task<RunningServer> StartAsync(string provider, bool workers = false) => RunningServer.StartAsync(provider, o => new ServeOptions
    {
        Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, RunWorkers = workers,
        ConfigureServices = s => s.AddSingleton<TimeProvider>(new FixedClock(Now)),
    });

    private static async Task<JsonElement> Ok(HttpResponseMessage r, HttpStatusCode status = HttpStatusCode.Created)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"{(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private sealed record World(RunningServer Server, HttpClient Admin, User Rep1, User Rep2, User Manager, Guid Emea, Guid Dach);

    /// <summary>
    /// EMEA (managed by the manager) with DACH below it. Rep1 (EMEA): A won 1,000 USD 2026-02-01; B open commit 2,000 EUR
    /// (x 1.1 = 2,200); F won 400 on 2025-02-10 and G won 600 on 2025-03-10 (last year). Rep2 (DACH): C best case 500
    /// (EMEA); D pipeline, amount 800 but ACV 600 (NA); E lost 300 (NA). All created "now".
    /// </summary>
    private static async Task<World> SeedAsync(RunningServer server)
    {
        var admin = await server.AdminClientAsync();
        var manager = await server.CreateUserAsync("manager@example.com", Roles.SalesManager, team: "EMEA", managesTeam: true);
        var rep1 = await server.CreateUserAsync("rep1@example.com", Roles.Ae, team: "EMEA");
        var rep2 = await server.CreateUserAsync("rep2@example.com", Roles.Ae, team: "DACH");
        var (emea, dach) = server.Scoped(db => (db.Teams.Single(t => t.Name == "EMEA").Id, db.Teams.Single(t => t.Name == "DACH").Id));
        await server.WithDbAsync(async db =>
        {
            db.Teams.Single(t => t.Id == dach).ParentTeamId = emea;
            return await db.SaveChangesAsync();
        });
        var pipeline = await Ok(await admin.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", stages = new[] { new { name = "Qualify", type = "open" }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } },
        }));
        string Stage(string name) => pipeline.GetProperty("stages").EnumerateArray().First(s => s.Str("name") == name).Str("id")!;
        await Ok(await admin.PostAsJsonAsync("/api/v1/currencies", new { code = "EUR", name = "Euro" }));
        await Ok(await admin.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2020-01-01", rate = 1.1m }));
        var account = await admin.CreateAccountIdAsync("""{"name":"Acme"}""");
        async Task Deal(string name, string stage, decimal amount, string close, User owner, string region, string category = "pipeline",
            string currency = "USD", decimal? acv = null) =>
            await Ok(await admin.PostAsJsonAsync("/api/v1/opportunities", new
            {
                name, accountId = account, pipelineId = pipeline.Str("id"), stageId = Stage(stage), amount, acv, closeDate = close, ownerId = owner.Id, currency,
                region, forecastCategory = category, lostReason = stage == "Lost" ? "price" : null,
            }));
        await Deal("A", "Won", 1000m, "2026-02-01", rep1, "EMEA");
        await Deal("B", "Qualify", 2000m, "2026-03-15", rep1, "EMEA", "commit", "EUR");
        await Deal("C", "Qualify", 500m, "2026-03-20", rep2, "EMEA", "best_case");
        await Deal("D", "Qualify", 800m, "2026-03-31", rep2, "NA", acv: 600m);
        await Deal("E", "Lost", 300m, "2026-02-02", rep2, "NA");
        await Deal("F", "Won", 400m, "2025-02-10", rep1, "EMEA");
        await Deal("G", "Won", 600m, "2025-03-10", rep1, "EMEA");
        return new World(server, admin, rep1, rep2, manager, emea, dach);
    }

    private static string Amounts(JsonElement e) =>
        $"{e.GetProperty("closedWon").GetDecimal():0.##}/{e.GetProperty("commit").GetDecimal():0.##}/{e.GetProperty("bestCase").GetDecimal():0.##}/{e.GetProperty("pipeline").GetDecimal():0.##}";
    private static string Call(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "-"
        : $"{e.GetProperty("commit").GetDecimal():0.##}/{e.GetProperty("bestCase").GetDecimal():0.##}/{e.GetProperty("pipeline").GetDecimal():0.##}";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Targets_are_set_per_period_subject_and_metric_and_refuse_bad_input(string provider)
    {
        await using var server = await StartAsync(provider);
        var w = await SeedAsync(server);
        var put = await Ok(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "fy2026-q1", subjectKind = "region", subject = "EMEA", metric = "bookings", amount = 5000m }));
        Assert.Equal(("FY2026-Q1", 5000m, "USD"), (put.Str("period"), put.GetProperty("amount").GetDecimal(), put.Str("currency")));
        // The same key again updates it.
        await Ok(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026-Q1", subjectKind = "region", subject = "EMEA", metric = "bookings", amount = 5500.5m }), HttpStatusCode.OK);
        await Ok(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026-Q1", subjectKind = "user", subject = w.Rep1.Id.ToString(), metric = "bookings", amount = 3000m }));
        await Ok(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026-Q2", subjectKind = "region", subject = "EMEA", metric = "bookings", amount = 1m }));
        var list = await w.Admin.GetJsonAsync("/api/v1/targets?period=FY2026-Q1&pageSize=1");
        Assert.Equal("region EMEA bookings 5500.5", string.Join(";", list.GetProperty("items").EnumerateArray().Select(t => $"{t.Str("subjectKind")} {t.Str("subject")} {t.Str("metric")} {t.GetProperty("amount").GetDecimal()}")));
        var page2 = await w.Admin.GetJsonAsync($"/api/v1/targets?period=FY2026-Q1&pageSize=1&cursor={list.Str("nextCursor")}");
        Assert.Equal($"user {w.Rep1.Id} bookings 3000", string.Join(";", page2.GetProperty("items").EnumerateArray().Select(t => $"{t.Str("subjectKind")} {t.Str("subject")} {t.Str("metric")} {t.GetProperty("amount").GetDecimal()}")));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("nextCursor").ValueKind);

        await Api.AssertProblemAsync(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "Q1", subjectKind = "region", subject = "EMEA", metric = "bookings", amount = 1m }), HttpStatusCode.BadRequest, "period");
        await Api.AssertProblemAsync(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026", subjectKind = "user", subject = Guid.Empty.ToString(), metric = "bookings", amount = 1m }), HttpStatusCode.BadRequest, "subject");
        await Api.AssertProblemAsync(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026", subjectKind = "region", subject = "EMEA", metric = "revenue", amount = 1m }), HttpStatusCode.BadRequest, "metric");
        await Api.AssertProblemAsync(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026", subjectKind = "region", subject = "EMEA", metric = "bookings", amount = 1.001m }), HttpStatusCode.BadRequest, "amount");
        // Reps read targets but do not set them.
        var rep = await server.ClientForAsync(w.Rep1);
        Assert.Equal(HttpStatusCode.Forbidden, (await rep.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026", subjectKind = "region", subject = "EMEA", metric = "bookings", amount = 1m })).StatusCode);
        var id = put.Str("id");
        Assert.Equal(HttpStatusCode.NoContent, (await w.Admin.DeleteAsync($"/api/v1/targets/{id}")).StatusCode);
        Assert.Equal(0, (await w.Admin.GetJsonAsync("/api/v1/targets?period=FY2026-Q1&subjectKind=region")).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Reps_submit_managers_roll_up_and_adjust_with_a_note_and_every_submission_is_kept(string provider)
    {
        await using var server = await StartAsync(provider);
        var w = await SeedAsync(server);
        var rep1 = await server.ClientForAsync(w.Rep1);
        var rep2 = await server.ClientForAsync(w.Rep2);
        var manager = await server.ClientForAsync(w.Manager);
        await Ok(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026-Q1", subjectKind = "team", subject = w.Emea.ToString(), metric = "bookings", amount = 8000m }));

        await Ok(await rep1.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", commit = 2500m, bestCase = 3000m, pipeline = 4000m }));
        await Ok(await rep1.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", commit = 3000m, bestCase = 3500m, pipeline = 4000m, note = "B signs in March" }));
        await Ok(await rep2.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", commit = 100m, bestCase = 600m, pipeline = 1200m }));
        await Api.AssertProblemAsync(await rep2.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", commit = 700m, bestCase = 600m, pipeline = 1200m }), HttpStatusCode.BadRequest, "bestCase");
        await Api.AssertProblemAsync(await rep2.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", commit = -1m, bestCase = 600m, pipeline = 1200m }), HttpStatusCode.BadRequest, "commit");
        // Only a team's manager adjusts it, and says why.
        await Api.AssertProblemAsync(await rep1.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", teamId = w.Emea, commit = 1m, bestCase = 1m, pipeline = 1m, note = "x" }), HttpStatusCode.Forbidden);
        await Api.AssertProblemAsync(await manager.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", teamId = w.Dach, commit = 300m, bestCase = 700m, pipeline = 1300m }), HttpStatusCode.BadRequest, "note");
        await Ok(await manager.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", teamId = w.Dach, commit = 300m, bestCase = 700m, pipeline = 1300m, note = "C is further than it looks" }));

        var board = await manager.GetJsonAsync("/api/v1/forecasts?period=FY2026-Q1");
        Assert.Equal(("FY2026-Q1", "2026-01-01", "2026-03-31", "USD"), (board.Str("period"), board.Str("start"), board.Str("end"), board.Str("currency")));
        var reps = board.GetProperty("reps").EnumerateArray().ToDictionary(r => r.Str("name")!);
        Assert.Equal(["manager", "rep1", "rep2"], reps.Keys.ToList());
        Assert.Equal("1000/2200/0/0", Amounts(reps["rep1"].GetProperty("deals")));
        Assert.Equal("0/0/500/600", Amounts(reps["rep2"].GetProperty("deals")));
        Assert.Equal("3000/3500/4000", Call(reps["rep1"].GetProperty("submitted")));
        var teams = board.GetProperty("teams").EnumerateArray().ToDictionary(t => t.Str("name")!);
        Assert.Equal(["DACH", "EMEA"], teams.Keys.ToList());
        Assert.Equal("0/0/500/600 100/600/1200 300/700/1300 C is further than it looks", $"{Amounts(teams["DACH"].GetProperty("deals"))} {Call(teams["DACH"].GetProperty("submitted"))} {Call(teams["DACH"].GetProperty("call"))} {teams["DACH"].GetProperty("adjusted").Str("note")}");
        // EMEA: rep1's 3,000 plus DACH's adjusted 300 (the manager has not submitted); 3 reps, 2 submitted; quota 8,000.
        Assert.Equal("1000/2200/500/600 3300/4200/5300 3300/4200/5300 3 2 8000", $"{Amounts(teams["EMEA"].GetProperty("deals"))} {Call(teams["EMEA"].GetProperty("submitted"))} {Call(teams["EMEA"].GetProperty("call"))} {teams["EMEA"].GetProperty("reps").GetInt32()} {teams["EMEA"].GetProperty("repsSubmitted").GetInt32()} {teams["EMEA"].GetProperty("quota").GetDecimal():0.##}");
        Assert.Equal("1000/2200/500/600 3300/4200/5300", $"{Amounts(board.GetProperty("company").GetProperty("deals"))} {Call(board.GetProperty("company").GetProperty("call"))}");

        // A rep sees their own line only and no team.
        var own = await rep2.GetJsonAsync("/api/v1/forecasts?period=FY2026-Q1");
        Assert.Equal(["rep2"], own.GetProperty("reps").EnumerateArray().Select(r => r.Str("name")!).ToList());
        Assert.Equal(0, own.GetProperty("teams").GetArrayLength());

        // Every submission kept, newest first; rep2 cannot read rep1's.
        var history = await manager.GetJsonAsync($"/api/v1/forecasts/submissions?period=FY2026-Q1&userId={w.Rep1.Id}");
        Assert.Equal(["3000 B signs in March", "2500 "], history.GetProperty("items").EnumerateArray().Select(s => $"{s.GetProperty("commit").GetDecimal():0.##} {s.Str("note")}").ToList());
        Assert.Equal(0, (await rep2.GetJsonAsync($"/api/v1/forecasts/submissions?period=FY2026-Q1&userId={w.Rep1.Id}")).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Snapshots_are_idempotent_per_week_and_score_accuracy_and_bias(string provider)
    {
        await using var server = await StartAsync(provider);
        var w = await SeedAsync(server);
        var rep1 = await server.ClientForAsync(w.Rep1);
        await Ok(await rep1.PostAsJsonAsync("/api/v1/forecasts/submissions", new { period = "FY2026-Q1", commit = 3000m, bestCase = 3500m, pipeline = 4000m }));

        // 2026-02-14 is a Saturday: the week's snapshot is dated Monday 2026-02-09; month, quarter and year, each with
        // 3 sellers (the admin carries no forecast), 2 teams and the company.
        var first = await Ok(await w.Admin.PostAsync("/api/v1/forecasts/snapshots", null), HttpStatusCode.OK);
        Assert.Equal(("2026-02-09", 18), (first.Str("takenOn"), first.GetProperty("rows").GetInt32()));
        await Ok(await w.Admin.PostAsync("/api/v1/forecasts/snapshots", null), HttpStatusCode.OK);
        Assert.Equal(18, server.Scoped(db => db.ForecastSnapshots.Count()));
        Assert.Equal(HttpStatusCode.Forbidden, (await rep1.PostAsync("/api/v1/forecasts/snapshots", null)).StatusCode);

        var snaps = await rep1.GetJsonAsync($"/api/v1/forecasts/snapshots?period=FY2026-Q1&subjectKind=user&subjectId={w.Rep1.Id}");
        Assert.Equal("2026-02-09 3000 1000/2200/0/0", string.Join(";", snaps.EnumerateArray().Select(s => $"{s.Str("takenOn")} {s.GetProperty("call").GetDecimal():0.##} {Amounts(s)}")));
        var company = await w.Admin.GetJsonAsync("/api/v1/forecasts/snapshots?period=FY2026-Q1");
        Assert.Equal("2026-02-09 3000 1000/2200/500/600", string.Join(";", company.EnumerateArray().Select(s => $"{s.Str("takenOn")} {s.GetProperty("call").GetDecimal():0.##} {Amounts(s)}")));

        // Forecast 3,000 against 1,000 won so far: accuracy 1 - 2000/1000 = -1, bias +2. The quarter before has no snapshot.
        var accuracy = await rep1.GetJsonAsync($"/api/v1/forecasts/accuracy?subjectKind=user&subjectId={w.Rep1.Id}&periods=2");
        Assert.Equal("FY2026-Q1 2026-02-09 3000 1000 -1 2 False|FY2025-Q4 - - 0 - - True", string.Join("|", accuracy.EnumerateArray().Select(a =>
            $"{a.Str("period")} {a.Str("snapshotOn") ?? "-"} {(a.GetProperty("forecast").ValueKind == JsonValueKind.Null ? "-" : a.GetProperty("forecast").GetDecimal().ToString("0.##"))} {a.GetProperty("actual").GetDecimal():0.##} " +
            $"{(a.GetProperty("accuracy").ValueKind == JsonValueKind.Null ? "-" : a.GetProperty("accuracy").GetDecimal().ToString("0.####"))} {(a.GetProperty("bias").ValueKind == JsonValueKind.Null ? "-" : a.GetProperty("bias").GetDecimal().ToString("0.####"))} {a.GetProperty("final").GetBoolean()}")));
        // The team's forecast where nobody adjusted is its roll-up; DACH (rep2 did not submit) falls back to won + commit = 0.
        var team = await w.Admin.GetJsonAsync($"/api/v1/forecasts/accuracy?subjectKind=team&subjectId={w.Emea}&periods=1");
        Assert.Equal("3000 1000 -1 2", string.Join("", team.EnumerateArray().Select(a => $"{a.GetProperty("forecast").GetDecimal():0.##} {a.GetProperty("actual").GetDecimal():0.##} {a.GetProperty("accuracy").GetDecimal():0.##} {a.GetProperty("bias").GetDecimal():0.##}")));
        var rep2 = await server.ClientForAsync(w.Rep2);
        Assert.Equal(HttpStatusCode.Forbidden, (await rep2.GetAsync($"/api/v1/forecasts/accuracy?subjectKind=user&subjectId={w.Rep1.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_worker_takes_the_weekly_snapshot_by_itself(string provider)
    {
        await using var server = await StartAsync(provider, workers: true);
        for (var i = 0; i < 100 && server.Scoped(db => db.ForecastSnapshots.Select(s => s.Period).Distinct().Count()) < 3; i++) await Task.Delay(100);
        Assert.Equal(["FY2026-M02|2026-02-09", "FY2026-Q1|2026-02-09", "FY2026|2026-02-09"],
            server.Scoped(db => db.ForecastSnapshots.Where(s => s.SubjectKind == "company").ToList()).Select(s => $"{s.Period}|{s.TakenOn:yyyy-MM-dd}").Order(StringComparer.Ordinal).ToList());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apm_by_region_with_targets_colours_year_over_year_csv_drill_down_and_actions(string provider)
    {
        await using var server = await StartAsync(provider);
        var w = await SeedAsync(server);
        foreach (var (subject, metric, amount) in new[] { ("EMEA", "bookings", 5000m), ("EMEA", "generation", 10000m), ("NA", "bookings", 1000m) })
            await Ok(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026-Q1", subjectKind = "region", subject, metric, amount }));

        // EMEA: won 1,000 (last year by now 400, whole quarter 1,000); open 2,200 commit + 500; created 4,700 (A, B, C, F, G).
        // NA: open 600 (D's ACV); created 900 (D 600 + E 300). Half the quarter has passed.
        var csv = await (await w.Admin.GetAsync("/api/v1/analytics/apm?dimension=region&period=FY2026-Q1&format=csv")).Content.ReadAsStringAsync();
        Assert.Equal(string.Join("\n",
            "region,forecast,forecast_target,forecast_pct_of_target,forecast_yoy,forecast_status,closed,closed_target,closed_pct_of_target,closed_yoy,closed_status,open_pipeline,open_pipeline_target,open_pipeline_pct_of_target,open_pipeline_yoy,open_pipeline_status,generation,generation_target,generation_pct_of_target,generation_yoy,generation_status,coverage,coverage_target,coverage_pct_of_target,coverage_yoy,coverage_status",
            "(all),3200.00,6000.00,0.5333,2.2,red,1000.00,6000.00,0.1667,1.5,red,3300.00,15000.00,0.22,,red,5600.00,10000.00,0.56,,green,0.66,3,0.22,,red",
            "EMEA,3200.00,5000.00,0.64,2.2,red,1000.00,5000.00,0.2,1.5,red,2700.00,12000.00,0.225,,red,4700.00,10000.00,0.47,,yellow,0.675,3,0.225,,red",
            "NA,0.00,1000.00,0,,red,0.00,1000.00,0,,red,600.00,3000.00,0.2,,red,900.00,,,,none,0.6,3,0.2,,red", ""), csv);

        // The CLI computes the same matrix on the real clock, when FY2026-Q1 is over: closed and generation are then
        // expected in full (EMEA generation 47 % turns red), and last year's closed business is compared whole
        // (F and G: 1,000, so YoY 0); everything else is the same.
        var cli = await RevLoopProcess.RunAsync(server.Database, "metrics", "apm", "--dimension", "region", "--period", "FY2026-Q1");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        Assert.Equal(csv.Replace("5600.00,10000.00,0.56,,green", "5600.00,10000.00,0.56,,red", StringComparison.Ordinal)
            .Replace("4700.00,10000.00,0.47,,yellow", "4700.00,10000.00,0.47,,red", StringComparison.Ordinal)
            .Replace(",0.1667,1.5,red", ",0.1667,0,red", StringComparison.Ordinal).Replace(",0.2,1.5,red", ",0.2,0,red", StringComparison.Ordinal), cli.StdOut);
        var badCli = await RevLoopProcess.RunAsync(server.Database, "metrics", "apm", "--dimension", "planet");
        Assert.Equal((2, $"error: --dimension: must be one of product, region, segment, source{Environment.NewLine}"), (badCli.ExitCode, badCli.StdErr));

        var apm = await w.Admin.GetJsonAsync("/api/v1/analytics/apm?dimension=region&period=FY2026-Q1");
        Assert.Equal(("2026-02-14", 0.5m, 0.8m), (apm.Str("asOf"), apm.GetProperty("elapsed").GetDecimal(), apm.GetProperty("thresholds").GetProperty("redBelow").GetDecimal()));

        // Thresholds are settings: with red only below 0.3, EMEA's closed pace 0.4 turns yellow.
        Assert.Equal(HttpStatusCode.OK, (await w.Admin.MergePatchAsync("/api/v1/settings", """{"apmRedBelow":0.3}""")).StatusCode);
        apm = await w.Admin.GetJsonAsync("/api/v1/analytics/apm?dimension=region&period=FY2026-Q1");
        Assert.Equal("yellow", apm.GetProperty("rows")[0].GetProperty("closed").Str("status"));
        await Api.AssertProblemAsync(await w.Admin.MergePatchAsync("/api/v1/settings", """{"apmGreenFrom":0.1}"""), HttpStatusCode.BadRequest, "apmGreenFrom");
        await Api.AssertProblemAsync(await w.Admin.GetAsync("/api/v1/analytics/apm?dimension=planet"), HttpStatusCode.BadRequest, "dimension");

        // Every amount opens its deals: EMEA's forecast is A (won) and B (commit); generation pages.
        var deals = await w.Admin.GetJsonAsync("/api/v1/analytics/apm/deals?dimension=region&value=EMEA&period=FY2026-Q1&column=forecast");
        Assert.Equal("B 2200 won=False|A 1000 won=True", string.Join("|", deals.GetProperty("items").EnumerateArray().Select(d => $"{d.Str("name")} {d.GetProperty("amount").GetDecimal():0.##} won={d.Str("status") == "won"}")));
        var gen = await w.Admin.GetJsonAsync("/api/v1/analytics/apm/deals?dimension=region&value=NA&period=FY2026-Q1&column=generation&pageSize=1");
        var gen2 = await w.Admin.GetJsonAsync($"/api/v1/analytics/apm/deals?dimension=region&value=NA&period=FY2026-Q1&column=generation&pageSize=1&cursor={gen.Str("nextCursor")}");
        Assert.Equal("D,E", string.Join(",", gen.Names().Concat(gen2.Names())));
        // The total row's cells open every value's deals: the (all) open pipeline is EMEA's and NA's, 3,300 in all.
        string Open(JsonElement page) => string.Join("|", page.GetProperty("items").EnumerateArray().Select(d => $"{d.Str("name")} {d.GetProperty("amount").GetDecimal():0.##}"));
        var allOpen = await w.Admin.GetJsonAsync("/api/v1/analytics/apm/deals?dimension=region&value=(all)&period=FY2026-Q1&column=open_pipeline");
        var byRegion = (Open(await w.Admin.GetJsonAsync("/api/v1/analytics/apm/deals?dimension=region&value=EMEA&period=FY2026-Q1&column=open_pipeline")) + "|"
            + Open(await w.Admin.GetJsonAsync("/api/v1/analytics/apm/deals?dimension=region&value=NA&period=FY2026-Q1&column=open_pipeline"))).Split('|');
        Assert.Equal(byRegion.Order(StringComparer.Ordinal), Open(allOpen).Split('|').Order(StringComparer.Ordinal));
        var amounts = allOpen.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("amount").GetDecimal()).ToList();
        Assert.Equal([2200m, 600m, 500m], amounts);

        // The company's coverage (pipeline dashboard): no company target, so the regions' 6,000; open 3,300 / (6,000 - 1,000 won).
        var coverage = await w.Admin.GetJsonAsync("/api/v1/analytics/coverage?period=FY2026-Q1&count=2");
        Assert.Equal("FY2026-Q1 3300 6000 1000 0.66 3 red|FY2026-Q2 0 - 0 - - none", string.Join("|", coverage.EnumerateArray().Select(c =>
            $"{c.Str("period")} {c.GetProperty("openPipeline").GetDecimal():0.##} {Num(c, "bookingsTarget")} {c.GetProperty("won").GetDecimal():0.##} {Num(c, "coverage")} {Num(c, "coverageTarget")} {c.Str("status")}")));
        await Ok(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period = "FY2026-Q1", subjectKind = "company", subject = "", metric = "bookings", amount = 12000m }));
        Assert.Equal("3300 12000 0.3", string.Join("", (await w.Admin.GetJsonAsync("/api/v1/analytics/coverage?period=FY2026-Q1&count=1")).EnumerateArray()
            .Select(c => $"{c.GetProperty("openPipeline").GetDecimal():0.##} {Num(c, "bookingsTarget")} {Num(c, "coverage")}")));
        await Api.AssertProblemAsync(await w.Admin.GetAsync("/api/v1/analytics/coverage?period=FY2026"), HttpStatusCode.BadRequest, "period");
        await Api.AssertProblemAsync(await w.Admin.GetAsync("/api/v1/analytics/coverage?count=9"), HttpStatusCode.BadRequest, "count");

        // A rep sees the matrix of their own deals only.
        var rep2 = await server.ClientForAsync(w.Rep2);
        var mine = await rep2.GetJsonAsync("/api/v1/analytics/apm?dimension=region&period=FY2026-Q1");
        Assert.Equal("EMEA 500|NA 600", string.Join("|", mine.GetProperty("rows").EnumerateArray().Select(r => $"{r.Str("value")} {r.GetProperty("openPipeline").GetProperty("amount").GetDecimal():0.##}")));

        // An action on a cell becomes a task for its owner, listed on the matrix until it is done.
        var manager = await server.ClientForAsync(w.Manager);
        await Api.AssertProblemAsync(await manager.PostAsJsonAsync("/api/v1/analytics/apm/actions", new { period = "FY2026-Q1", dimension = "region", value = "EMEA", column = "closed", ownerId = w.Rep1.Id, dueDate = "2026-02-14" }), HttpStatusCode.BadRequest, "note");
        var action = await Ok(await manager.PostAsJsonAsync("/api/v1/analytics/apm/actions", new { period = "FY2026-Q1", dimension = "region", value = "EMEA", column = "closed", ownerId = w.Rep1.Id, dueDate = "2026-02-14", note = "Call the three largest open deals" }));
        var rep1 = await server.ClientForAsync(w.Rep1);
        var tasks = await rep1.GetJsonAsync("/api/v1/activities/my-tasks");
        Assert.Equal(["APM FY2026-Q1 · region EMEA · closed"], tasks.EnumerateArray().Select(t => t.Str("subject")!).ToList());
        var open = await w.Admin.GetJsonAsync("/api/v1/analytics/apm/actions?dimension=region&period=FY2026-Q1");
        Assert.Equal(["EMEA closed rep1 2026-02-14 open Call the three largest open deals"], open.EnumerateArray().Select(a => $"{a.Str("value")} {a.Str("column")} {a.Str("ownerName")} {a.Str("dueDate")} {a.Str("status")} {a.Str("note")}").ToList());
        Assert.Equal(HttpStatusCode.OK, (await rep1.MergePatchAsync($"/api/v1/activities/{action.Str("activityId")}", """{"status":"done"}""")).StatusCode);
        Assert.Equal(0, (await w.Admin.GetJsonAsync("/api/v1/analytics/apm/actions?dimension=region&period=FY2026-Q1")).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Open_pipeline_year_over_year_compares_with_last_years_pipeline_as_it_stood_that_day(string provider)
    {
        await using var server = await StartAsync(provider);
        var w = await SeedAsync(server);
        // A year before "now" (2026-02-14) H was open in EMEA: created 2025-01-10, closing 2025-03-20 at 400 as of that
        // day (an earlier change had moved it there from June). On 2025-03-01 it slipped to April, on 2025-03-02 it grew to
        // 900 and it was lost in April: last year's FY2025-Q1 pipeline as it stood on 2025-02-14 holds it at 400.
        // I was already won by then, J created after: neither counts.
        DateTimeOffset At(string day) => DateTimeOffset.Parse(day + "T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await server.WithDbAsync(async db =>
        {
            var o = db.Opportunities.IgnoreQueryFilters().First(x => x.Name == "A");
            var lost = db.Stages.First(st => st.PipelineId == o.PipelineId && st.Name == "Lost").Id;
            var won = db.Stages.First(st => st.PipelineId == o.PipelineId && st.Name == "Won").Id;
            RevLoop.Crm.Opportunities.Opportunity Deal(string name, Guid stage) => new()
            {
                Name = name, AccountId = o.AccountId, PipelineId = o.PipelineId, StageId = stage, Currency = "USD", Region = "EMEA", OwnerId = w.Rep1.Id,
                ForecastCategory = "pipeline", LostReason = stage == lost ? "price" : null,
            };
            db.Opportunities.AddRange(Deal("H", lost), Deal("I", won), Deal("J", lost));
            return await db.SaveChangesAsync();
        });
        await server.WithDbAsync(async db =>
        {
            var ids = db.Opportunities.IgnoreQueryFilters().Where(x => x.Name == "H" || x.Name == "I" || x.Name == "J").ToDictionary(x => x.Name, x => x.Id);
            var n = 0;
            n += await db.Opportunities.IgnoreQueryFilters().Where(x => x.Id == ids["H"]).ExecuteUpdateAsync(u => u.SetProperty(x => x.CreatedAt, At("2025-01-10"))
                .SetProperty(x => x.LostAt, At("2025-04-20")).SetProperty(x => x.CloseDate, new DateOnly(2025, 4, 10)).SetProperty(x => x.AmountMinor, 90_000));
            n += await db.Opportunities.IgnoreQueryFilters().Where(x => x.Id == ids["I"]).ExecuteUpdateAsync(u => u.SetProperty(x => x.CreatedAt, At("2025-01-05"))
                .SetProperty(x => x.WonAt, At("2025-02-10")).SetProperty(x => x.CloseDate, new DateOnly(2025, 3, 1)).SetProperty(x => x.AmountMinor, 70_000));
            n += await db.Opportunities.IgnoreQueryFilters().Where(x => x.Id == ids["J"]).ExecuteUpdateAsync(u => u.SetProperty(x => x.CreatedAt, At("2025-03-01"))
                .SetProperty(x => x.LostAt, At("2025-03-20")).SetProperty(x => x.CloseDate, new DateOnly(2025, 3, 15)).SetProperty(x => x.AmountMinor, 50_000));
            FieldChange Change(string field, string? old, string? @new, string at) => new()
            {
                EntityType = "opportunity", EntityId = ids["H"], Field = field, OldValue = old, NewValue = @new, ChangedAt = At(at), ChangedBy = "test", Source = "api",
                ChangeSetId = Guid.NewGuid(),
            };
            db.FieldChanges.AddRange(Change("CloseDate", "2025-06-01", "2025-03-20", "2025-02-01"), Change("CloseDate", "2025-03-20", "2025-04-10", "2025-03-01"),
                Change("AmountMinor", "40000", "90000", "2025-03-02"));
            return n + await db.SaveChangesAsync();
        });

        var apm = await w.Admin.GetJsonAsync("/api/v1/analytics/apm?dimension=region&period=FY2026-Q1");
        string Yoy(JsonElement row) => $"{row.Str("value")} {row.GetProperty("openPipeline").GetProperty("amount").GetDecimal():0.##} {Num(row.GetProperty("openPipeline"), "yoyChange")}";
        // EMEA: 2,700 open now against 400 then = +575 %; NA had nothing open then; in all 3,300 against 400.
        Assert.Equal("EMEA 2700 5.75|NA 600 -|(all) 3300 7.25",
            string.Join("|", apm.GetProperty("rows").EnumerateArray().Append(apm.GetProperty("total")).Select(Yoy)));

        // Coverage against last year's on the same day, where last year had a target: EMEA now 2,700 / (5,000 - 1,000 won)
        // = 0.675; then 400 / (2,000 - 400 won by 2025-02-14, F) = 0.25; +170 %. In all (EMEA's targets only): 0.825 vs 0.25.
        foreach (var (period, amount) in new[] { ("FY2026-Q1", 5000m), ("FY2025-Q1", 2000m) })
            await Ok(await w.Admin.PutAsJsonAsync("/api/v1/targets", new { period, subjectKind = "region", subject = "EMEA", metric = "bookings", amount }));
        apm = await w.Admin.GetJsonAsync("/api/v1/analytics/apm?dimension=region&period=FY2026-Q1");
        string Coverage(JsonElement row) => $"{row.Str("value")} {Num(row.GetProperty("coverage"), "amount")} {Num(row.GetProperty("coverage"), "yoyChange")}";
        Assert.Equal("EMEA 0.675 1.7|NA - -|(all) 0.825 2.3",
            string.Join("|", apm.GetProperty("rows").EnumerateArray().Append(apm.GetProperty("total")).Select(Coverage)));
    }

    private static string Num(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? "-" : e.GetProperty(name).GetDecimal().ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
