using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

public class CampaignApiTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Campaigns_have_a_hierarchy_cost_lines_and_members_with_status(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var parent = await (await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "2026 Webinars", type = "webinar", channel = "events", budget = 5000.00m })).ReadJsonAsync();
        var parentId = parent.GetProperty("id").GetGuid();
        Assert.Equal("USD", parent.GetProperty("currency").GetString());
        Assert.Equal("planned", parent.GetProperty("status").GetString());
        using var created = await api.PostAsJsonAsync("/api/v1/campaigns", new
        {
            name = "Q4 launch webinar", type = "webinar", channel = "events", status = "active", startDate = "2026-10-01", endDate = "2026-12-15",
            budget = 2500.00m, parentCampaignId = parentId, utmCampaign = " Q4-Launch ",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var child = await created.ReadJsonAsync();
        var id = child.GetProperty("id").GetGuid();
        Assert.Equal("q4-launch", child.GetProperty("utmCampaign").GetString());
        Assert.Equal(2500.00m, child.GetProperty("budget").GetDecimal());

        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "TV", type = "tv" }), HttpStatusCode.BadRequest, "type");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Backwards", startDate = "2026-10-02", endDate = "2026-10-01" }), HttpStatusCode.BadRequest, "endDate");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Same UTM", utmCampaign = "q4-LAUNCH" }), HttpStatusCode.BadRequest, "utmCampaign");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Yen", currency = "JPY" }), HttpStatusCode.BadRequest, "currency");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Orphan", parentCampaignId = Guid.NewGuid() }), HttpStatusCode.BadRequest, "parentCampaignId");
        // The parent cannot move below its own child.
        await Api.AssertProblemAsync(await api.MergePatchAsync($"/api/v1/campaigns/{parentId}", $$"""{"parentCampaignId":"{{id}}"}"""), HttpStatusCode.BadRequest, "parentCampaignId");

        // Cost lines: a credit is allowed, zero and sub-cent amounts are not; the actual cost is their sum.
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/costs", new { date = "2026-10-01", amount = 1200.50m, description = "Webinar platform" })).StatusCode);
        var ads = await (await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/costs", new { date = "2026-11-01", amount = 800m, description = "LinkedIn ads" })).ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/costs", new { date = "2026-11-20", amount = -100m, description = "Refund" })).StatusCode);
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/costs", new { date = "2026-11-20", amount = 0m }), HttpStatusCode.BadRequest, "amount");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/costs", new { date = "2026-11-20", amount = 1.005m }), HttpStatusCode.BadRequest, "amount");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/costs", new { amount = 5m }), HttpStatusCode.BadRequest, "date");
        Assert.Equal(1900.50m, (await api.GetJsonAsync($"/api/v1/campaigns/{id}")).GetProperty("actualCost").GetDecimal());
        var costs = await api.GetJsonAsync($"/api/v1/campaigns/{id}/costs?pageSize=2");
        Assert.Equal(["Refund", "LinkedIn ads"], costs.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("description").GetString()!));
        var rest = await api.GetJsonAsync($"/api/v1/campaigns/{id}/costs?pageSize=2&cursor={costs.GetProperty("nextCursor").GetString()}");
        Assert.Equal([1200.50m], rest.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("amount").GetDecimal()));
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/campaigns/{id}/costs/{ads.GetProperty("id").GetInt64()}")).StatusCode);
        Assert.Equal(1100.50m, (await api.GetJsonAsync($"/api/v1/campaigns/{id}")).GetProperty("actualCost").GetDecimal());
        // Cost lines are in the campaign's currency, so it stays.
        await Api.AssertProblemAsync(await api.MergePatchAsync($"/api/v1/campaigns/{id}", """{"currency":"EUR"}"""), HttpStatusCode.BadRequest, "currency");

        // Members: adding someone again moves their status; one of contact or lead, and it must exist.
        var account = await api.CreateAccountIdAsync("""{"name":"Initech"}""");
        var contact = (await (await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Jane", lastName = "Doe", email = "jane@initech.com", accountId = account })).ReadJsonAsync()).GetProperty("contact").GetProperty("id").GetGuid();
        var lead = (await (await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Bob", lastName = "Stone", email = "bob@globex.com" })).ReadJsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/members", new { contactId = contact, status = "invited" })).StatusCode);
        using var again = await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/members", new { contactId = contact, status = "registered" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/members", new { leadId = lead })).StatusCode);
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/members", new { leadId = lead, status = "maybe" }), HttpStatusCode.BadRequest, "status");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/members", new { leadId = lead, contactId = contact }), HttpStatusCode.BadRequest, "leadId");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/members", new { contactId = Guid.NewGuid() }), HttpStatusCode.BadRequest, "contactId");
        var members = await api.GetJsonAsync($"/api/v1/campaigns/{id}/members");
        Assert.Equal(["contact Jane Doe jane@initech.com registered", "lead Bob Stone bob@globex.com targeted"],
            members.GetProperty("items").EnumerateArray().Select(m => $"{m.GetProperty("personType").GetString()} {m.GetProperty("name").GetString()} {m.GetProperty("email").GetString()} {m.GetProperty("status").GetString()}"));
        Assert.Equal(["Jane Doe"], (await api.GetJsonAsync($"/api/v1/campaigns/{id}/members?status=registered")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("name").GetString()!));

        var page = await api.GetJsonAsync($"/api/v1/campaigns?type=webinar");
        Assert.Equal(["2026 Webinars", "Q4 launch webinar"], page.Names());
        Assert.Equal([0, 2], page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("members").GetInt32()));
        Assert.Equal(["Q4 launch webinar"], (await api.GetJsonAsync($"/api/v1/campaigns?parentId={parentId}")).Names());

        Assert.Equal(HttpStatusCode.OK, (await api.MergePatchAsync($"/api/v1/campaigns/{id}", """{"status":"completed"}""", ifMatch: "\"1\"")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await api.MergePatchAsync($"/api/v1/campaigns/{id}", """{"status":"aborted"}""", ifMatch: "\"1\"")).StatusCode);
        var history = await api.GetJsonAsync($"/api/v1/campaigns/{id}/history");
        Assert.Contains(history.GetProperty("items").EnumerateArray(), c => c.GetProperty("field").GetString() == "Status" && c.GetProperty("oldValue").GetString() == "active" && c.GetProperty("newValue").GetString() == "completed");
    }
}
