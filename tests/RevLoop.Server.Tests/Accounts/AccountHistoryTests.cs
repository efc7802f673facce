using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Accounts;

/// <summary>Field history written by the interceptor, read through the history API and rebuilt as of past instants; soft deletes.</summary>
public class AccountHistoryTests
{
    private sealed record Row(string Field, string? Old, string? New, string Source, string ChangedBy);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Each_changed_field_is_one_history_row_with_actor_and_source_and_as_of_rebuilds_the_past(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae, team: "EMEA");
        using var client = await server.ClientForAsync(ae);
        var actor = $"token:{server.TokenIdOf(ae)}";
        var team = ae.TeamId!.Value;

        var id = await client.CreateAccountIdAsync("""{"name":"Initech","domain":"initech.com","employees":50}""");
        await Task.Delay(25);
        using (var p = await client.MergePatchAsync($"/api/v1/accounts/{id}", """{"domain":"initech.io","employees":300,"segment":null,"name":"Initech"}""")) Assert.Equal(HttpStatusCode.OK, p.StatusCode);
        await Task.Delay(25);
        using (var p = await client.MergePatchAsync($"/api/v1/accounts/{id}", """{"name":"Initech Corp"}""")) Assert.Equal(HttpStatusCode.OK, p.StatusCode);

        var items = (await client.GetJsonAsync($"/api/v1/accounts/{id}/history")).GetProperty("items").EnumerateArray().ToList();
        var sets = items.GroupBy(i => i.GetProperty("changeSetId").GetGuid())
            .Select(g => (At: g.Select(i => i.GetProperty("changedAt").GetDateTimeOffset()).Distinct().Single(),
                Rows: g.Select(i => new Row(i.GetProperty("field").GetString()!, i.Str("oldValue"), i.Str("newValue"), i.GetProperty("source").GetString()!, i.GetProperty("changedBy").GetString()!))
                    .OrderBy(r => r.Field, StringComparer.Ordinal).ToList()))
            .OrderBy(s => s.At).ToList();
        Assert.Equal(3, sets.Count);
        Assert.Equal(
        [
            new Row("Domain", null, "initech.com", "api", actor), new Row("Employees", null, "50", "api", actor), new Row("Name", null, "Initech", "api", actor),
            new Row("OwnerId", null, ae.Id.ToString(), "api", actor), new Row("OwnerTeamId", null, team.ToString(), "api", actor), new Row("Segment", null, "smb", "api", actor),
        ], sets[0].Rows);
        // The name was sent again unchanged: no row for it; segment null falls back to the employee band.
        Assert.Equal([new Row("Domain", "initech.com", "initech.io", "api", actor), new Row("Employees", "50", "300", "api", actor), new Row("Segment", "smb", "mid_market", "api", actor)], sets[1].Rows);
        Assert.Equal([new Row("Name", "Initech", "Initech Corp", "api", actor)], sets[2].Rows);
        var (t0, t1, t2) = (sets[0].At, sets[1].At, sets[2].At);
        Assert.True(t0 < t1 && t1 < t2, $"{t0:O} {t1:O} {t2:O}");
        Assert.Equal(TimeSpan.Zero, t0.Offset);

        // The history list pages with a cursor too, in the same order.
        var paged = new List<JsonElement>();
        string? cursor = null;
        var sizes = new List<int>();
        do
        {
            var page = await client.GetJsonAsync($"/api/v1/accounts/{id}/history?pageSize=4" + (cursor is null ? "" : $"&cursor={cursor}"));
            var pageItems = page.GetProperty("items").EnumerateArray().ToList();
            sizes.Add(pageItems.Count);
            paged.AddRange(pageItems);
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        Assert.Equal([4, 4, 2], sizes);
        Assert.Equal(items.Select(i => i.GetRawText()), paged.Select(i => i.GetRawText()));

        var created = new AccountView("Initech", "initech.com", null, 50, "smb", null, null, null, ae.Id);
        var patched = created with { Domain = "initech.io", Employees = 300, Segment = "mid_market" };
        var renamed = patched with { Name = "Initech Corp" };
        await server.WithDbAsync(async db =>
        {
            Assert.Null(await History.AsOf<Account>(db, id, t0.AddMilliseconds(-1)));
            var first = (await History.AsOf<Account>(db, id, t0))!;
            Assert.Equal(created, AccountView.From(first));
            Assert.Equal((id, team, t0, t0), (first.Id, first.OwnerTeamId!.Value, first.CreatedAt, first.UpdatedAt));
            Assert.Equal(created, AccountView.From((await History.AsOf<Account>(db, id, t0 + (t1 - t0) / 2))!));
            Assert.Equal(created, AccountView.From((await History.AsOf<Account>(db, id, t1.AddMilliseconds(-1)))!));
            Assert.Equal(patched, AccountView.From((await History.AsOf<Account>(db, id, t1))!));
            Assert.Equal(patched, AccountView.From((await History.AsOf<Account>(db, id, t2.AddMilliseconds(-1)))!));
            var last = (await History.AsOf<Account>(db, id, t2))!;
            Assert.Equal(renamed, AccountView.From(last));
            Assert.Equal((t0, t2), (last.CreatedAt, last.UpdatedAt));
            Assert.Equal(renamed, AccountView.From((await History.AsOf<Account>(db, id, t2.AddDays(1)))!));
            // The rebuilt latest state is the stored state.
            Assert.Equal(AccountView.From(await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id)), AccountView.From(last));
            return 0;
        });

