using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Activities;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Metrics;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Analytics;

/// <summary>
/// Deals written at known times (the history interceptor records each move at the clock's time), so the features the
/// server reads from history can be written down by hand: the API must give exactly the probability of a model trained
/// on those hand-written snapshots.
/// </summary>
public class WinProbabilityApiTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Probabilities_and_ai_weighted_forecast_follow_the_deals_history(string provider)
    {
        var clock = new Clock();
        await using var server = await RunningServer.StartAsync(provider, o => new RevLoop.Server.Hosting.ServeOptions { Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, ConfigureServices = s => s.AddSingleton<TimeProvider>(clock) });
        var api = await server.AdminClientAsync();
        var pipeline = new Pipeline { Name = "P" };
        Stage early = new() { Name = "Early", SortOrder = 0, Probability = 20, Type = StageTypes.Open }, late = new() { Name = "Late", SortOrder = 1, Probability = 60, Type = StageTypes.Open },
            won = new() { Name = "Won", SortOrder = 2, Probability = 100, Type = StageTypes.Won }, lost = new() { Name = "Lost", SortOrder = 3, Probability = 0, Type = StageTypes.Lost };
        pipeline.Stages.AddRange([early, late, won, lost]);
        var account = new Account { Name = "Acme", Segment = "smb" };
        await server.WithDbAsync(async db => { db.Pipelines.Add(pipeline); db.Accounts.Add(account); return await db.SaveChangesAsync(); });

        async Task<Opportunity> At(DateTimeOffset at, Func<RevLoopDb, Task<Opportunity>> change)
        {
            clock.Now = at;
            return await server.WithDbAsync(async db => { var o = await change(db); await db.SaveChangesAsync(); return o; });
        }
        Task<Opportunity> Create(DateTimeOffset at, string name, long amount, DateOnly close) => At(at, db =>
        {
            var o = new Opportunity { Name = name, AccountId = account.Id, PipelineId = pipeline.Id, StageId = early.Id, AmountMinor = amount, Currency = "USD", CloseDate = close, Segment = "smb", Source = "inbound" };
            db.Opportunities.Add(o);
            return Task.FromResult(o);
        });
        Task<Opportunity> Move(DateTimeOffset at, Guid id, Action<Opportunity> edit) => At(at, async db =>
        {
            var o = await db.Opportunities.FindAsync(id) ?? throw new InvalidOperationException();
            edit(o);
            return o;
        });

        // 40 closed deals, deal i created on day i and closed on day i + 20, seen on day i + 10 for training:
        // i % 4 == 0: lost from Early; 1: Late on day i + 5, won; 2: Late on day i + 15, lost; 3: won from Early.
        // So at day i + 10: i % 4 == 1 is in Late for 5 days, the others in Early for 10 days.
        var rows = new List<DealSnapshot>();
        var outcomes = new List<bool>();
        for (int i = 0; i < 40; i++)
        {
            var created = T0.AddDays(i);
            long amount = (1000 + 100 * i) * 100L;
            var o = await Create(created, $"Deal {i}", amount, DateOnly.FromDateTime(created.AddDays(30).UtcDateTime));
            if (i % 4 is 1 or 2) await Move(created.AddDays(i % 4 == 1 ? 5 : 15), o.Id, x => x.StageId = late.Id);
            bool isWon = i % 4 is 1 or 3;
            await Move(created.AddDays(20), o.Id, x =>
            {
                x.StageId = isWon ? won.Id : lost.Id;
                if (isWon) x.WonAt = created.AddDays(20); else x.LostAt = created.AddDays(20);
            });
            rows.Add(i % 4 == 1 ? new DealSnapshot("P / Late", 10, 5, amount, "smb", "inbound", 0, 0) : new DealSnapshot("P / Early", 10, 10, amount, "smb", "inbound", 0, 0));
            outcomes.Add(isWon);
        }
        // Open deals: A (created day 100, Late on day 103, two activities, close date pushed once on day 105) and B
        // (created day 105, still in Early). Now = day 110.
        var a = await Create(T0.AddDays(100), "Open A", 500_000, new DateOnly(2025, 5, 1));
        await Move(T0.AddDays(103), a.Id, x => x.StageId = late.Id);
        await Move(T0.AddDays(105), a.Id, x => x.CloseDate = new DateOnly(2025, 6, 1));
        foreach (var day in new[] { 101, 104 })
        {
            clock.Now = T0.AddDays(day);
            await server.WithDbAsync(async db =>
            {
                db.Activities.Add(new Activity { Type = ActivityTypes.Call, Subject = "Call", OccurredAt = T0.AddDays(day), OpportunityId = a.Id, AccountId = account.Id, Status = ActivityStatus.Done });
                return await db.SaveChangesAsync();
            });
        }
        var b = await Create(T0.AddDays(105), "Open B", 200_000, new DateOnly(2025, 5, 15));
        clock.Now = T0.AddDays(110);

        var model = WinModel.Train(rows, outcomes);
        Assert.Equal((32, 8, 1.0, 0.0), (model.TrainingRows, model.CalibrationRows, model.PlattA, model.PlattB)); // 8 calibration rows: too few to calibrate
        double pa = model.Predict(new DealSnapshot("P / Late", 10, 7, 500_000, "smb", "inbound", 2, 1));
        double pb = model.Predict(new DealSnapshot("P / Early", 5, 5, 200_000, "smb", "inbound", 0, 0));
        Assert.True(pa > pb, $"Late ({pa}) should beat Early ({pb}) on this history");

        var one = await api.GetJsonAsync($"/api/v1/analytics/win-probability?opportunityId={a.Id}");
        Assert.Equal(Math.Round((decimal)pa, 4, MidpointRounding.AwayFromZero), one.GetProperty("probability").GetDecimal());
        Assert.Equal(("P / Late", 60, 5000m), (one.Str("stage"), one.GetProperty("stageProbability").GetInt32(), one.GetProperty("amount").GetDecimal()));

        var page = await api.GetJsonAsync("/api/v1/analytics/win-probability?closeFrom=2025-05-01&closeTo=2025-06-30&pageSize=1");
        var first = page.GetProperty("items")[0];
        Assert.Equal(a.Id.CompareTo(b.Id) < 0 ? a.Id : b.Id, first.GetProperty("opportunityId").GetGuid());
        var rest = await api.GetJsonAsync($"/api/v1/analytics/win-probability?closeFrom=2025-05-01&closeTo=2025-06-30&pageSize=1&cursor={page.Str("nextCursor")}");
        Assert.Equal(a.Id.CompareTo(b.Id) < 0 ? b.Id : a.Id, rest.GetProperty("items")[0].GetProperty("opportunityId").GetGuid());
        Assert.Null(rest.Str("nextCursor"));

        var forecast = await api.GetJsonAsync("/api/v1/analytics/forecast/ai-weighted?from=2025-05-01&to=2025-06-30");
        // Stage-weighted: 5000 x 60% + 2000 x 20% = 3400; AI-weighted: the same amounts x the model, rounded to cents once.
        var ai = Math.Round(500_000 * (decimal)pa + 200_000 * (decimal)pb, 0, MidpointRounding.AwayFromZero) / 100;
        Assert.Equal((2, 7000m, 3400m, ai, 40), (forecast.GetProperty("deals").GetInt32(), forecast.GetProperty("pipeline").GetDecimal(),
            forecast.GetProperty("stageWeighted").GetDecimal(), forecast.GetProperty("aiWeighted").GetDecimal(), forecast.GetProperty("trainingDeals").GetInt32()));
        var only = await api.GetJsonAsync("/api/v1/analytics/forecast/ai-weighted?from=2025-05-10&to=2025-05-20");
        Assert.Equal((1, 400m), (only.GetProperty("deals").GetInt32(), only.GetProperty("stageWeighted").GetDecimal()));

        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/forecast/ai-weighted?to=2025-06-30"), HttpStatusCode.BadRequest, "from");
        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/forecast/ai-weighted?from=2025-06-30&to=2025-05-01"), HttpStatusCode.BadRequest, "to");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/analytics/win-probability?opportunityId={Guid.NewGuid()}")).StatusCode);
        var closed = await api.GetJsonAsync($"/api/v1/analytics/win-probability?opportunityId={(await server.WithDbAsync(db => Task.FromResult(db.Opportunities.First(o => o.Name == "Deal 0").Id)))}");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, closed.GetProperty("probability").ValueKind);
        Assert.Equal("the deal is not in an open stage", closed.Str("reason"));

        // The CLI on the same database: deals 0-9 closed before 2025-01-31 train, deals 10-39 are the holdout.
        var cli = await RevLoopProcess.RunAsync(server.Database, "metrics", "win-model", "--holdout-from", "2025-01-31");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        var firstTen = WinModel.Train(rows.Take(10).ToList(), outcomes.Take(10).ToList());
        var holdout = outcomes.Skip(10).ToList();
        var predicted = rows.Skip(10).Select(firstTen.Predict).ToList();
        var stage = Enumerable.Range(10, 30).Select(i => i % 4 == 1 ? 0.6 : 0.2).ToList();
        static string F(double? v) => v!.Value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        var lines = cli.StdOut.Replace("\r", "").Split('\n');
        Assert.Equal("training: 10 deals closed before 2025-01-31 (5 won); fitted on the first 8, Platt-calibrated on the last 2 (a=1.0000, b=0.0000)", lines[0]);
        Assert.Equal("holdout: 30 deals closed on or after 2025-01-31 (15 won), each seen halfway between created and closed", lines[1]);
        Assert.Equal($"auc: {F(Classification.Auc(predicted, holdout))} (stage probability: {F(Classification.Auc(stage, holdout))})", lines[2]);
        Assert.Equal($"brier: {F(Classification.Brier(predicted, holdout))} (stage probability: {F(Classification.Brier(stage, holdout))})", lines[3]);
        var bins = Classification.Calibration(predicted, holdout);
        Assert.Equal(bins.Select(b => $"{b.From:0.0}-{b.To:0.0},{b.Deals},{(b.MeanPredicted is null ? "" : F(b.MeanPredicted))},{(b.WonRate is null ? "" : F(b.WonRate))}"), lines[6..16]);
        var bad = await RevLoopProcess.RunAsync(server.Database, "metrics", "win-model", "--holdout-from", "31/01/2025");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--holdout-from: '31/01/2025' is not a date YYYY-MM-DD", bad.StdErr, StringComparison.Ordinal);
    }
}
