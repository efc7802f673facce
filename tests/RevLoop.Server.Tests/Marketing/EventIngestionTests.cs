using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

public class EventIngestionTests
{
    private static string Summary(JsonElement r) =>
        $"accepted {r.GetProperty("accepted").GetInt32()}, duplicates {r.GetProperty("duplicates").GetInt32()}, rejected "
        + string.Join(" ", r.GetProperty("rejected").EnumerateArray().Select(x => $"{x.GetProperty("index").GetInt32()}:{x.GetProperty("field").GetString()}"));

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_batch_takes_good_events_rejects_bad_ones_by_index_and_field_and_is_idempotent(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae);
        var globex = await api.CreateAccountIdAsync($$"""{"name":"Globex Corporation","domain":"globex.com","ownerId":"{{rep.Id}}"}""");
        var initech = await api.CreateAccountIdAsync("""{"name":"Initech"}""");
        var jane = (await (await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Jane", lastName = "Doe", email = "jane@initech.com", accountId = initech })).ReadJsonAsync()).GetProperty("contact").GetProperty("id").GetGuid();
        var campaign = (await (await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Q4 launch", type = "webinar", utmCampaign = "q4-launch" })).ReadJsonAsync()).GetProperty("id").GetGuid();
        var yesterday = TimeProvider.System.GetUtcNow().AddDays(-1).ToString("O");

        var batch = JsonSerializer.Serialize(new
        {
            events = new object[]
            {
                new { id = "e0", type = "page_view", visitorId = "v1", url = "https://www.example.com/pricing?utm_source=google&utm_campaign=Q4-Launch", occurredAt = yesterday },
                new { id = "e1", type = "page_view", visitorId = "v1", url = "/blog/launch" },
                new { id = "e2", type = "form_submit", visitorId = "v1", email = "Bob@Globex.com", person = new { firstName = "Bob", lastName = "Stone", title = "CTO" } },
                new { id = "e3", type = "email_open", contactId = jane },
                new { id = "e4", type = "tv_ad", email = "jane@initech.com" },
                new { id = "e5", type = "page_view", visitorId = "v2" },
                new { id = "e6", type = "content_download", url = "/ebook" },
                new { id = "e7", type = "email_click", contactId = Guid.NewGuid() },
                new { id = "e3", type = "email_open", contactId = jane },
                new { id = "e9", type = "demo_request", email = "JANE@initech.com", campaignId = campaign },
                new { id = "e10", type = "webinar_attended", email = "bob@globex.com", utm = new { campaign = "Q4-LAUNCH" } },
                new { id = "e11", type = "product_usage", contactId = jane },
                new { id = "e12", type = "page_view", visitorId = "v3", url = "/", occurredAt = "yesterday" },
            },
        });
        using var first = await api.PostAsync("/api/v1/events", batch);
        Assert.Equal((HttpStatusCode)207, first.StatusCode);
        var result = await first.ReadJsonAsync();
        Assert.Equal("accepted 6, duplicates 1, rejected 4:type 5:url 6:email 7:contactId 11:feature 12:occurredAt", Summary(result));
        Assert.Equal("no contact has id", result.GetProperty("rejected")[3].GetProperty("reason").GetString()![..17]);
        var createdLead = Assert.Single(result.GetProperty("createdLeads").EnumerateArray());
        Assert.Equal(2, createdLead.GetProperty("index").GetInt32());
        Assert.Equal(globex, createdLead.GetProperty("matchedAccountId").GetGuid());
        Assert.Equal("domain", createdLead.GetProperty("matchedBy").GetString());
        var bob = createdLead.GetProperty("leadId").GetGuid();

        // The new lead was matched to Globex by its email's domain and belongs to the account's owner.
        var lead = await api.GetJsonAsync($"/api/v1/leads/{bob}");
        Assert.Equal("Bob Stone CTO Bob@Globex.com Globex Corporation globex.com inbound new", string.Join(' ',
            new[] { "firstName", "lastName", "title", "email", "company", "domain", "source", "status" }.Select(f => lead.GetProperty(f).GetString())));
        Assert.Equal(rep.Id, lead.GetProperty("ownerId").GetGuid());
        Assert.Equal(globex, lead.GetProperty("matchedAccountId").GetGuid());

        // Sending the same batch again adds nothing.
        using var second = await api.PostAsync("/api/v1/events", batch);
        Assert.Equal("accepted 0, duplicates 7, rejected 4:type 5:url 6:email 7:contactId 11:feature 12:occurredAt", Summary(await second.ReadJsonAsync()));
        Assert.Equal(1, await server.WithDbAsync(db => Task.FromResult(db.Leads.Count())));

        // The anonymous visitor's earlier page views moved to Bob when the form identified him; later ones go to him directly.
        using var later = await api.PostAsync("/api/v1/events", """{"events":[{"id":"e13","type":"page_view","visitorId":"v1","url":"/pricing"}]}""");
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var bobs = await api.GetJsonAsync($"/api/v1/events?leadId={bob}");
        Assert.Equal(["e13 page_view /pricing ", "e10 webinar_attended  q4-launch", "e2 form_submit  ", "e1 page_view /blog/launch ",
                "e0 page_view https://www.example.com/pricing?utm_source=google&utm_campaign=Q4-Launch q4-launch"],
            bobs.GetProperty("items").EnumerateArray().Select(e => $"{e.Str("eventId")} {e.Str("type")} {e.Str("url")} {e.Str("utmCampaign")}"));
        Assert.Equal([null, campaign, null, null, campaign], bobs.GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("campaignId").ValueKind == JsonValueKind.Null ? (Guid?)null : e.GetProperty("campaignId").GetGuid()));
        Assert.Equal(["e9 demo_request", "e3 email_open"], (await api.GetJsonAsync($"/api/v1/events?contactId={jane}")).GetProperty("items").EnumerateArray()
            .Select(e => $"{e.Str("eventId")} {e.Str("type")}"));

        // Campaign touches made members: Jane responded (demo request), Bob attended (the webinar).
        var members = await api.GetJsonAsync($"/api/v1/campaigns/{campaign}/members");
        Assert.Equal(["Jane Doe responded", "Bob Stone attended"], members.GetProperty("items").EnumerateArray().Select(m => $"{m.Str("name")} {m.Str("status")}"));

        // More than 1,000 events is refused whole; a body without events too.
        var tooMany = JsonSerializer.Serialize(new { events = Enumerable.Range(0, 1001).Select(i => new { id = $"x{i}", type = "page_view", visitorId = "v9", url = "/" }) });
        await Api.AssertProblemAsync(await api.PostAsync("/api/v1/events", tooMany), HttpStatusCode.BadRequest, "events");
        await Api.AssertProblemAsync(await api.PostAsync("/api/v1/events", """{"items":[]}"""), HttpStatusCode.BadRequest, "events");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_website_snippet_sends_with_a_public_key_that_can_only_add_website_touches(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var key = await (await api.PostAsJsonAsync("/api/v1/tracking-keys", new { name = "www.example.com" })).ReadJsonAsync();
        var publicKey = key.GetProperty("key").GetString()!;
        Assert.StartsWith("rlt_", publicKey);
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };

        async Task<HttpResponseMessage> Track(string k, string body) =>
            await anonymous.PostAsync($"/api/v1/track?key={k}", new StringContent(body, Encoding.UTF8, "text/plain"));

        using var ok = await Track(publicKey, """{"events":[{"id":"w1","type":"page_view","visitorId":"anon-1","url":"https://www.example.com/"},{"id":"w2","type":"form_submit","visitorId":"anon-1","email":"new@umbrella.com","person":{"lastName":"Ashford","company":"Umbrella"}}]}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("*", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var answer = await ok.ReadJsonAsync();
        Assert.Equal("accepted 2, duplicates 0, rejected ", Summary(answer));
        var leadId = answer.GetProperty("createdLeads")[0].GetProperty("leadId").GetGuid();
        Assert.Equal(["w2", "w1"], (await api.GetJsonAsync($"/api/v1/events?leadId={leadId}")).GetProperty("items").EnumerateArray().Select(e => e.Str("eventId")));

        using var mixed = await Track(publicKey, $$"""[{"id":"w3","type":"page_view","visitorId":"anon-2","url":"/a"},{"id":"w4","type":"email_open","contactId":"{{Guid.NewGuid()}}"},{"id":"w5","type":"product_usage","visitorId":"anon-2","feature":"x"},{"id":"w6","type":"page_view","visitorId":"anon-2"}]""");
        Assert.Equal((HttpStatusCode)207, mixed.StatusCode);
        Assert.Equal("accepted 1, duplicates 0, rejected 1:contactId 2:type 3:url", Summary(await mixed.ReadJsonAsync()));

        Assert.Equal(HttpStatusCode.Unauthorized, (await Track("rlt_nope", """[{"id":"w7","type":"page_view","visitorId":"a","url":"/"}]""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/tracking-keys/{key.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Track(publicKey, """[{"id":"w8","type":"page_view","visitorId":"a","url":"/"}]""")).StatusCode);
        // The key cannot read anything.
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events?visitorId=anon-1");
        read.Headers.TryAddWithoutValidation("Authorization", $"Bearer {publicKey}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(read)).StatusCode);
        // The snippet itself is served.
        var script = await anonymous.GetStringAsync("/js/revloop-track.js");
        Assert.Contains("/api/v1/track?key=", script);
    }
}
