using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

public class OpportunityListTests
{
    private static async Task<JsonElement> Created(HttpResponseMessage r)
    {
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return await r.ReadJsonAsync();
    }

    private static async Task<(List<string> Names, string? Next)> PageAsync(HttpClient api, string url)
    {
        var r = await api.GetAsync(url);
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{url}: {await r.Content.ReadAsStringAsync()}");
        var page = await r.ReadJsonAsync();
        var next = page.TryGetProperty("nextCursor", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        return (page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToList(), next);
    }

    private static async Task<List<string>> WalkAsync(HttpClient api, string url)
    {
        var all = new List<string>();
        string? cursor = null;
        do
        {
            var (names, next) = await PageAsync(api, cursor is null ? url : $"{url}&cursor={cursor}");
            all.AddRange(names);
            cursor = next;
        } while (cursor is not null);
        return all;
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Owner_and_stage_by_name_or_email_sorted_by_close_date_page_through_dated_then_undated_deals(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rosa@example.com", Roles.Ae);
        var other = await server.CreateUserAsync("otto@example.com", Roles.Ae);
        var pipeline = await Created(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "New business",
            stages = new object[]
            {
                new { name = "Discovery", probability = 10, type = "open" }, new { name = "Proposal", probability = 40, type = "open" },
                new { name = "Won", probability = 100, type = "won" }, new { name = "Lost", probability = 0, type = "lost" },
            },
        }));
        string Stage(string name) => pipeline.GetProperty("stages").EnumerateArray().First(s => s.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;
        var account = (await Created(await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Acme" }))).GetProperty("id").GetString();

        // Proposal deals of Rosa: five with close dates (two share 2027-02-01), two without a close date cannot be in
        // Proposal (it requires one), so the undated ones sit in Discovery and are listed with stage=Discovery below.
        (string Name, string Stage, string? Close, Guid Owner)[] deals =
        [
            ("P-mar", "Proposal", "2027-03-15", rep.Id), ("P-feb-a", "Proposal", "2027-02-01", rep.Id), ("P-jan", "Proposal", "2027-01-10", rep.Id),
            ("P-feb-b", "Proposal", "2027-02-01", rep.Id), ("P-apr", "Proposal", "2027-04-30", rep.Id),
            ("Otto-jan", "Proposal", "2027-01-01", other.Id), ("D-undated-1", "Discovery", null, rep.Id), ("D-dated", "Discovery", "2027-05-05", rep.Id),
            ("D-undated-2", "Discovery", null, rep.Id),
        ];
        var ids = new Dictionary<string, string>();
        foreach (var d in deals)
        {
            var o = await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new
            {
                name = d.Name, accountId = account, stageId = Stage(d.Stage), amount = 1000m, closeDate = d.Close, ownerId = d.Owner,
            }));
            ids[d.Name] = o.GetProperty("id").GetString()!;
        }
        string Later(string a, string b) => string.CompareOrdinal(ids[a], ids[b]) < 0 ? b : a;
        string Earlier(string a, string b) => string.CompareOrdinal(ids[a], ids[b]) < 0 ? a : b;

        // Page size 2 makes the cursor cross the tie on 2027-02-01 (broken by id, v7 ids grow with creation).
        Assert.Equal(["P-jan", Earlier("P-feb-a", "P-feb-b"), Later("P-feb-a", "P-feb-b"), "P-mar", "P-apr"],
            await WalkAsync(api, "/api/v1/opportunities?owner=rosa@example.com&stage=Proposal&sort=closeDate&pageSize=2"));
        Assert.Equal(["P-apr", "P-mar", Later("P-feb-a", "P-feb-b"), Earlier("P-feb-a", "P-feb-b"), "P-jan"],
            await WalkAsync(api, "/api/v1/opportunities?owner=ROSA@example.com&stage=proposal&sort=-closeDate&pageSize=2"));
        // Undated deals come after the dated ones in both directions; the cursor crosses from one part to the other.
        Assert.Equal(["D-dated", "D-undated-1", "D-undated-2"],
            await WalkAsync(api, $"/api/v1/opportunities?owner={rep.Id}&stage={Stage("Discovery")}&sort=closeDate&pageSize=1"));
        Assert.Equal(["D-dated", "D-undated-2", "D-undated-1"],
            await WalkAsync(api, "/api/v1/opportunities?owner=rosa@example.com&stage=Discovery&sort=-closeDate&pageSize=2"));
        // The rep asking for their own deals with owner=me.
        var rosa = await server.ClientForAsync(rep, "read");
        Assert.Equal(["P-jan", Earlier("P-feb-a", "P-feb-b")], (await PageAsync(rosa, "/api/v1/opportunities?owner=me&stage=Proposal&sort=closeDate&pageSize=2")).Names);
        // Without a sort the list stays in creation order, and the old ownerId/stageId names still work.
        Assert.Equal(["Otto-jan"], await WalkAsync(api, $"/api/v1/opportunities?ownerId={other.Id}&stageId={Stage("Proposal")}"));

        async Task<string> Problem(string url)
        {
            var r = await api.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            var errors = (await r.ReadJsonAsync()).GetProperty("errors");
            return string.Join(" | ", errors.EnumerateObject().Select(p => $"{p.Name}: {string.Join(", ", p.Value.EnumerateArray().Select(v => v.GetString()))}"));
        }
        Assert.Equal("sort: must be one of id, closeDate, -closeDate", await Problem("/api/v1/opportunities?sort=amount"));
        Assert.Equal("owner: no user has the email 'nobody@example.com' (give a user id, an email or 'me')", await Problem("/api/v1/opportunities?owner=nobody@example.com"));
        Assert.Equal("stage: no stage is named 'Signed'", await Problem("/api/v1/opportunities?stage=Signed"));
        var (_, next) = await PageAsync(api, "/api/v1/opportunities?owner=rosa@example.com&sort=closeDate&pageSize=1");
        Assert.Equal("cursor: belongs to another sort order", await Problem($"/api/v1/opportunities?sort=-closeDate&cursor={next}"));

        // A stage name used in two pipelines lists the deals of both.
        var renewal = await Created(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Renewal",
            stages = new object[] { new { name = "Proposal", probability = 50, type = "open" }, new { name = "Renewed", probability = 100, type = "won" }, new { name = "Churned", probability = 0, type = "lost" } },
        }));
        var renewalProposal = renewal.GetProperty("stages")[0].GetProperty("id").GetString();
        await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new
        {
            name = "R-feb", accountId = account, pipelineId = renewal.GetProperty("id").GetString(), stageId = renewalProposal, amount = 10m, closeDate = "2027-02-02", ownerId = rep.Id,
        }));
        Assert.Equal(["P-jan", Earlier("P-feb-a", "P-feb-b"), Later("P-feb-a", "P-feb-b"), "R-feb", "P-mar", "P-apr"],
            await WalkAsync(api, "/api/v1/opportunities?owner=rosa@example.com&stage=Proposal&sort=closeDate&pageSize=4"));
        Assert.Equal(["P-apr", "P-mar", "R-feb", Later("P-feb-a", "P-feb-b"), Earlier("P-feb-a", "P-feb-b"), "P-jan"],
            await WalkAsync(api, "/api/v1/opportunities?owner=rosa@example.com&stage=Proposal&sort=-closeDate&pageSize=4"));

        // Stage ids by name are kept between requests; renaming a stage through the API applies to the next request.
        var stages = pipeline.GetProperty("stages").EnumerateArray().Select(st => new
        {
            id = st.GetProperty("id").GetString(), name = st.GetProperty("name").GetString() == "Discovery" ? "Qualify" : st.GetProperty("name").GetString(),
            probability = st.GetProperty("probability").GetInt32(), type = st.GetProperty("type").GetString(),
            requiredFields = st.TryGetProperty("requiredFields", out var f) ? f.EnumerateArray().Select(x => x.GetString()).ToArray() : [],
        }).ToArray();
        using (var r = await api.PutAsJsonAsync($"/api/v1/pipelines/{pipeline.GetProperty("id").GetString()}", new { name = "New business", stages }))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(["D-dated", "D-undated-1", "D-undated-2"], await WalkAsync(api, "/api/v1/opportunities?owner=rosa@example.com&stage=Qualify&sort=closeDate"));
        Assert.Equal("stage: no stage is named 'Discovery'", await Problem("/api/v1/opportunities?owner=rosa@example.com&stage=Discovery&sort=closeDate"));
    }
}