        using (var unknown = await client.GetAsync($"/api/v1/widgets/{id}/history")) Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var none = await client.GetAsync($"/api/v1/accounts/{Guid.NewGuid()}/history")) Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Delete_is_soft_audited_and_emits_account_deleted(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var admin = await server.CreateUserAsync("admin@example.com", Roles.Admin);
        using var client = await server.ClientForAsync(admin, "read,write,admin");
        var actor = $"token:{server.TokenIdOf(admin)}";
        var id = await client.CreateAccountIdAsync("""{"name":"Umbrella","country":"US"}""");
        var keep = await client.CreateAccountIdAsync("""{"name":"Stark"}""");
        await Task.Delay(5);

        using (var delete = await client.DeleteAsync($"/api/v1/accounts/{id}")) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        using (var get = await client.GetAsync($"/api/v1/accounts/{id}")) Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using (var patch = await client.MergePatchAsync($"/api/v1/accounts/{id}", """{"country":"CA"}""")) Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Equal(["Stark"], (await client.GetJsonAsync("/api/v1/accounts")).Names());
        // A child cannot point at a deleted parent.
        using (var child = await client.PostAsync("/api/v1/accounts", $$"""{"name":"Umbrella Kids","parentAccountId":"{{id}}"}"""))
            await Api.AssertProblemAsync(child, HttpStatusCode.BadRequest, "parentAccountId");

        var row = await server.WithDbAsync(db => db.Accounts.IgnoreQueryFilters().AsNoTracking().SingleAsync(a => a.Id == id));
        Assert.NotNull(row.DeletedAt);
        var deletedAt = row.DeletedAt!.Value;
        var deletedText = deletedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(("Umbrella", "US", 2L), (row.Name, row.Country, row.Version));

        // The history stays readable, ending with the delete.
        var items = (await client.GetJsonAsync($"/api/v1/accounts/{id}/history")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, items.Count);
        var last = items[^1];
        Assert.Equal(new Row("DeletedAt", null, deletedText, "api", actor),
            new Row(last.GetProperty("field").GetString()!, last.Str("oldValue"), last.Str("newValue"), last.GetProperty("source").GetString()!, last.GetProperty("changedBy").GetString()!));
        Assert.Equal(deletedAt, last.GetProperty("changedAt").GetDateTimeOffset());

        var events = await server.WithDbAsync(db => db.OutboxEvents.AsNoTracking().Where(e => e.EntityId == id).OrderBy(e => e.OccurredAt).ToListAsync());
        Assert.Equal(["account.created", "account.deleted"], events.Select(e => e.Type));
        Assert.Equal(("account", deletedAt), (events[1].EntityType, events[1].OccurredAt));
        var payload = JsonDocument.Parse(events[1].Payload).RootElement;
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("changes").GetProperty("deletedAt").GetProperty("old").ValueKind);
        Assert.Equal(deletedText, payload.GetProperty("changes").GetProperty("deletedAt").GetProperty("new").GetString());
        Assert.Equal(["deletedAt"], payload.GetProperty("changes").EnumerateObject().Select(p => p.Name));
        Assert.Equal((actor, "api"), (payload.GetProperty("actor").GetString(), payload.GetProperty("source").GetString()));
        Assert.Equal(1, await server.WithDbAsync(db => db.OutboxEvents.CountAsync(e => e.EntityId == keep)));

        await server.WithDbAsync(async db =>
        {
            Assert.Null((await History.AsOf<Account>(db, id, deletedAt.AddMilliseconds(-1)))!.DeletedAt);
            Assert.Equal(deletedAt, (await History.AsOf<Account>(db, id, deletedAt))!.DeletedAt);
            return 0;
        });
        using (var again = await client.DeleteAsync($"/api/v1/accounts/{id}")) Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        // Stored: the creation (one row for name, country and segment, CreationRecord) and the deletion.
        Assert.Equal(2, await server.WithDbAsync(db => db.FieldChanges.CountAsync(c => c.EntityId == id)));
    }
}
