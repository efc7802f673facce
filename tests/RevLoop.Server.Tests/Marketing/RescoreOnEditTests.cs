using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Hosting;
using RevLoop.Server.Platform.Imports;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

/// <summary>
/// A change of a field fit rules read (a lead's title, an account's employees, an import's rows) rescores the people it
/// concerns in the same save: exact points, the breakdown, MQL with its time and re-routing, and a few queries per import
/// batch, not per row.
/// </summary>
public class RescoreOnEditTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static async Task<(RunningServer Server, Clock Clock)> StartAsync(string provider)
    {
        var clock = new Clock(Now);
        var server = await RunningServer.StartAsync(provider, o => new ServeOptions
        {
            Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, RunWorkers = false,
            ConfigureServices = s => s.AddSingleton<TimeProvider>(clock),
        });
        return (server, clock);
    }

    private static async Task<JsonElement> Ok(HttpResponseMessage r, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"{(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task RuleAsync(HttpClient api, object rule) => await Ok(await api.PostAsJsonAsync("/api/v1/scoring-rules", rule), HttpStatusCode.Created);

    private static async Task<Guid> LeadAsync(HttpClient api, object lead) =>
        (await Ok(await api.PostAsJsonAsync("/api/v1/leads", lead), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    /// <summary>The score and its breakdown, one "rule points why" per line joined by " | ".</summary>
    private static async Task<(int Score, string Breakdown)> ScoreAsync(HttpClient api, string path)
    {
        var s = await api.GetJsonAsync($"/api/v1/{path}/score");
        return (s.GetProperty("score").GetInt32(), string.Join(" | ", s.GetProperty("breakdown").EnumerateArray()
            .Select(b => $"{b.Str("rule")} {b.GetProperty("points").GetDouble().ToString(CultureInfo.InvariantCulture)} {b.Str("why")}")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Editing_a_lead_s_title_through_the_API_changes_its_score_by_the_rule_s_points_with_the_reason(string provider)
    {
        var (server, _) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        await RuleAsync(api, new { name = "Senior title", kind = "fit", points = 15, titleKeywords = new[] { "VP", "Head" } });
        await RuleAsync(api, new { name = "Germany", kind = "fit", points = 5, countries = new[] { "DE" } });
        await RuleAsync(api, new { name = "Pricing", kind = "behaviour", points = 10, eventType = "page_view", urlPattern = "/pricing" });
        // Created with a scored field: scored at once (5 for Germany).
        var lead = await LeadAsync(api, new { firstName = "Ed", lastName = "It", title = "Engineer", country = "DE" });
        Assert.Equal((5, "Germany 5 country DE"), await ScoreAsync(api, $"leads/{lead}"));
        Assert.Equal(0, (await Ok(await api.PostAsJsonAsync("/api/v1/events", new { events = new[] { new { id = "p1", type = "page_view", leadId = lead, url = "/pricing" } } })))
            .GetProperty("rejected").GetArrayLength());
        Assert.Equal(15, (await ScoreAsync(api, $"leads/{lead}")).Score);
        var version = (await api.GetJsonAsync($"/api/v1/leads/{lead}")).GetProperty("version").GetInt64();

        // The title edit adds exactly the rule's 15 points; the response already shows the new score.
        var edited = await Ok(await api.MergePatchAsync($"/api/v1/leads/{lead}", """{"title":"VP Engineering"}"""));
        Assert.Equal((30, version + 1), (edited.GetProperty("score").GetInt32(), edited.GetProperty("version").GetInt64()));
        Assert.Equal((30, "Senior title 15 title “VP Engineering” has “vp” | Pricing 10 1 × page view of /pricing, latest today | Germany 5 country DE"),
            await ScoreAsync(api, $"leads/{lead}"));
        Assert.Equal(30, (await api.GetJsonAsync($"/api/v1/leads/{lead}")).GetProperty("score").GetInt32());

        // A PUT changing the country takes the 5 away; a field no rule reads (phone) changes nothing.
        var full = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        var put = await Ok(await api.PutAsJsonAsync($"/api/v1/leads/{lead}", new { firstName = "Ed", lastName = "It", title = "VP Engineering", country = "AT", status = full.Str("status") }));
        Assert.Equal(25, put.GetProperty("score").GetInt32());
        Assert.Equal((25, "Senior title 15 title “VP Engineering” has “vp” | Pricing 10 1 × page view of /pricing, latest today"), await ScoreAsync(api, $"leads/{lead}"));
        await Ok(await api.MergePatchAsync($"/api/v1/leads/{lead}", """{"phone":"+49 30 1234567"}"""));
        Assert.Equal(25, (await ScoreAsync(api, $"leads/{lead}")).Score);
        // No history rows for the score: it is derived data.
        Assert.DoesNotContain((await api.GetJsonAsync($"/api/v1/leads/{lead}/history")).GetProperty("items").EnumerateArray(), c => c.Str("field")!.StartsWith("Score", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task An_edit_that_crosses_the_threshold_makes_an_MQL_at_that_moment_and_routes_it_again(string provider)
    {
        var (server, clock) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        var sdr = await server.CreateUserAsync("sdr@example.com", Roles.Sdr);
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        await Ok(await api.PutAsJsonAsync("/api/v1/scoring-rules/threshold", new { mqlThreshold = 75 }));
        await RuleAsync(api, new { name = "Pricing", kind = "behaviour", points = 30, eventType = "page_view", urlPattern = "/pricing" });
        await RuleAsync(api, new { name = "Chief", kind = "fit", points = 20, titleKeywords = new[] { "CTO", "CEO" } });
        var lead = await LeadAsync(api, new { firstName = "Max", lastName = "Mu", title = "Developer", company = "Mu GmbH", country = "DE", ownerId = sdr.Id, status = "working" });
        await Ok(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "Qualified to AE", action = "user", userId = ae.Id, countries = new[] { "DE" } }), HttpStatusCode.Created);
        await Ok(await api.PostAsJsonAsync("/api/v1/events", new
        {
            events = new[] { new { id = "v1", type = "page_view", leadId = lead, url = "/pricing" }, new { id = "v2", type = "page_view", leadId = lead, url = "/pricing" } },
        }));
        var before = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        Assert.Equal((60, "working", null, sdr.Id), (before.GetProperty("score").GetInt32(), before.Str("status"), before.Str("mqlAt"), before.GetProperty("ownerId").GetGuid()));

        // An hour later the title becomes CTO: 60 + 20 = 80 reaches 75, so the lead is an MQL from that moment, routed to the AE.
        clock.Now = Now.AddHours(1);
        var edited = await Ok(await api.MergePatchAsync($"/api/v1/leads/{lead}", """{"title":"CTO"}"""));
        Assert.Equal((80, "mql", Now.AddHours(1), ae.Id),
            (edited.GetProperty("score").GetInt32(), edited.Str("status"), edited.GetProperty("mqlAt").GetDateTimeOffset(), edited.GetProperty("ownerId").GetGuid()));
        var stored = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        Assert.Equal((80, "mql", Now.AddHours(1), ae.Id),
            (stored.GetProperty("score").GetInt32(), stored.Str("status"), stored.GetProperty("mqlAt").GetDateTimeOffset(), stored.GetProperty("ownerId").GetGuid()));
        var decision = Assert.Single((await api.GetJsonAsync($"/api/v1/leads/{lead}/routing")).EnumerateArray());
        Assert.Equal(("Qualified to AE", "matched rule 1 \"Qualified to AE\": assigned to ae"), (decision.Str("rule"), decision.Str("reason")));
        // The history says who did what: the admin changed the title, the scoring the status.
        var history = (await api.GetJsonAsync($"/api/v1/leads/{lead}/history")).GetProperty("items").EnumerateArray()
            .Where(c => c.Str("oldValue") is not null && c.Str("field") is "Title" or "Status").Select(c => $"{c.Str("field")} {c.Str("oldValue")} {c.Str("newValue")} {c.Str("changedBy")}").ToList();
        Assert.Equal(2, history.Count);
        Assert.Contains("Status working mql scoring", history);
        Assert.StartsWith("Title Developer CTO token:", history.Single(h => h.StartsWith("Title", StringComparison.Ordinal)), StringComparison.Ordinal);

        // Editing it again (still above) neither moves MqlAt nor routes it again.
        clock.Now = Now.AddHours(2);
        await Ok(await api.MergePatchAsync($"/api/v1/leads/{lead}", """{"title":"CEO"}"""));
        Assert.Equal(Now.AddHours(1), (await api.GetJsonAsync($"/api/v1/leads/{lead}")).GetProperty("mqlAt").GetDateTimeOffset());
        Assert.Single((await api.GetJsonAsync($"/api/v1/leads/{lead}/routing")).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task An_account_s_employees_change_rescores_its_contacts_and_not_the_leads_which_score_from_their_own_fields(string provider)
    {
        var (server, _) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        await RuleAsync(api, new { name = "Mid-size", kind = "fit", points = 20, minEmployees = 200, maxEmployees = 5000 });
        var account = await api.CreateAccountIdAsync("""{"name":"Globex","domain":"globex.com","employees":50}""");
        var other = await api.CreateAccountIdAsync("""{"name":"Initech","employees":1000}""");
        async Task<Guid> Contact(string last) => (await Ok(await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Cy", lastName = last, accountId = account }), HttpStatusCode.Created))
            .GetProperty("contact").GetProperty("id").GetGuid();
        var (c1, c2) = (await Contact("One"), await Contact("Two"));
        // A lead matched to the account by its domain: fit rules read the lead's own employees (none given).
        var lead = await LeadAsync(api, new { firstName = "Le", lastName = "Ad", company = "Globex", domain = "globex.com" });
        Assert.Equal(account, (await api.GetJsonAsync($"/api/v1/leads/{lead}")).GetProperty("matchedAccountId").GetGuid());
        Assert.Equal((0, 0, 0), ((await ScoreAsync(api, $"contacts/{c1}")).Score, (await ScoreAsync(api, $"contacts/{c2}")).Score, (await ScoreAsync(api, $"leads/{lead}")).Score));

        await Ok(await api.MergePatchAsync($"/api/v1/accounts/{account}", """{"employees":300}"""));
        Assert.Equal((20, "Mid-size 20 employees 300 in 200–5,000"), await ScoreAsync(api, $"contacts/{c1}"));
        Assert.Equal(20, (await api.GetJsonAsync($"/api/v1/contacts/{c2}")).GetProperty("score").GetInt32());
        Assert.Equal(0, (await ScoreAsync(api, $"leads/{lead}")).Score);

        // Too big now: the points go again. A contact moved to another account scores from that one.
        await Ok(await api.MergePatchAsync($"/api/v1/accounts/{account}", """{"employees":9000}"""));
        Assert.Equal((0, ""), await ScoreAsync(api, $"contacts/{c1}"));
        await Ok(await api.MergePatchAsync($"/api/v1/contacts/{c2}", $$"""{"accountId":"{{other}}"}"""));
        Assert.Equal((20, "Mid-size 20 employees 1,000 in 200–5,000"), await ScoreAsync(api, $"contacts/{c2}"));
    }

    /// <summary>The EF commands run on this async flow only (tests run in parallel; each flow sees its own).</summary>
    private sealed class Commands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private static readonly AsyncLocal<List<string>?> Current = new();
        private readonly IDisposable subscription;
        private readonly List<IDisposable> listeners = [];
        public readonly List<string> Texts = [];

        public Commands()
        {
            subscription = DiagnosticListener.AllListeners.Subscribe(this);
            Current.Value = Texts;
        }

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name) lock (listeners) listeners.Add(value.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData data && Current.Value is { } list)
                lock (list) list.Add(data.Command.CommandText);
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }

        public void Dispose()
        {
            Current.Value = null;
            subscription.Dispose();
            lock (listeners) foreach (var l in listeners) l.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task An_import_rescores_the_rows_it_changes_and_creates_with_a_few_queries_per_batch_not_per_row(string provider)
    {
        var (server, _) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        await RuleAsync(api, new { name = "Senior title", kind = "fit", points = 15, titleKeywords = new[] { "VP" } });
        await RuleAsync(api, new { name = "Pricing", kind = "behaviour", points = 10, eventType = "page_view", urlPattern = "/pricing" });
        var dir = Directory.CreateTempSubdirectory("revloop-rescore-").FullName;
        async Task<ImportResult> Import(string csv) => await server.WithDbAsync(async db =>
        {
            var path = Path.Combine(dir, $"{Guid.NewGuid():N}.csv");
            await File.WriteAllTextAsync(path, csv);
            return await RecordImport.RunAsync(LeadCsv.Instance, db, path, path + ".rejects.csv", new ImportOptions(), null, CancellationToken.None);
        });

        // 200 engineers, then one of them visits pricing.
        var first = await Import("first_name,last_name,title\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"Eng,E{i:000},Engineer\n")));
        Assert.Equal(200, first.Created);
        var ids = await server.WithDbAsync(db => db.Leads.OrderBy(l => l.LastName).Select(l => l.Id).ToListAsync());
        await Ok(await api.PostAsJsonAsync("/api/v1/events", new { events = new[] { new { id = "p", type = "page_view", leadId = ids[0], url = "/pricing" } } }));
        Assert.Equal(10, (await ScoreAsync(api, $"leads/{ids[0]}")).Score);

        // One file, one batch: the 200 become VPs (by id) and 100 new VPs arrive.
        var csv = "id,first_name,last_name,title\n" + string.Concat(ids.Select((id, i) => $"{id},Eng,E{i:000},VP Engineering\n"))
            + string.Concat(Enumerable.Range(0, 100).Select(i => $",New,N{i:000},VP Sales\n"));
        ImportResult second;
        using (var commands = new Commands())
        {
            // EF decides whether anyone listens to a context's commands at most once a second, and a pooled context keeps
            // the answer it found before this listener came: let it look again.
            await Task.Delay(TimeSpan.FromSeconds(1.2));
            second = await Import(csv);
            // The scoring's reads for the whole batch: its rules once, the events of the changed people once.
            Assert.Single(commands.Texts, t => t.Contains("\"ScoringRules\"", StringComparison.Ordinal));
            Assert.Single(commands.Texts, t => t.Contains("\"MarketingEvents\"", StringComparison.Ordinal));
        }
        Assert.Equal((100L, 200L, 0L), (second.Created, second.Updated, second.Rejected));
        Assert.Equal((25, "Senior title 15 title “VP Engineering” has “vp” | Pricing 10 1 × page view of /pricing, latest today"), await ScoreAsync(api, $"leads/{ids[0]}"));
        var scores = await server.WithDbAsync(db => db.Leads.GroupBy(l => l.Score).Select(g => new { g.Key, Count = g.Count() }).OrderBy(g => g.Key).ToListAsync());
        Assert.Equal(["15: 299", "25: 1"], scores.Select(g => $"{g.Key}: {g.Count}"));
        Directory.Delete(dir, recursive: true);
    }
}