public class UndatedDealsTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_deal_without_a_close_date_is_listed_after_the_dated_ones_as_soon_as_it_is_saved_by_the_api_or_past_the_server(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        var pipeline = await (await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", stages = new object[] { new { name = "Open", probability = 20, type = "open" }, new { name = "Won", probability = 100, type = "won" }, new { name = "Lost", probability = 0, type = "lost" } },
        })).ReadJsonAsync();
        var open = pipeline.GetProperty("stages")[0].GetProperty("id").GetString();
        var account = (await (await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Acme" })).ReadJsonAsync()).GetProperty("id").GetString();
        foreach (var (name, close) in new[] { ("A", "2027-01-01"), ("B", "2027-02-01"), ("Z", "2027-03-01") })
            (await api.PostAsJsonAsync("/api/v1/opportunities", new { name, accountId = account, amount = 10m, closeDate = close })).EnsureSuccessStatusCode();
        async Task<List<string>> Names(string sort) => (await (await api.GetAsync($"/api/v1/opportunities?stage=Open&sort={sort}")).ReadJsonAsync())
            .GetProperty("items").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToList();
        // Every deal has a close date: the server notes that no undated part needs reading.
        Assert.Equal(["A", "B", "Z"], await Names("closeDate"));

        // Another process clears A's close date (a connection of its own, no save through this server).
        await using (var other = server.Database.Provider == DatabaseProvider.Sqlite
            ? (System.Data.Common.DbConnection)new Microsoft.Data.Sqlite.SqliteConnection(server.Database.ConnectionString)
            : new Npgsql.NpgsqlConnection(server.Database.ConnectionString))
        {
            await other.OpenAsync();
            await using var update = other.CreateCommand();
            update.CommandText = "UPDATE \"Opportunities\" SET \"CloseDate\" = NULL WHERE \"Name\" = 'A'";
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        Assert.Equal(["B", "Z", "A"], await Names("closeDate"));

        // And a deal saved through the API without one comes last too (undated deals by id, in the sort's direction).
        (await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "C", accountId = account, amount = 10m })).EnsureSuccessStatusCode();
        Assert.Equal(["B", "Z", "A", "C"], await Names("closeDate"));
        Assert.Equal(["Z", "B", "C", "A"], await Names("-closeDate"));
        // A close period leaves undated deals out; other filters narrow both parts.
        Assert.Equal(["B", "Z"], await Names("closeDate&closeFrom=2027-01-15"));
        Assert.Equal(["B"], await Names("-closeDate&closeFrom=2027-01-15&closeTo=2027-02-15"));
        Assert.Equal(["B", "Z", "A", "C"], await Names($"closeDate&accountId={account}"));
        Assert.Equal([], await Names($"closeDate&accountId={Guid.NewGuid()}"));
        // Pages that end in the dated part, at the turn and in the undated part.
        Assert.Equal(["B", "Z"], await Names("closeDate&pageSize=2"));
        Assert.Equal(["Z", "B", "C"], await Names("-closeDate&pageSize=3"));
        // The same through the composed query (a stage given by id and by name is not one of the compiled runs).
        Assert.Equal(["B", "Z"], await Names($"closeDate&pageSize=2&stageId={open}"));
        Assert.Equal(["B", "Z", "A"], await Names($"closeDate&pageSize=3&stageId={open}"));
        Assert.Equal(["Z", "B", "C", "A"], await Names($"-closeDate&stageId={open}"));
        Assert.Equal(["B"], await Names($"closeDate&closeTo=2027-02-15&stageId={open}"));
    }
}

