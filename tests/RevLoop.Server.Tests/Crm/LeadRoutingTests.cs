using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Platform;
using RevLoop.Server.Crm.Routing;
using RevLoop.Server.Hosting;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

public class LeadRoutingTests
{
    private static async Task<Guid> IdOfAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    private static async Task<(Guid? Owner, string? Pool, string Rule)> RoutedAsync(HttpClient api, Guid lead)
    {
        var l = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        var decision = (await api.GetJsonAsync($"/api/v1/leads/{lead}/routing"))[0];
        return (l.GetProperty("ownerId").ValueKind == JsonValueKind.Null ? null : l.GetProperty("ownerId").GetGuid(), l.Str("pool"), decision.Str("rule")!);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Rules_route_in_order_round_robin_skips_absent_and_full_reps_pools_are_claimed_and_account_leads_go_to_the_owner(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var ann = await server.CreateUserAsync("ann@example.com", Roles.Sdr, "EMEA SDR");
        var bob = await server.CreateUserAsync("bob@example.com", Roles.Sdr, "EMEA SDR");
        var cat = await server.CreateUserAsync("cat@example.com", Roles.Sdr, "EMEA SDR");
        var ent = await server.CreateUserAsync("ent@example.com", Roles.Ae);
        var am = await server.CreateUserAsync("am@example.com", Roles.Ae);
        var team = ann.TeamId!.Value;
        var globex = await api.CreateAccountIdAsync($$"""{"name":"Globex Corporation","domain":"globex.com","ownerId":"{{am.Id}}"}""");

        var pool = await IdOfAsync(await api.PostAsJsonAsync("/api/v1/lead-queues", new { name = "US inbound", slaMinutes = 30 }));
        // Bad rules are refused naming the field.
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "x", action = "random" }), HttpStatusCode.BadRequest, "action");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "x", action = "round_robin" }), HttpStatusCode.BadRequest, "teamId");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "x", action = "queue", queueId = Guid.NewGuid() }), HttpStatusCode.BadRequest, "queueId");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "x", action = "user", userId = ent.Id, segments = new[] { "huge" } }), HttpStatusCode.BadRequest, "segments");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "x", action = "user", userId = ent.Id, countries = new[] { "USA" } }), HttpStatusCode.BadRequest, "countries");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "x", action = "user", userId = ent.Id, minEmployees = 10, maxEmployees = 5 }), HttpStatusCode.BadRequest, "maxEmployees");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/lead-queues", new { name = "US inbound", slaMinutes = 30 }), HttpStatusCode.BadRequest, "name");

        await IdOfAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "Enterprise", action = "user", userId = ent.Id, segments = new[] { "enterprise" } }));
        await IdOfAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "EMEA", action = "round_robin", teamId = team, regions = new[] { "EMEA" } }));
        await IdOfAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "US", action = "queue", queueId = pool, countries = new[] { "us" }, sources = new[] { "inbound" } }));
        Assert.Equal(["1 Enterprise user", "2 EMEA round_robin", "3 US queue"],
            (await api.GetJsonAsync("/api/v1/routing-rules")).EnumerateArray().Select(r => $"{r.GetProperty("position").GetInt32()} {r.Str("name")} {r.Str("action")}"));

        // Cat is out of office until tomorrow; Ann may hold one open lead at most.
        var tomorrow = TimeProvider.System.GetUtcNow().AddDays(1);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/routing-reps/{cat.Id}", new { outOfOfficeUntil = tomorrow })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/routing-reps/{ann.Id}", new { capacity = 1 })).StatusCode);

        async Task<Guid> Lead(object body) => await IdOfAsync(await api.PostAsJsonAsync("/api/v1/leads", body));
        var big = await Lead(new { firstName = "Eve", lastName = "Big", company = "Huge", employees = 5000, region = "EMEA" });
        var e1 = await Lead(new { firstName = "E", lastName = "One", company = "Uno", region = "EMEA" });
        var e2 = await Lead(new { firstName = "E", lastName = "Two", company = "Dos", region = "EMEA" });
        var e3 = await Lead(new { firstName = "E", lastName = "Three", company = "Tres", region = "EMEA" });
        var us = await Lead(new { firstName = "U", lastName = "Ess", company = "Yankee", country = "US", source = "inbound" });
        var none = await Lead(new { firstName = "N", lastName = "One", company = "Nowhere", country = "FR" });
        var account = await Lead(new { firstName = "G", lastName = "Lobex", email = "g@globex.com", region = "EMEA", employees = 9000 });
        var given = await Lead(new { firstName = "Own", lastName = "Choice", region = "EMEA", ownerId = cat.Id });

        Assert.Equal((ent.Id, null, "Enterprise"), await RoutedAsync(api, big));
        // Team order ann, bob, cat: ann takes one, then she is full and cat is away, so bob takes the next two.
        Assert.Equal((ann.Id, null, "EMEA"), await RoutedAsync(api, e1));
        Assert.Equal((bob.Id, null, "EMEA"), await RoutedAsync(api, e2));
        Assert.Equal((bob.Id, null, "EMEA"), await RoutedAsync(api, e3));
        Assert.Equal((null, "US inbound", "US"), await RoutedAsync(api, us));
        Assert.Equal((null, null, "No rule"), await RoutedAsync(api, none));
        Assert.Equal((am.Id, null, "Account owner"), await RoutedAsync(api, account));
        var lead = await api.GetJsonAsync($"/api/v1/leads/{account}");
        Assert.Equal(globex, lead.GetProperty("matchedAccountId").GetGuid());
        Assert.Equal("the company matches account Globex Corporation, owned by am", (await api.GetJsonAsync($"/api/v1/leads/{account}/routing"))[0].Str("reason"));
        Assert.Equal(cat.Id, (await api.GetJsonAsync($"/api/v1/leads/{given}")).GetProperty("ownerId").GetGuid());
        Assert.Equal(0, (await api.GetJsonAsync($"/api/v1/leads/{given}/routing")).GetArrayLength());

        // Simulation changes nothing: with fields, and for an existing lead.
        var sim = await (await api.PostAsJsonAsync("/api/v1/routing-rules/simulate", new { company = "Kleine", region = "EMEA", employees = 20 })).ReadJsonAsync();
        Assert.Equal("EMEA", sim.GetProperty("decision").Str("rule"));
        Assert.Equal(bob.Id, sim.GetProperty("decision").GetProperty("ownerId").GetGuid());
        Assert.Equal("matched rule 2 \"EMEA\": round robin in the team, next available rep bob", sim.GetProperty("decision").Str("reason"));
        var simDomain = await (await api.PostAsJsonAsync("/api/v1/routing-rules/simulate", new { email = "x@globex.com" })).ReadJsonAsync();
        Assert.Equal((am.Id.ToString(), "domain"), (simDomain.GetProperty("decision").GetProperty("ownerId").GetString(), simDomain.Str("matchedBy")));
        Assert.Equal("US", (await (await api.PostAsJsonAsync("/api/v1/routing-rules/simulate", new { leadId = us })).ReadJsonAsync()).GetProperty("decision").Str("rule"));
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/routing-rules/simulate", new { leadId = Guid.NewGuid() }), HttpStatusCode.BadRequest, "leadId");
        Assert.Equal(3, await server.WithDbAsync(db => Task.FromResult(db.LeadAssignments.Count(a => a.Rule == "EMEA"))));

        // A rep sees the pool's lead in the queue and claims it; a second claim is refused.
        var annApi = await server.ClientForAsync(ann);
        var poolPage = await annApi.GetJsonAsync($"/api/v1/leads/queue?queueId={pool}");
        var waiting = Assert.Single(poolPage.GetProperty("items").EnumerateArray());
        Assert.Equal(("U Ess", "US"), (waiting.Str("name"), waiting.Str("rule")));
        Assert.InRange(waiting.GetProperty("minutesLeft").GetInt64(), 28, 29);
        using var claim = await annApi.PostAsync($"/api/v1/leads/{us}/claim", "{}");
        Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        Assert.Equal((ann.Id, null, "Claimed"), await RoutedAsync(api, us));
        Assert.Equal(HttpStatusCode.Conflict, (await (await server.ClientForAsync(bob)).PostAsync($"/api/v1/leads/{us}/claim", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/v1/leads/{none}/claim", "{}")).StatusCode);
        Assert.Empty((await annApi.GetJsonAsync($"/api/v1/leads/queue?queueId={pool}")).GetProperty("items").EnumerateArray());
        Assert.Equal(["E One", "U Ess"], (await annApi.GetJsonAsync("/api/v1/leads/queue")).GetProperty("items").EnumerateArray().Select(i => i.Str("name")));

        // Deleting a rule: EMEA leads now fall through to no rule.
        var emea = (await api.GetJsonAsync("/api/v1/routing-rules")).EnumerateArray().Single(r => r.Str("name") == "EMEA").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/routing-rules/{emea}")).StatusCode);
        Assert.Equal((null, null, "No rule"), await RoutedAsync(api, await Lead(new { firstName = "E", lastName = "Four", region = "EMEA" })));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_demo_request_is_routed_with_the_event_and_untouched_leads_breach_their_SLA_and_escalate(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider, o => new ServeOptions
        {
            Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, RunWorkers = false,
        });
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Sdr);
        var boss = await server.CreateUserAsync("boss@example.com", Roles.SalesManager);
        var queue = await IdOfAsync(await api.PostAsJsonAsync("/api/v1/lead-queues", new { name = "Demo requests", slaMinutes = 15, escalateToUserId = boss.Id }));
        await IdOfAsync(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "Demos", action = "user", userId = rep.Id, queueId = queue, sources = new[] { "inbound" } }));

        using var posted = await api.PostAsync("/api/v1/events", """
            {"events":[{"id":"d1","type":"demo_request","email":"ann@startup.io","person":{"firstName":"Ann","lastName":"Lee","company":"Startup"}},
                       {"id":"d2","type":"demo_request","email":"ben@other.io","person":{"firstName":"Ben","lastName":"Stone","company":"Other"}}]}
            """);
        var created = (await posted.ReadJsonAsync()).GetProperty("createdLeads").EnumerateArray().Select(c => c.GetProperty("leadId").GetGuid()).ToList();
        Assert.Equal(2, created.Count);
        foreach (var id in created) Assert.Equal((rep.Id, null, "Demos"), await RoutedAsync(api, id));
        var due = (await api.GetJsonAsync($"/api/v1/leads/{created[0]}/routing"))[0].GetProperty("slaDueAt").GetDateTimeOffset();

        // Ann is called in time; Ben is not.
        using var call = await api.PostAsJsonAsync("/api/v1/activities", new { type = "call", subject = "Intro", leadId = created[0] });
        Assert.Equal(HttpStatusCode.Created, call.StatusCode);
        Assert.Equal((0, 0), await server.WithDbAsync(db => LeadSla.CheckAsync(db, due.AddMinutes(-1), CancellationToken.None)));
        Assert.Equal((1, 1), await server.WithDbAsync(db => LeadSla.CheckAsync(db, due.AddMinutes(1), CancellationToken.None)));
        Assert.Equal((0, 0), await server.WithDbAsync(db => LeadSla.CheckAsync(db, due.AddMinutes(2), CancellationToken.None)));

        var ann = await api.GetJsonAsync($"/api/v1/leads/{created[0]}/routing");
        Assert.Equal(1, ann.GetArrayLength());
        Assert.NotEqual(JsonValueKind.Null, ann[0].GetProperty("firstTouchedAt").ValueKind);
        var ben = await api.GetJsonAsync($"/api/v1/leads/{created[1]}/routing");
        Assert.Equal(["SLA breach current", "Demos breached"], ben.EnumerateArray().Select(a =>
            $"{a.Str("rule")} {(a.GetProperty("current").GetBoolean() ? "current" : a.GetProperty("breachedAt").ValueKind == JsonValueKind.Null ? "-" : "breached")}"));
        Assert.Equal("not touched within 15 minutes (queue Demo requests): escalated", ben[0].Str("reason"));
        Assert.Equal((boss.Id, null, "SLA breach"), await RoutedAsync(api, created[1]));
        var bossQueue = await (await server.ClientForAsync(boss)).GetJsonAsync("/api/v1/leads/queue");
        Assert.Equal(["Ben Stone Other"], bossQueue.GetProperty("items").EnumerateArray().Select(i => $"{i.Str("name")} {i.Str("company")}"));
    }
}
