using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Cli;

/// <summary>`revloop abm engagement` as a real process prints the numbers the API answers (on the real clock: touches days away from the window's edge).</summary>
public class CliAbmTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Abm_engagement_prints_what_the_api_answers_as_csv_json_and_table(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var pipeline = await (await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", stages = new[] { new { name = "Open", type = "open" }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } },
        })).ReadJsonAsync();
        var stages = pipeline.GetProperty("stages").EnumerateArray().ToDictionary(s => s.Str("name")!, s => s.Str("id"));
        (await api.PostAsJsonAsync("/api/v1/currencies", new { code = "EUR", name = "Euro" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2020-01-01", rate = 1.25m })).EnsureSuccessStatusCode();
        var acme = await api.CreateAccountIdAsync("""{"name":"Acme, \"the\" company","domain":"acme.com"}""");
        var globex = await api.CreateAccountIdAsync("""{"name":"Globex","domain":"globex.com"}""");
        var list = (await (await api.PostAsJsonAsync("/api/v1/target-lists", new { name = "Enterprise wave 1" })).ReadJsonAsync()).GetProperty("id").GetGuid();
        (await api.PostAsJsonAsync($"/api/v1/target-lists/{list}/accounts", new { accountIds = new[] { acme, globex } })).EnsureSuccessStatusCode();
        var campaign = (await (await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Roundtable, Berlin", type = "event" })).ReadJsonAsync()).GetProperty("id").GetGuid();
        var jane = (await (await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Jane", lastName = "Doe", accountId = acme })).ReadJsonAsync())
            .GetProperty("contact").GetProperty("id").GetGuid();
        foreach (var (name, stage, amount, currency) in new[] { ("Acme one", "Open", 1000.10m, "EUR"), ("Acme two", "Won", 2500m, "USD") })
            (await api.PostAsJsonAsync("/api/v1/opportunities", new { name, accountId = acme, pipelineId = pipeline.Str("id"), stageId = stages[stage], amount, currency, closeDate = "2026-01-15" }))
                .EnsureSuccessStatusCode();
        var day = TimeProvider.System.GetUtcNow().AddDays(-3).ToString("O");
        var older = TimeProvider.System.GetUtcNow().AddDays(-40).ToString("O");
        using var sent = await api.PostAsync("/api/v1/events", $$"""
            {"events":[{"id":"e1","type":"webinar_attended","contactId":"{{jane}}","campaignId":"{{campaign}}","occurredAt":"{{day}}"},
                       {"id":"e2","type":"email_click","contactId":"{{jane}}","occurredAt":"{{older}}"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);

        var csv = await (await api.GetAsync($"/api/v1/target-lists/{list}/engagement?format=csv")).Content.ReadAsStringAsync();
        var cli = await RevLoopProcess.RunAsync(server.Database, "abm", "engagement", "--list", "Enterprise wave 1", "--format", "csv");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        Assert.Equal(csv, cli.StdOut);
        var lines = cli.StdOut.Split('\n');
        Assert.Equal("account_id,account,domain,added_at,score,engaged_people,events,last_engaged_at,campaigns,open_pipeline,open_opportunities,won,won_opportunities", lines[0]);
        // 1,000.10 EUR x 1.25 = 1,250.125 -> 1,250.13 USD (half away from zero).
        var stamp = @"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z";
        Assert.Matches($@"^{acme},""Acme, """"the"""" company"",acme\.com,{stamp},20,1,2,{stamp},""Roundtable, Berlin"",1250\.13,1,2500\.00,1$", lines[1]);
        Assert.EndsWith(",\"Roundtable, Berlin\",1250.13,1,2500.00,1", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"{acme},\"Acme, \"\"the\"\" company\",acme.com,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"{globex},Globex,globex.com,", lines[2], StringComparison.Ordinal);
        Assert.EndsWith(",0,0,0,,,0.00,0,0.00,0", lines[2], StringComparison.Ordinal);

        // JSON: the same document as the API but for the instant it was computed at.
        var fromApi = await api.GetJsonAsync($"/api/v1/target-lists/{list}/engagement?days=30");
        var json = await RevLoopProcess.RunAsync(server.Database, "abm", "engagement", "--list", list.ToString(), "--days", "30", "--format", "json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var fromCli = JsonDocument.Parse(json.StdOut).RootElement;
        foreach (var part in new[] { "listId", "list", "days", "opportunities", "baseCurrency", "weights", "totals", "accounts", "campaigns", "unconvertedOpportunities" })
            Assert.Equal(fromApi.GetProperty(part).GetRawText(), fromCli.GetProperty(part).GetRawText());
        Assert.Equal(15, fromCli.GetProperty("totals").GetProperty("score").GetInt64());

        var table = await RevLoopProcess.RunAsync(server.Database, "abm", "engagement", "--list", "Enterprise wave 1");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Enterprise wave 1: engagement in the last 90 days, deals created since each account was added, amounts in USD", table.StdOut);
        Assert.Matches(@"\nTotal\s+20\s+1\s+2\s+1250\.13\s+1\s+2500\.00\s+1\n", table.StdOut);
        Assert.Contains("1 of 2 accounts engaged", table.StdOut);

        var unknown = await RevLoopProcess.RunAsync(server.Database, "abm", "engagement", "--list", "Nope");
        Assert.Equal((2, "error: --list: no target account list is named or has the id 'Nope'\n"), (unknown.ExitCode, unknown.StdErr.Replace("\r", "", StringComparison.Ordinal)));
        var badDays = await RevLoopProcess.RunAsync(server.Database, "abm", "engagement", "--list", "Nope", "--days", "0");
        Assert.Equal((2, "error: --days: must be between 1 and 3650\n"), (badDays.ExitCode, badDays.StdErr.Replace("\r", "", StringComparison.Ordinal)));
    }
}
