using System.Net.Http.Json;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Cli;

public class CliRoutingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Routing_simulate_answers_as_the_API_and_check_sla_settles_nothing_when_nothing_is_due(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Sdr);
        (await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "DACH", action = "user", userId = rep.Id, countries = new[] { "de", "at", "ch" } })).EnsureSuccessStatusCode();

        var hit = await RevLoopProcess.RunAsync(server.Database, "routing", "simulate", "--country", "AT", "--company", "Wien GmbH");
        Assert.True(hit.ExitCode == 0, hit.ToString());
        Assert.Equal($"DACH: matched rule 1 \"DACH\": assigned to rep -> owner {rep.Id}{Environment.NewLine}", hit.StdOut);
        var miss = await RevLoopProcess.RunAsync(server.Database, "routing", "simulate", "--country", "FR");
        Assert.Equal($"No rule: no rule matched and no account owner: the lead stays unassigned -> unassigned{Environment.NewLine}", miss.StdOut);
        var bad = await RevLoopProcess.RunAsync(server.Database, "routing", "simulate", "--lead", Guid.Empty.ToString());
        Assert.Equal((2, $"error: leadId: no lead has id {Guid.Empty}{Environment.NewLine}"), (bad.ExitCode, bad.StdErr));

        var check = await RevLoopProcess.RunAsync(server.Database, "routing", "check-sla");
        Assert.Equal((0, $"0 touched in time, 0 breached{Environment.NewLine}"), (check.ExitCode, check.StdOut));
    }
}
