using System.Net.Http.Json;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Cli;

public class CliScoringTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Scoring_recompute_rescores_everyone_and_says_how_many(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider, o => new Hosting.ServeOptions
        {
            Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, RunWorkers = false,
        });
        var api = await server.AdminClientAsync();
        (await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Vee", lastName = "Pee", title = "VP Marketing" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "En", lastName = "Gineer", title = "Engineer" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Di", lastName = "Rector", title = "Director of Sales" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/v1/scoring-rules", new { name = "Senior", kind = "fit", points = 15, titleKeywords = new[] { "VP", "Director" } })).EnsureSuccessStatusCode();

        var run = await RevLoopProcess.RunAsync(server.Database, "scoring", "recompute");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"3 people rescored (leads 2, contacts 1): 2 scores changed, 0 new MQLs, 0 re-routed{Environment.NewLine}", run.StdOut);
        Assert.Equal([0, 15], (await api.GetJsonAsync("/api/v1/leads")).GetProperty("items").EnumerateArray().Select(l => l.GetProperty("score").GetInt32()).Order());
        var again = await RevLoopProcess.RunAsync(server.Database, "scoring", "recompute");
        Assert.Equal($"3 people rescored (leads 2, contacts 1): 0 scores changed, 0 new MQLs, 0 re-routed{Environment.NewLine}", again.StdOut);
    }
}
