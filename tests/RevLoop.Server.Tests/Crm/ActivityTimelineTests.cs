using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

public class ActivityTimelineTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Timeline_is_newest_first_and_my_tasks_lists_open_tasks_due_today(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae);
        var api = await server.ClientForAsync(rep);
        var account = (await (await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Acme" })).ReadJsonAsync()).GetProperty("id").GetString();
        var contact = (await (await api.PostAsJsonAsync("/api/v1/contacts", new { lastName = "Lee", accountId = account })).ReadJsonAsync()).GetProperty("contact").GetProperty("id").GetString();
        var now = TimeProvider.System.GetUtcNow();
        async Task<JsonElement> Post(object body)
        {
            var r = await api.PostAsJsonAsync("/api/v1/activities", body);
            Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
            return await r.ReadJsonAsync();
        }
        await Post(new { type = "call", subject = "Discovery call", contactId = contact, occurredAt = now.AddDays(-3) });
        await Post(new { type = "note", subject = "Budget approved", accountId = account, occurredAt = now.AddDays(-1) });
        var overdue = await Post(new { type = "task", subject = "Send proposal", accountId = account, dueAt = now.AddDays(-2) });
        var today = await Post(new { type = "task", subject = "Follow up", contactId = contact, dueAt = now.Date.AddHours(23).AddMinutes(30) });
        await Post(new { type = "task", subject = "Next week", accountId = account, dueAt = now.AddDays(7) });
        var bad = await api.PostAsJsonAsync("/api/v1/activities", new { type = "task", subject = "No due", accountId = account });
        Assert.Contains("\"dueAt\"", await bad.Content.ReadAsStringAsync());

        var timeline = await (await api.GetAsync($"/api/v1/activities?accountId={account}&pageSize=2")).ReadJsonAsync();
        var first = timeline.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("subject").GetString()).ToList();
        var second = await (await api.GetAsync($"/api/v1/activities?accountId={account}&pageSize=2&cursor={timeline.GetProperty("nextCursor").GetString()}")).ReadJsonAsync();
        first.AddRange(second.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("subject").GetString()));
        // Tasks are timed by creation (now), the call was three days ago and reached the account through its contact.
        Assert.Equal(["Next week", "Follow up", "Send proposal", "Budget approved"], first);

        var tasks = await (await api.GetAsync("/api/v1/activities/my-tasks")).ReadJsonAsync();
        Assert.Equal([overdue.GetProperty("id").GetString(), today.GetProperty("id").GetString()], tasks.EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsJsonAsync($"/api/v1/activities/{overdue.GetProperty("id").GetString()}", new { status = "done" })).StatusCode);
        var after = await (await api.GetAsync("/api/v1/activities/my-tasks")).ReadJsonAsync();
        Assert.Equal([today.GetProperty("id").GetString()], after.EnumerateArray().Select(t => t.GetProperty("id").GetString()));
    }
}
