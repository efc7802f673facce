using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Accounts;

/// <summary>The accounts API end to end over HTTP on a real server: CRUD, lists, concurrency, merge patch and validation.</summary>
public class AccountsApiTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Create_get_replace_patch_and_delete(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        using var client = await server.ClientForAsync(ae);

        using var created = await client.PostAsync("/api/v1/accounts",
            """{"name":"  Acme GmbH ","domain":"https://www.Acme.com/about","industry":"Software","employees":250,"region":"EMEA","country":"de"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/accounts/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        // Trimmed name, bare lower-case domain, upper-case country, segment from the employee band, owner = the caller.
        Assert.Equal(new AccountView("Acme GmbH", "acme.com", "Software", 250, "mid_market", "EMEA", "DE", null, ae.Id), AccountView.From(body));
        Assert.Equal(1, body.GetProperty("version").GetInt64());
        Assert.Equal(body.GetProperty("createdAt").GetDateTimeOffset(), body.GetProperty("updatedAt").GetDateTimeOffset());

        using (var get = await client.GetAsync($"/api/v1/accounts/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal("\"1\"", get.Headers.ETag?.Tag);
            Assert.Equal("application/json", get.Content.Headers.ContentType?.MediaType);
            var json = await get.ReadJsonAsync();
            Assert.Equal(AccountView.From(body), AccountView.From(json));
            Assert.Equal(body.GetProperty("createdAt").GetDateTimeOffset(), json.GetProperty("createdAt").GetDateTimeOffset());
        }

        // PUT replaces every writable field: what is left out becomes empty.
        using (var put = await client.SendAsync(HttpMethod.Put, $"/api/v1/accounts/{id}", $$"""{"name":"Acme AG","domain":"acme.de","employees":5000,"country":"AT","ownerId":"{{ae.Id}}"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal("\"2\"", put.Headers.ETag?.Tag);
            var json = await put.ReadJsonAsync();
            Assert.Equal(new AccountView("Acme AG", "acme.de", null, 5000, "enterprise", null, "AT", null, ae.Id), AccountView.From(json));
            Assert.Equal(2, json.GetProperty("version").GetInt64());
        }

        // PATCH (merge patch) changes only what it names.
        using (var patch = await client.MergePatchAsync($"/api/v1/accounts/{id}", """{"industry":"Manufacturing","region":"DACH"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
            Assert.Equal("\"3\"", patch.Headers.ETag?.Tag);
            Assert.Equal(new AccountView("Acme AG", "acme.de", "Manufacturing", 5000, "enterprise", "DACH", "AT", null, ae.Id), AccountView.From(await patch.ReadJsonAsync()));
        }
        var stored = await server.WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id));
        Assert.Equal(new AccountView("Acme AG", "acme.de", "Manufacturing", 5000, "enterprise", "DACH", "AT", null, ae.Id), AccountView.From(stored));
        Assert.Equal(3, stored.Version);

        using (var delete = await client.DeleteAsync($"/api/v1/accounts/{id}")) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var gone = await client.GetAsync($"/api/v1/accounts/{id}")) await Api.AssertProblemAsync(gone, HttpStatusCode.NotFound);
        using (var again = await client.DeleteAsync($"/api/v1/accounts/{id}")) Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Empty((await client.GetJsonAsync("/api/v1/accounts")).Names());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task List_filters_sorts_and_pages_with_a_cursor(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        using var client = await server.ClientForAsync(ae);
        // Created in this order (not alphabetical), so sort by name and by creation time differ.
        (string Name, int Employees, string Country)[] rows =
            [("Echo", 10, "DE"), ("Alpha", 5000, "US"), ("Golf", 300, "DE"), ("Charlie", 20000, "FR"), ("Bravo", 50, "de"), ("Foxtrot", 1200, "US"), ("Delta", 700, "GB")];
        var ids = new Dictionary<string, Guid>();
        foreach (var (name, employees, country) in rows)
        {
            ids[name] = await client.CreateAccountIdAsync($$"""{"name":"{{name}}","employees":{{employees}},"country":"{{country}}"}""");
            await Task.Delay(3); // distinct (millisecond) creation times, so the order by createdAt is the order of creation
        }

        Assert.Equal([["Alpha", "Bravo", "Charlie"], ["Delta", "Echo", "Foxtrot"], ["Golf"]], await AllPages(client, "sort=name&pageSize=3"));
        Assert.Equal([["Golf", "Foxtrot", "Echo", "Delta"], ["Charlie", "Bravo", "Alpha"]], await AllPages(client, "sort=-name&pageSize=4"));
        Assert.Equal([["Echo", "Alpha", "Golf", "Charlie", "Bravo"], ["Foxtrot", "Delta"]], await AllPages(client, "sort=createdAt&pageSize=5"));
        Assert.Equal([["Delta", "Foxtrot"], ["Bravo", "Charlie"], ["Golf", "Alpha"], ["Echo"]], await AllPages(client, "sort=-createdAt&pageSize=2"));
        // The default: by name, 50 a page.
        var first = await client.GetJsonAsync("/api/v1/accounts");
        Assert.Equal(["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"], first.Names());
        Assert.Equal(50, first.GetProperty("pageSize").GetInt32());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("nextCursor").ValueKind);

        // The most recently updated first once Charlie and Alpha are edited (in that order).
        using (var p = await client.MergePatchAsync($"/api/v1/accounts/{ids["Charlie"]}", """{"region":"EMEA"}""")) Assert.Equal(HttpStatusCode.OK, p.StatusCode);
        await Task.Delay(3);
        using (var p = await client.MergePatchAsync($"/api/v1/accounts/{ids["Alpha"]}", """{"region":"NA"}""")) Assert.Equal(HttpStatusCode.OK, p.StatusCode);
        Assert.Equal(["Alpha", "Charlie", "Delta", "Foxtrot", "Bravo", "Golf", "Echo"], (await AllPages(client, "sort=-updatedAt&pageSize=3")).SelectMany(x => x));
        Assert.Equal(["Echo", "Golf", "Bravo", "Foxtrot", "Delta", "Charlie", "Alpha"], (await AllPages(client, "sort=updatedAt&pageSize=2")).SelectMany(x => x));

        // Filters, alone and together with paging: segment bands 10/50 smb, 300/700 mid_market, 1200/5000/20000 enterprise.
        Assert.Equal([["Alpha", "Charlie"], ["Foxtrot"]], await AllPages(client, "segment=enterprise&pageSize=2"));
        Assert.Equal([["Bravo", "Echo", "Golf"]], await AllPages(client, "country=de"));
        Assert.Equal([["Echo", "Bravo"]], await AllPages(client, "country=DE&segment=smb&sort=-name"));
        Assert.Equal([["Foxtrot"]], await AllPages(client, "q=Fox"));
        Assert.Equal([["Foxtrot", "Alpha"]], await AllPages(client, "segment=enterprise&country=US&sort=-name"));
        Assert.Equal([["Alpha"]], await AllPages(client, "region=NA"));
        Assert.Equal([["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"]], await AllPages(client, $"ownerId={ae.Id}"));
        Assert.Equal([[]], await AllPages(client, $"ownerId={Guid.NewGuid()}"));

        // A cursor only works with the sort order that issued it; bad sorts and garbage are named problems.
        var page1 = await client.GetJsonAsync("/api/v1/accounts?sort=name&pageSize=2");
        var cursor = page1.GetProperty("nextCursor").GetString()!;
        using (var r = await client.GetAsync($"/api/v1/accounts?sort=-name&pageSize=2&cursor={cursor}")) await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, "cursor");
        using (var r = await client.GetAsync("/api/v1/accounts?cursor=not-a-cursor")) await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, "cursor");
        using (var r = await client.GetAsync("/api/v1/accounts?sort=domain")) await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, "sort");
    }

    /// <summary>Follows nextCursor from the first page to the last; the names of every page.</summary>
    private static async Task<List<List<string>>> AllPages(HttpClient client, string query)
    {
        var pages = new List<List<string>>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync($"/api/v1/accounts?{query}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            pages.Add(page.Names());
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
            Assert.True(pages.Count < 20, "the cursor does not end");
        } while (cursor is not null);
        return pages;
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Page_size_is_limited_to_500(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var client = await server.AdminClientAsync();
        await client.CreateAccountIdAsync("""{"name":"Only"}""");
        foreach (var bad in new[] { "501", "0", "-1" })
        {
            using var r = await client.GetAsync($"/api/v1/accounts?pageSize={bad}");
            var problem = await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, "pageSize");
            Assert.Equal("must be between 1 and 500", problem.GetProperty("errors").GetProperty("pageSize")[0].GetString());
        }
        var max = await client.GetJsonAsync("/api/v1/accounts?pageSize=500");
        Assert.Equal(500, max.GetProperty("pageSize").GetInt32());
        Assert.Equal(["Only"], max.Names());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Merge_patch_null_clears_a_field_and_leaves_the_others(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        using var client = await server.ClientForAsync(ae);
        var id = await client.CreateAccountIdAsync("""{"name":"Globex","domain":"globex.com","industry":"Energy","employees":40,"region":"NA"}""");

        using var patch = await client.MergePatchAsync($"/api/v1/accounts/{id}", """{"domain":null,"employees":null,"segment":"enterprise"}""");
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var expected = new AccountView("Globex", null, "Energy", null, "enterprise", "NA", null, null, ae.Id);
        Assert.Equal(expected, AccountView.From(await patch.ReadJsonAsync()));
        Assert.Equal(expected, AccountView.From(await client.GetJsonAsync($"/api/v1/accounts/{id}")));

        var changes = await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityId == id && c.OldValue != null)
            .Select(c => new { c.Field, c.OldValue, c.NewValue }).ToListAsync());
        Assert.Equal([new { Field = "Domain", OldValue = (string?)"globex.com", NewValue = (string?)null }, new { Field = "Employees", OldValue = (string?)"40", NewValue = (string?)null },
            new { Field = "Segment", OldValue = (string?)"smb", NewValue = (string?)"enterprise" }], changes.OrderBy(c => c.Field).ToList());

        // A patch that changes nothing keeps the version and writes no history.
        using var same = await client.MergePatchAsync($"/api/v1/accounts/{id}", """{"industry":"Energy"}""");
        Assert.Equal("\"2\"", same.Headers.ETag?.Tag);
        // 7 fields on create (stored as one row); the patch: Domain, Employees, Segment, and SegmentExplicit (the segment is now set by hand).
        var stored = await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityId == id).ToListAsync());
        Assert.Equal(1 + 4, stored.Count);
        Assert.Equal(7 + 4, CreationRecord.Expand(stored).Count());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Stale_If_Match_is_412_and_the_record_is_unchanged(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        using var client = await server.ClientForAsync(ae);
        var id = await client.CreateAccountIdAsync("""{"name":"Initech","industry":"Software"}""");
        var url = $"/api/v1/accounts/{id}";

        using (var get = await client.GetAsync(url)) Assert.Equal("\"1\"", get.Headers.ETag?.Tag);
        using (var first = await client.MergePatchAsync(url, """{"industry":"Banking"}""", ifMatch: "\"1\""))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("\"2\"", first.Headers.ETag?.Tag);
        }
        var historyBefore = await server.WithDbAsync(db => db.FieldChanges.CountAsync(c => c.EntityId == id));

        // Someone still holding version 1 tries to patch, replace and delete: every one is refused.
        using (var stale = await client.MergePatchAsync(url, """{"industry":"Retail"}""", ifMatch: "\"1\""))
            await Api.AssertProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        using (var stale = await client.SendAsync(HttpMethod.Put, url, """{"name":"Initrode"}""", ifMatch: "\"1\""))
            await Api.AssertProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        using (var stale = await client.SendAsync(HttpMethod.Delete, url, ifMatch: "\"1\""))
            await Api.AssertProblemAsync(stale, HttpStatusCode.PreconditionFailed);

        using var now = await client.GetAsync(url);
        Assert.Equal("\"2\"", now.Headers.ETag?.Tag);
        Assert.Equal(new AccountView("Initech", null, "Banking", null, null, null, null, null, ae.Id), AccountView.From(await now.ReadJsonAsync()));
        Assert.Equal(historyBefore, await server.WithDbAsync(db => db.FieldChanges.CountAsync(c => c.EntityId == id)));

        // The current ETag (and "*") are accepted; a malformed one is a problem naming the header.
        using (var ok = await client.MergePatchAsync(url, """{"industry":"Retail"}""", ifMatch: "\"2\"")) Assert.Equal("\"3\"", ok.Headers.ETag?.Tag);
        using (var any = await client.MergePatchAsync(url, """{"industry":"Media"}""", ifMatch: "*")) Assert.Equal("\"4\"", any.Headers.ETag?.Tag);
        using (var bad = await client.MergePatchAsync(url, """{"industry":"Oil"}""", ifMatch: "\"v4\"")) await Api.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "If-Match");
        Assert.Equal("Media", (await client.GetJsonAsync(url)).Str("industry"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Unknown_fields_are_rejected_by_name(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var client = await server.AdminClientAsync();
        using (var post = await client.PostAsync("/api/v1/accounts", """{"name":"Hooli","colour":"red"}"""))
        {
            var problem = await Api.AssertProblemAsync(post, HttpStatusCode.BadRequest, "colour");
            Assert.Contains("colour", problem.GetProperty("detail").GetString());
        }
        var id = await client.CreateAccountIdAsync("""{"name":"Hooli"}""");
        using (var patch = await client.MergePatchAsync($"/api/v1/accounts/{id}", """{"industry":"Tech","ceo":"Gavin"}"""))
            await Api.AssertProblemAsync(patch, HttpStatusCode.BadRequest, "ceo");
        using (var put = await client.SendAsync(HttpMethod.Put, $"/api/v1/accounts/{id}", """{"name":"Hooli XYZ","version":7}"""))
            await Api.AssertProblemAsync(put, HttpStatusCode.BadRequest, "version");
        var only = await client.GetJsonAsync("/api/v1/accounts");
        Assert.Equal(["Hooli"], only.Names());
        Assert.Equal(1, only.GetProperty("items")[0].GetProperty("version").GetInt64());
        Assert.Equal(JsonValueKind.Null, only.GetProperty("items")[0].GetProperty("industry").ValueKind);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Invalid_values_are_400_naming_the_field_and_change_nothing(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var client = await server.AdminClientAsync();
        var a = await client.CreateAccountIdAsync("""{"name":"Parent A"}""");
        var b = await client.CreateAccountIdAsync($$"""{"name":"Child B","parentAccountId":"{{a}}"}""");
        var c = await client.CreateAccountIdAsync($$"""{"name":"Grandchild C","parentAccountId":"{{b}}"}""");
        var counts = await Counts(server);

        (string Body, string Field)[] posts =
        [
            ("""{"name":"X","domain":"not a domain"}""", "domain"),
            ("""{"name":"X","domain":"exa mple.com"}""", "domain"),
            ("""{"name":"X","country":"Germany"}""", "country"),
            ("""{"name":"X","country":"D1"}""", "country"),
            ("""{"name":"X","segment":"huge"}""", "segment"),
            ("""{"name":"X","employees":-5}""", "employees"),
            ("""{"name":"X","employees":"many"}""", "employees"),
            ("""{"name":"X","employees":1.5}""", "employees"),
            ($$"""{"name":"X","ownerId":"{{Guid.NewGuid()}}"}""", "ownerId"),
            ("""{"name":"X","ownerId":"not-a-uuid"}""", "ownerId"),
            ($$"""{"name":"X","parentAccountId":"{{Guid.NewGuid()}}"}""", "parentAccountId"),
            ("""{"name":"   "}""", "name"),
            ("""{"domain":"x.com"}""", "name"),
            ($$"""{"name":"{{new string('n', 301)}}"}""", "name"),
        ];
        foreach (var (body, field) in posts)
        {
            using var r = await client.PostAsync("/api/v1/accounts", body);
            await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, [field], $"POST {body}");
        }

        (Guid Id, string Body, string Field)[] patches =
        [
            (a, $$"""{"parentAccountId":"{{c}}"}""", "parentAccountId"),   // a -> c -> b -> a
            (a, $$"""{"parentAccountId":"{{b}}"}""", "parentAccountId"),   // a -> b -> a
            (b, $$"""{"parentAccountId":"{{b}}"}""", "parentAccountId"),   // its own parent
            (b, """{"country":"Deutschland"}""", "country"),
            (b, """{"employees":"many"}""", "employees"),
            (b, """{"ownerId":"nobody"}""", "ownerId"),
            (c, """{"name":null}""", "name"),
            (c, """{"segment":"tiny"}""", "segment"),
        ];
        foreach (var (id, body, field) in patches)
        {
            using var r = await client.MergePatchAsync($"/api/v1/accounts/{id}", body);
            await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, [field], $"PATCH {body}");
        }
        using (var cycle = await client.MergePatchAsync($"/api/v1/accounts/{a}", $$"""{"parentAccountId":"{{c}}"}"""))
        {
            var problem = await Api.AssertProblemAsync(cycle, HttpStatusCode.BadRequest, "parentAccountId");
            Assert.Equal(["would make a cycle in the account hierarchy"], problem.GetProperty("errors").GetProperty("parentAccountId").EnumerateArray().Select(x => x.GetString()));
        }

        Assert.Equal(counts, await Counts(server));
        var items = (await client.GetJsonAsync("/api/v1/accounts")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["Child B", "Grandchild C", "Parent A"], items.Select(x => x.GetProperty("name").GetString()));
        Assert.All(items, x => Assert.Equal(1, x.GetProperty("version").GetInt64()));
    }

    private static Task<(int Accounts, int Changes, int Events)> Counts(RunningServer server) => server.WithDbAsync(async db =>
        (await db.Accounts.IgnoreQueryFilters().CountAsync(), await db.FieldChanges.CountAsync(), await db.OutboxEvents.CountAsync()));
}
