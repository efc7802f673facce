using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Platform;
using RevLoop.Server.Hosting;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

/// <summary>Target account lists and account engagement (ABM) on a clock the test moves: accounts and a first deal ten days ago, the list five days ago, the rest now.</summary>
public class AbmTests
{
    private sealed class MovableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static async Task<(RunningServer, MovableClock)> StartAsync(string provider)
    {
        var clock = new MovableClock(Now);
        var server = await RunningServer.StartAsync(provider, o => new ServeOptions
        {
            Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, RunWorkers = false,
            ConfigureServices = s => s.AddSingleton<TimeProvider>(clock),
        });
        return (server, clock);
    }

    private static async Task<JsonElement> Ok(HttpResponseMessage r, HttpStatusCode status = HttpStatusCode.Created)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri} -> {(int)r.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string At(TimeSpan ago) => (Now - ago).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Target_lists_are_created_validated_and_filled_by_account_ids_or_a_csv_of_domains_and_names(string provider)
    {
        var (server, _) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae);
        var campaign = (await Ok(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Enterprise ABM", type = "abm" }))).GetProperty("id").GetGuid();
        var acme = await api.CreateAccountIdAsync($$"""{"name":"Acme, Inc.","domain":"acme.com","ownerId":"{{rep.Id}}"}""");
        var globex = await api.CreateAccountIdAsync("""{"name":"Globex Corporation","domain":"globex.com"}""");
        var initech = await api.CreateAccountIdAsync("""{"name":"Initech GmbH"}""");

        var list = await Ok(await api.PostAsJsonAsync("/api/v1/target-lists", new { name = " Strategic 2027 ", campaignId = campaign, description = "Top accounts" }));
        var id = list.GetProperty("id").GetGuid();
        Assert.Equal("Strategic 2027", list.Str("name"));
        Assert.Equal(0, list.GetProperty("accounts").GetInt32());
        // The creator owns a list unless someone else is named.
        Assert.NotEqual(Guid.Empty, list.GetProperty("ownerId").GetGuid());

        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/target-lists", new { description = "no name" }), HttpStatusCode.BadRequest, "name");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/target-lists", new { name = "Strategic 2027" }), HttpStatusCode.BadRequest, "name");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/target-lists", new { name = "X", campaignId = Guid.NewGuid() }), HttpStatusCode.BadRequest, "campaignId");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/target-lists", new { name = "X", ownerId = Guid.NewGuid() }), HttpStatusCode.BadRequest, "ownerId");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/target-lists", new { name = new string('x', 201) }), HttpStatusCode.BadRequest, "name");
        await Api.AssertProblemAsync(await api.PostAsync("/api/v1/target-lists", """{"name":"X","colour":"red"}"""), HttpStatusCode.BadRequest, "colour");

        // Members by id: unknown ids refuse the whole request; adding one twice counts it once.
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/target-lists/{id}/accounts", new { accountIds = new[] { acme, Guid.Empty } }), HttpStatusCode.BadRequest, "accountIds");
        await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/target-lists/{id}/accounts", new { accountIds = Array.Empty<Guid>() }), HttpStatusCode.BadRequest, "accountIds");
        var added = await Ok(await api.PostAsJsonAsync($"/api/v1/target-lists/{id}/accounts", new { accountIds = new[] { acme, acme } }), HttpStatusCode.OK);
        Assert.Equal((1, 0), (added.GetProperty("added").GetInt32(), added.GetProperty("alreadyOnList").GetInt32()));

        // Members by CSV: the normalised domain (a URL or an email works), else the normalised company name; misses are listed by line.
        using var csv = await api.PostAsync($"/api/v1/target-lists/{id}/accounts/csv",
            new StringContent("domain,company\nhttps://www.ACME.com/about,\n,\"GLOBEX corp.\"\nnope.example,Nobody Ltd\n,initech\n", Encoding.UTF8, "text/csv"));
        var matched = await Ok(csv, HttpStatusCode.OK);
        Assert.Equal((4, 2, 1), (matched.GetProperty("rows").GetInt32(), matched.GetProperty("added").GetInt32(), matched.GetProperty("alreadyOnList").GetInt32()));
        Assert.Equal(["2 Acme, Inc. domain False", "3 Globex Corporation name True", "5 Initech GmbH name True"], matched.GetProperty("matched").EnumerateArray()
            .Select(m => $"{m.GetProperty("line").GetInt32()} {m.Str("account")} {m.Str("matchedBy")} {m.GetProperty("added").GetBoolean()}"));
        Assert.Equal(["4 nope.example Nobody Ltd"], matched.GetProperty("unmatched").EnumerateArray()
            .Select(m => $"{m.GetProperty("line").GetInt32()} {m.Str("domain")} {m.Str("name")}"));
        // Without a header: one domain, email or name per line.
        var plain = await Ok(await api.PostAsync($"/api/v1/target-lists/{id}/accounts/csv", new StringContent("jane@globex.com\nAcme Inc\n", Encoding.UTF8, "text/plain")), HttpStatusCode.OK);
        Assert.Equal((0, 2), (plain.GetProperty("added").GetInt32(), plain.GetProperty("alreadyOnList").GetInt32()));
        await Api.AssertProblemAsync(await api.PostAsync($"/api/v1/target-lists/{id}/accounts/csv", new StringContent("\n\n", Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest, "csv");

        var page = await api.GetJsonAsync($"/api/v1/target-lists/{id}/accounts?pageSize=2");
        Assert.Equal(["Acme, Inc.", "Globex Corporation"], page.Names());
        var rest = await api.GetJsonAsync($"/api/v1/target-lists/{id}/accounts?pageSize=2&cursor={page.Str("nextCursor")}");
        Assert.Equal(["Initech GmbH"], rest.Names());
        Assert.Null(rest.Str("nextCursor"));
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/target-lists/{id}/accounts?pageSize=0"), HttpStatusCode.BadRequest, "pageSize");

        // A rep sees the list but only the accounts they may see, in the list and in its count.
        var repApi = await server.ClientForAsync(rep);
        Assert.Equal(["Acme, Inc."], (await repApi.GetJsonAsync($"/api/v1/target-lists/{id}/accounts")).Names());
        Assert.Equal(1, (await repApi.GetJsonAsync($"/api/v1/target-lists/{id}")).GetProperty("accounts").GetInt32());
        Assert.Equal(3, (await api.GetJsonAsync($"/api/v1/target-lists/{id}")).GetProperty("accounts").GetInt32());

        // Update, stale update, history, remove a member, list and delete.
        Assert.Equal(HttpStatusCode.OK, (await api.MergePatchAsync($"/api/v1/target-lists/{id}", """{"description":"Top 3"}""", ifMatch: "\"1\"")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await api.MergePatchAsync($"/api/v1/target-lists/{id}", """{"description":"Top 4"}""", ifMatch: "\"1\"")).StatusCode);
        await Api.AssertProblemAsync(await api.MergePatchAsync($"/api/v1/target-lists/{id}", """{"name":""}"""), HttpStatusCode.BadRequest, "name");
        var history = await api.GetJsonAsync($"/api/v1/target-lists/{id}/history");
        Assert.Contains(history.GetProperty("items").EnumerateArray(), c => c.Str("field") == "Description" && c.Str("oldValue") == "Top accounts" && c.Str("newValue") == "Top 3");
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/target-lists/{id}/accounts/{initech}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/v1/target-lists/{id}/accounts/{initech}")).StatusCode);
        Assert.Equal(2, (await api.GetJsonAsync($"/api/v1/target-lists/{id}")).GetProperty("accounts").GetInt32());
        await Ok(await api.PostAsJsonAsync("/api/v1/target-lists", new { name = "Wave 2" }));
        Assert.Equal(["Strategic 2027", "Wave 2"], (await api.GetJsonAsync("/api/v1/target-lists")).Names());
        Assert.Equal(["Strategic 2027"], (await api.GetJsonAsync($"/api/v1/target-lists?campaignId={campaign}")).Names());
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/target-lists/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/target-lists/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/target-lists/{id}/engagement")).StatusCode);
        Assert.Equal(["Wave 2"], (await api.GetJsonAsync("/api/v1/target-lists")).Names());
    }

    private sealed record World(RunningServer Server, HttpClient Admin, User Rep1, User Rep2, Guid List, Guid Acme, Guid Globex, Guid Initech, Guid Webinar, Guid Newsletter);

    /// <summary>
    /// Acme (rep1): contacts Alice and Bob, lead Carol matched by her email's domain, lead Dan converted into a contact.
    /// Globex (rep2): contact Gina. Initech (rep1): contact Ivan, a newsletter member, no events. Umbrella is not on the list.
    /// Deals: Acme 10,000 USD open created before Acme joined the list, 2,000 EUR open (2,200 USD at 1.1), 5,000 USD won,
    /// 1,000 USD lost; Globex 1,000 EUR won (1,100 USD).
    /// </summary>
    private static async Task<World> SeedAsync(RunningServer server, MovableClock clock)
    {
        clock.Now = Now.AddDays(-10);
        var api = await server.AdminClientAsync();
        var rep1 = await server.CreateUserAsync("rep1@example.com", Roles.Ae);
        var rep2 = await server.CreateUserAsync("rep2@example.com", Roles.Ae);
        var pipeline = await Ok(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", stages = new[] { new { name = "Qualify", type = "open" }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } },
        }));
        string Stage(string name) => pipeline.GetProperty("stages").EnumerateArray().First(s => s.Str("name") == name).Str("id")!;
        await Ok(await api.PostAsJsonAsync("/api/v1/currencies", new { code = "EUR", name = "Euro" }));
        await Ok(await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2020-01-01", rate = 1.1m }));
        var acme = await api.CreateAccountIdAsync($$"""{"name":"Acme","domain":"acme.com","ownerId":"{{rep1.Id}}"}""");
        var globex = await api.CreateAccountIdAsync($$"""{"name":"Globex","domain":"globex.com","ownerId":"{{rep2.Id}}"}""");
        var initech = await api.CreateAccountIdAsync($$"""{"name":"Initech","domain":"initech.com","ownerId":"{{rep1.Id}}"}""");
        var umbrella = await api.CreateAccountIdAsync($$"""{"name":"Umbrella","domain":"umbrella.com","ownerId":"{{rep1.Id}}"}""");
        async Task Deal(string name, Guid account, string stage, decimal amount, string currency, User owner) =>
            await Ok(await api.PostAsJsonAsync("/api/v1/opportunities", new
            {
                name, accountId = account, pipelineId = pipeline.Str("id"), stageId = Stage(stage), amount, currency, closeDate = stage == "Qualify" ? "2026-11-30" : "2026-11-15", ownerId = owner.Id,
                lostReason = stage == "Lost" ? "price" : null,
            }));
        await Deal("Acme early", acme, "Qualify", 10_000m, "USD", rep1);

        clock.Now = Now.AddDays(-5);
        var list = (await Ok(await api.PostAsJsonAsync("/api/v1/target-lists", new { name = "Strategic" }))).GetProperty("id").GetGuid();
        await Ok(await api.PostAsJsonAsync($"/api/v1/target-lists/{list}/accounts", new { accountIds = new[] { acme, globex, initech } }), HttpStatusCode.OK);

        clock.Now = Now;
        await Deal("Acme expansion", acme, "Qualify", 2_000m, "EUR", rep1);
        await Deal("Acme platform", acme, "Won", 5_000m, "USD", rep1);
        await Deal("Acme lost", acme, "Lost", 1_000m, "USD", rep1);
        await Deal("Globex pilot", globex, "Won", 1_000m, "EUR", rep2);
        var webinar = (await Ok(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Webinar", type = "webinar" }))).GetProperty("id").GetGuid();
        var newsletter = (await Ok(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = "Newsletter", type = "email" }))).GetProperty("id").GetGuid();
        async Task<Guid> Contact(string first, Guid account, User owner) =>
            (await Ok(await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = first, lastName = "Test", email = $"{first.ToLowerInvariant()}@x.example", accountId = account, ownerId = owner.Id })))
            .GetProperty("contact").GetProperty("id").GetGuid();
        var alice = await Contact("Alice", acme, rep1);
        var bob = await Contact("Bob", acme, rep1);
        var gina = await Contact("Gina", globex, rep2);
        var ivan = await Contact("Ivan", initech, rep1);
        var uma = await Contact("Uma", umbrella, rep1);
        var dan = (await Ok(await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Dan", lastName = "Test", email = "dan@acme.com", ownerId = rep1.Id })))
            .GetProperty("id").GetGuid();
        await Ok(await api.PostAsJsonAsync($"/api/v1/campaigns/{newsletter}/members", new { contactId = ivan }));

        var d = TimeSpan.FromDays(1);
        var h = TimeSpan.FromHours(1);
        object E(string id, string type, string key, Guid person, TimeSpan ago, Guid? campaign = null, string? url = null, string? feature = null) =>
            new Dictionary<string, object?> { ["id"] = id, ["type"] = type, [key] = person.ToString(), ["occurredAt"] = At(ago), ["campaignId"] = campaign?.ToString(), ["url"] = url, ["feature"] = feature };
        var batch = new object[]
        {
            E("a1", "demo_request", "contactId", alice, h),
            E("a2", "webinar_attended", "contactId", alice, 10 * d, webinar),
            E("a3", "page_view", "contactId", alice, 2 * d, url: "/pricing"),
            E("a4", "page_view", "contactId", alice, 2 * d + h, url: "/product"),
            E("a5", "page_view", "contactId", alice, 2 * d + 2 * h, url: "/"),
            E("b1", "email_open", "contactId", bob, 5 * d, newsletter),
            // Exactly at the start of the 90-day window: in. One second earlier: out.
            E("b2", "email_click", "contactId", bob, 90 * d),
            E("b3", "email_click", "contactId", bob, 90 * d + TimeSpan.FromSeconds(1)),
            E("d1", "content_download", "leadId", dan, 20 * d, url: "/ebook"),
            E("g1", "webinar_attended", "contactId", gina, 30 * d, webinar),
            E("g2", "email_open", "contactId", gina, 40 * d),
            E("g3", "email_open", "contactId", gina, 41 * d),
            E("u1", "demo_request", "contactId", uma, d),
        };
        await Ok(await api.PostAsJsonAsync("/api/v1/events", new { events = batch }), HttpStatusCode.OK);
        // Carol arrives by a form: a new lead matched to Acme by her email's domain.
        var carol = await Ok(await api.PostAsync("/api/v1/events", $$$"""{"events":[{"id":"c1","type":"form_submit","email":"carol@acme.com","occurredAt":"{{{At(3 * d)}}}","campaignId":"{{{webinar}}}","person":{"firstName":"Carol","lastName":"Test"}}]}"""), HttpStatusCode.OK);
        Assert.Equal(acme, carol.GetProperty("createdLeads")[0].GetProperty("matchedAccountId").GetGuid());
        // Dan becomes a contact of Acme; his later product usage is the same person.
        var converted = await Ok(await api.PostAsJsonAsync($"/api/v1/leads/{dan}/convert", new { accountId = acme }), HttpStatusCode.OK);
        var danContact = converted.GetProperty("contactId").GetGuid();
        await Ok(await api.PostAsync("/api/v1/events", $$"""{"events":[{"id":"d2","type":"product_usage","contactId":"{{danContact}}","feature":"forecast","occurredAt":"{{At(d + 2 * h)}}"}]}"""), HttpStatusCode.OK);
        return new World(server, api, rep1, rep2, list, acme, globex, initech, webinar, newsletter);
    }

    private static string Row(JsonElement a) =>
        $"{a.Str("name")} score {a.GetProperty("score").GetInt64()} people {a.GetProperty("engagedPeople").GetInt32()} events {a.GetProperty("events").GetInt32()} " +
        $"last {(a.GetProperty("lastEngagedAt").ValueKind == JsonValueKind.Null ? "-" : a.GetProperty("lastEngagedAt").GetDateTimeOffset().ToUniversalTime().ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture))} " +
        $"campaigns [{string.Join(",", a.GetProperty("campaigns").EnumerateArray().Select(c => c.Str("name")))}] " +
        $"open {a.GetProperty("openPipeline").GetDecimal():0.00}/{a.GetProperty("openOpportunities").GetInt32()} won {a.GetProperty("won").GetDecimal():0.00}/{a.GetProperty("wonOpportunities").GetInt32()}";

    private static string Totals(JsonElement e)
    {
        var t = e.GetProperty("totals");
        return $"accounts {t.GetProperty("accounts").GetInt32()} engaged {t.GetProperty("engagedAccounts").GetInt32()} people {t.GetProperty("engagedPeople").GetInt32()} " +
            $"events {t.GetProperty("events").GetInt32()} score {t.GetProperty("score").GetInt64()} open {t.GetProperty("openPipeline").GetDecimal():0.00}/{t.GetProperty("openOpportunities").GetInt32()} " +
            $"won {t.GetProperty("won").GetDecimal():0.00}/{t.GetProperty("wonOpportunities").GetInt32()}";
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Engagement_adds_the_points_of_every_event_of_an_accounts_people_in_the_window_with_campaigns_and_base_currency_pipeline(string provider)
    {
        var (server, clock) = await StartAsync(provider);
        await using var _s = server;
        var w = await SeedAsync(server, clock);
        var e = await w.Admin.GetJsonAsync($"/api/v1/target-lists/{w.List}/engagement");
        Assert.Equal((90, "since_added", "USD"), (e.GetProperty("days").GetInt32(), e.Str("opportunities"), e.Str("baseCurrency")));
        Assert.Equal(Now.AddDays(-90), e.GetProperty("from").GetDateTimeOffset());
        // Acme: Alice 30 + 15 + 3 x 1 = 48, Bob 1 + 5 (on the window's first instant; the click a second earlier is out), Carol 10,
        // Dan 10 as a lead + 5 as the contact he became = 15 (one person): 79 from 10 events of 4 people.
        // Globex: Gina 15 + 1 + 1 = 17. Initech: no events, touched by the newsletter through Ivan's membership. Umbrella is not on the list.
        // Deals created since each account joined the list: Acme's early 10,000 USD is not counted; 2,000 EUR is 2,200.00 USD.
        Assert.Equal([
                "Acme score 79 people 4 events 10 last 11-20 11:00 campaigns [Newsletter,Webinar] open 2200.00/1 won 5000.00/1",
                "Globex score 17 people 1 events 3 last 10-21 12:00 campaigns [Webinar] open 0.00/0 won 1100.00/1",
                "Initech score 0 people 0 events 0 last - campaigns [Newsletter] open 0.00/0 won 0.00/0",
            ], e.GetProperty("accounts").EnumerateArray().Select(Row));
        Assert.Equal("accounts 3 engaged 2 people 5 events 13 score 96 open 2200.00/1 won 6100.00/2", Totals(e));
        Assert.Equal(["Webinar 2 accounts 3 events open 2200.00 won 6100.00 [Acme,Globex]", "Newsletter 2 accounts 1 events open 2200.00 won 5000.00 [Acme,Initech]"],
            e.GetProperty("campaigns").EnumerateArray().Select(c =>
                $"{c.Str("name")} {c.GetProperty("accounts").GetInt32()} accounts {c.GetProperty("events").GetInt32()} events open {c.GetProperty("openPipeline").GetDecimal():0.00} " +
                $"won {c.GetProperty("won").GetDecimal():0.00} [{string.Join(",", c.GetProperty("accountIds").EnumerateArray().Select(i => i.GetGuid() == w.Acme ? "Acme" : i.GetGuid() == w.Globex ? "Globex" : "Initech"))}]"));

        // All deals of the accounts; a longer window takes Bob's older click; other points per type.
        var all = await w.Admin.GetJsonAsync($"/api/v1/target-lists/{w.List}/engagement?opportunities=all&days=91&weights=page_view:10,email_open:0");
        Assert.Equal(["Acme score 110 people 4 events 11 open 12200.00/2 won 5000.00/1", "Globex score 15 people 1 events 3 open 0.00/0 won 1100.00/1", "Initech score 0 people 0 events 0 open 0.00/0 won 0.00/0"],
            all.GetProperty("accounts").EnumerateArray().Select(a => $"{a.Str("name")} score {a.GetProperty("score").GetInt64()} people {a.GetProperty("engagedPeople").GetInt32()} " +
                $"events {a.GetProperty("events").GetInt32()} open {a.GetProperty("openPipeline").GetDecimal():0.00}/{a.GetProperty("openOpportunities").GetInt32()} won {a.GetProperty("won").GetDecimal():0.00}/{a.GetProperty("wonOpportunities").GetInt32()}"));
        // A 3-day window: Alice's page views and demo request, Dan's usage, Carol's form exactly 3 days ago.
        var recent = await w.Admin.GetJsonAsync($"/api/v1/target-lists/{w.List}/engagement?days=3");
        Assert.Equal(["Acme 48 3 6", "Globex 0 0 0", "Initech 0 0 0"], recent.GetProperty("accounts").EnumerateArray()
            .Select(a => $"{a.Str("name")} {a.GetProperty("score").GetInt64()} {a.GetProperty("engagedPeople").GetInt32()} {a.GetProperty("events").GetInt32()}"));

        await Api.AssertProblemAsync(await w.Admin.GetAsync($"/api/v1/target-lists/{w.List}/engagement?days=0"), HttpStatusCode.BadRequest, "days");
        await Api.AssertProblemAsync(await w.Admin.GetAsync($"/api/v1/target-lists/{w.List}/engagement?opportunities=some"), HttpStatusCode.BadRequest, "opportunities");
        await Api.AssertProblemAsync(await w.Admin.GetAsync($"/api/v1/target-lists/{w.List}/engagement?weights=tv_ad:5"), HttpStatusCode.BadRequest, "weights");
        await Api.AssertProblemAsync(await w.Admin.GetAsync($"/api/v1/target-lists/{w.List}/engagement?weights=page_view:-1"), HttpStatusCode.BadRequest, "weights");
        await Api.AssertProblemAsync(await w.Admin.GetAsync($"/api/v1/target-lists/{w.List}/engagement?format=xml"), HttpStatusCode.BadRequest, "format");

        // The records behind Acme's numbers: people (Dan once, as his contact), events with their points, the deals counted.
        var acme = await w.Admin.GetJsonAsync($"/api/v1/target-lists/{w.List}/engagement/{w.Acme}");
        Assert.Equal(Row(e.GetProperty("accounts")[0]), Row(acme.GetProperty("account")));
        Assert.Equal(["contact Alice Test 48 5", "contact Dan Test 15 2", "lead Carol Test 10 1", "contact Bob Test 6 2"], acme.GetProperty("people").EnumerateArray()
            .Select(p => $"{p.Str("personType")} {p.Str("name")} {p.GetProperty("score").GetInt64()} {p.GetProperty("events").GetInt32()}"));
        var events = acme.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(10, events.Count);
        Assert.Equal(79, events.Sum(x => x.GetProperty("points").GetInt32()));
        Assert.Equal(["demo_request 30", "product_usage 5", "page_view 1"], events.Take(3).Select(x => $"{x.Str("type")} {x.GetProperty("points").GetInt32()}"));
        Assert.Equal(["Acme expansion open 2000.00 EUR 2200.00", "Acme platform won 5000.00 USD 5000.00"], acme.GetProperty("opportunityRecords").EnumerateArray()
            .Select(o => $"{o.Str("name")} {o.Str("status")} {o.GetProperty("amount").GetDecimal():0.00} {o.Str("currency")} {o.GetProperty("baseAmount").GetDecimal():0.00}"));
        Assert.Equal(HttpStatusCode.NotFound, (await w.Admin.GetAsync($"/api/v1/target-lists/{w.List}/engagement/{Guid.NewGuid()}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_rep_sees_the_engagement_of_the_target_accounts_they_may_see_only(string provider)
    {
        var (server, clock) = await StartAsync(provider);
        await using var _s = server;
        var w = await SeedAsync(server, clock);
        var rep1 = await server.ClientForAsync(w.Rep1);
        var e = await rep1.GetJsonAsync($"/api/v1/target-lists/{w.List}/engagement");
        Assert.Equal([
                "Acme score 79 people 4 events 10 last 11-20 11:00 campaigns [Newsletter,Webinar] open 2200.00/1 won 5000.00/1",
                "Initech score 0 people 0 events 0 last - campaigns [Newsletter] open 0.00/0 won 0.00/0",
            ], e.GetProperty("accounts").EnumerateArray().Select(Row));
        Assert.Equal("accounts 2 engaged 1 people 4 events 10 score 79 open 2200.00/1 won 5000.00/1", Totals(e));
        Assert.Equal(["Newsletter [Acme,Initech]", "Webinar [Acme]"], e.GetProperty("campaigns").EnumerateArray()
            .Select(c => $"{c.Str("name")} [{string.Join(",", c.GetProperty("accountIds").EnumerateArray().Select(i => i.GetGuid() == w.Acme ? "Acme" : "Initech"))}]"));
        Assert.Equal(HttpStatusCode.NotFound, (await rep1.GetAsync($"/api/v1/target-lists/{w.List}/engagement/{w.Globex}")).StatusCode);

        var rep2 = await server.ClientForAsync(w.Rep2);
        var globex = await rep2.GetJsonAsync($"/api/v1/target-lists/{w.List}/engagement");
        Assert.Equal(["Globex score 17 people 1 events 3 last 10-21 12:00 campaigns [Webinar] open 0.00/0 won 1100.00/1"], globex.GetProperty("accounts").EnumerateArray().Select(Row));
        Assert.Equal("accounts 1 engaged 1 people 1 events 3 score 17 open 0.00/0 won 1100.00/1", Totals(globex));
    }
}