public class OpportunityBaseAmountTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_deal_in_another_currency_shows_its_base_amount_at_the_close_dates_rate_and_a_late_rate_changes_it(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        (await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", stages = new object[] { new { name = "Open", probability = 20, type = "open" }, new { name = "Won", probability = 100, type = "won" }, new { name = "Lost", probability = 0, type = "lost" } },
        })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/v1/currencies", new { code = "EUR", name = "Euro" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2026-01-01", rate = 1.10m })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2026-06-01", rate = 1.20m })).EnsureSuccessStatusCode();
        var account = (await (await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Ville de Lyon" })).ReadJsonAsync()).GetProperty("id").GetString();
        var created = await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "Lyon", accountId = account, amount = 12_345.67m, acv = 10_000m, currency = "EUR", closeDate = "2026-03-31" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var deal = await created.ReadJsonAsync();
        Assert.Equal("USD", deal.GetProperty("baseCurrency").GetString());
        Assert.Equal(13_580.24m, deal.GetProperty("amountBase").GetDecimal());   // 12,345.67 x 1.10 = 13,580.237
        Assert.Equal(11_000.00m, deal.GetProperty("acvBase").GetDecimal());
        // A March rate entered later applies to every read from then on: nothing stored goes stale.
        (await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2026-03-01", rate = 1.15m })).EnsureSuccessStatusCode();
        var again = await (await api.GetAsync($"/api/v1/opportunities/{deal.GetProperty("id").GetString()}")).ReadJsonAsync();
        Assert.Equal(14_197.52m, again.GetProperty("amountBase").GetDecimal());  // 12,345.67 x 1.15 = 14,197.5205
        var listed = (await (await api.GetAsync("/api/v1/opportunities?sort=closeDate")).ReadJsonAsync()).GetProperty("items")[0];
        Assert.Equal(14_197.52m, listed.GetProperty("amountBase").GetDecimal());
    }
}
