using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Platform;
using RevLoop.Server.Hosting;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

/// <summary>Scoring rules, score arithmetic (fit, decay, caps, frequency), MQL, demo-request fast track, re-routing, lifecycle and preview, on a clock the test sets.</summary>
public class LeadScoringTests
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

    private static async Task<Guid> RuleAsync(HttpClient api, object rule) =>
        (await Ok(await api.PostAsJsonAsync("/api/v1/scoring-rules", rule), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private static async Task<Guid> LeadAsync(HttpClient api, object lead) =>
        (await Ok(await api.PostAsJsonAsync("/api/v1/leads", lead), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private static string At(double daysAgo) => Now.AddDays(-daysAgo).ToString("O");

    private static async Task EventsAsync(HttpClient api, params object[] events) =>
        Assert.Equal(0, (await Ok(await api.PostAsJsonAsync("/api/v1/events", new { events }))).GetProperty("rejected").GetArrayLength());

    private static async Task<string> ReasonAsync(HttpResponseMessage r, string field)
    {
        var problem = await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, field);
        return problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Rules_that_do_not_validate_are_refused_naming_the_field_and_for_patterns_the_position(string provider)
    {
        var (server, _) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        async Task<string> Bad(object rule, string field) => await ReasonAsync(await api.PostAsJsonAsync("/api/v1/scoring-rules", rule), field);

        Assert.Equal("must be fit or behaviour", await Bad(new { name = "x", kind = "sideways", points = 5 }, "kind"));
        Assert.Equal("must not be 0", await Bad(new { name = "x", kind = "fit", points = 0, titleKeywords = new[] { "VP" } }, "points"));
        Assert.Equal("a fit rule needs a condition: an employees band, industries, countries or title keywords", await Bad(new { name = "x", kind = "fit", points = 5 }, "titleKeywords"));
        Assert.Equal("'USA' is not a two-letter country code such as DE", await Bad(new { name = "x", kind = "fit", points = 5, countries = new[] { "USA" } }, "countries"));
        Assert.Equal("must not be below minEmployees", await Bad(new { name = "x", kind = "fit", points = 5, minEmployees = 500, maxEmployees = 200 }, "maxEmployees"));
        Assert.Equal("is a behaviour condition; this is a fit rule", await Bad(new { name = "x", kind = "fit", points = 5, minEmployees = 1, halfLifeDays = 7 }, "halfLifeDays"));
        Assert.Equal("is a fit condition; this is a behaviour rule", await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "page_view", minEmployees = 1 }, "minEmployees"));
        Assert.Equal("is required: one of page_view, form_submit, content_download, webinar_attended, email_open, email_click, demo_request, product_usage",
            await Bad(new { name = "x", kind = "behaviour", points = 5 }, "eventType"));
        Assert.Equal("position 5: a space is not allowed in a URL (write it as %20)",
            await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "page_view", urlPattern = "/pri cing" }, "urlPattern"));
        Assert.Equal("position 1: 'p' cannot start a pattern; start with / (a path such as /pricing), * or http(s)://",
            await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "page_view", urlPattern = "pricing" }, "urlPattern"));
        Assert.Equal("position 8: two * in a row; one * already matches any run of characters",
            await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "page_view", urlPattern = "/blog/**" }, "urlPattern"));
        Assert.Equal("position 3: % must be followed by two hex digits (such as %20)",
            await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "page_view", urlPattern = "/a%2" }, "urlPattern"));
        Assert.Equal("position 7: '<' is not allowed in a URL",
            await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "page_view", urlPattern = "/docs/<id>" }, "urlPattern"));
        Assert.Equal("position 9: the URL has no host (such as www.example.com)",
            await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "page_view", urlPattern = "https:///pricing" }, "urlPattern"));
        Assert.Equal("applies to product_usage events only", await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "page_view", feature = "sso" }, "feature"));
        Assert.Equal("product_usage events carry no URL; use feature for product_usage",
            await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "product_usage", urlPattern = "/x" }, "urlPattern"));
        Assert.Equal("goes with minCount: at least N times within D days", await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "email_open", minCount = 3 }, "withinDays"));
        Assert.Equal("must be between 1 and 100000 (the most this rule gives, or takes away, in all)",
            await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "email_open", cap = 0 }, "cap"));
        Assert.Equal("must be 0 (no decay) to 3650 days", await Bad(new { name = "x", kind = "behaviour", points = 5, eventType = "email_open", halfLifeDays = -1 }, "halfLifeDays"));
        Assert.Empty((await api.GetJsonAsync("/api/v1/scoring-rules")).EnumerateArray());

        // Good rules are stored as normalised; an edit is checked the same way; delete removes.
        var id = await RuleAsync(api, new { name = "Pricing", kind = "behavior", points = 10, eventType = "PAGE_VIEW", urlPattern = " /pricing ", halfLifeDays = 14 });
        await RuleAsync(api, new { name = "Senior", kind = "fit", points = 15, titleKeywords = new[] { "VP", "Head of", "vp" }, countries = new[] { "de", "at" } });
        var rules = await api.GetJsonAsync("/api/v1/scoring-rules");
        Assert.Equal(["behaviour Pricing page_view /pricing 14", "fit Senior vp,head of DE,AT"], rules.EnumerateArray().Select(r => r.Str("kind") == "fit"
            ? $"fit {r.Str("name")} {string.Join(',', r.GetProperty("titleKeywords").EnumerateArray().Select(k => k.GetString()))} {string.Join(',', r.GetProperty("countries").EnumerateArray().Select(k => k.GetString()))}"
            : $"behaviour {r.Str("name")} {r.Str("eventType")} {r.Str("urlPattern")} {r.GetProperty("halfLifeDays").GetInt32()}"));
        Assert.Equal("position 2: two * in a row; one * already matches any run of characters",
            await ReasonAsync(await api.PutAsJsonAsync($"/api/v1/scoring-rules/{id}", new { name = "Pricing", kind = "behaviour", points = 10, eventType = "page_view", urlPattern = "**" }), "urlPattern"));
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/scoring-rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/v1/scoring-rules/{id}")).StatusCode);

        // The MQL threshold: 80 by default, 70 to 100.
        Assert.Equal(80, (await api.GetJsonAsync("/api/v1/scoring-rules/threshold")).GetProperty("mqlThreshold").GetInt32());
        Assert.Equal("must be between 70 and 100", await ReasonAsync(await api.PutAsJsonAsync("/api/v1/scoring-rules/threshold", new { mqlThreshold = 69 }), "mqlThreshold"));
        Assert.Equal("must be between 70 and 100", await ReasonAsync(await api.PutAsJsonAsync("/api/v1/scoring-rules/threshold", new { mqlThreshold = 101 }), "mqlThreshold"));
        Assert.Equal(95, (await Ok(await api.PutAsJsonAsync("/api/v1/scoring-rules/threshold", new { mqlThreshold = 95 }))).GetProperty("mqlThreshold").GetInt32());
        Assert.Equal(95, (await api.GetJsonAsync("/api/v1/scoring-rules/threshold")).GetProperty("mqlThreshold").GetInt32());

        // A rep reads the rules but may not change them.
        var rep = await server.ClientForAsync(await server.CreateUserAsync("rep@example.com", Roles.Ae));
        Assert.Equal(HttpStatusCode.Forbidden, (await rep.PostAsJsonAsync("/api/v1/scoring-rules", new { name = "x", kind = "fit", points = 1, minEmployees = 1 })).StatusCode);
        Assert.Single((await rep.GetJsonAsync("/api/v1/scoring-rules")).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Fit_behaviour_decay_caps_and_counts_add_up_exactly_and_the_breakdown_says_why(string provider)
    {
        var (server, clock) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        await RuleAsync(api, new { name = "Senior title", kind = "fit", points = 15, titleKeywords = new[] { "VP", "Director", "Head" } });
        await RuleAsync(api, new { name = "Mid-size", kind = "fit", points = 20, minEmployees = 200, maxEmployees = 5000 });
        await RuleAsync(api, new { name = "Retail", kind = "fit", points = -10, industries = new[] { "retail" } });
        await RuleAsync(api, new { name = "Germany", kind = "fit", points = 5, countries = new[] { "DE" } });
        await RuleAsync(api, new { name = "Pricing", kind = "behaviour", points = 10, eventType = "page_view", urlPattern = "/pricing", halfLifeDays = 14 });
        await RuleAsync(api, new { name = "Email clicks", kind = "behaviour", points = 3, cap = 15, eventType = "email_click" });
        await RuleAsync(api, new { name = "Blog streak", kind = "behaviour", points = 8, eventType = "page_view", urlPattern = "/blog/*", minCount = 3, withinDays = 7 });
        var lead = await LeadAsync(api, new { firstName = "Ann", lastName = "Lee", title = "VP, Sales", employees = 1200, industry = "Retail", country = "US", company = "Acme" });
        var version = (await api.GetJsonAsync($"/api/v1/leads/{lead}")).GetProperty("version").GetInt64();

        // Pricing at 0, 14 and 28 days: 10 + 5 + 2.5 (the query string and a trailing slash do not matter; /pricing-old is another page).
        // Seven email clicks: 21, capped at 15. Blog: three views in the last 7 days (one older one does not count): 8 once.
        var events = new List<object>
        {
            new { id = "p0", type = "page_view", leadId = lead, url = "https://www.acme.com/pricing?plan=pro", occurredAt = At(0) },
            new { id = "p14", type = "page_view", leadId = lead, url = "/pricing/", occurredAt = At(14) },
            new { id = "p28", type = "page_view", leadId = lead, url = "/Pricing", occurredAt = At(28) },
            new { id = "old", type = "page_view", leadId = lead, url = "/pricing-old", occurredAt = At(1) },
            new { id = "b1", type = "page_view", leadId = lead, url = "/blog/launch", occurredAt = At(1) },
            new { id = "b2", type = "page_view", leadId = lead, url = "/blog/pricing", occurredAt = At(2) },
            new { id = "b3", type = "page_view", leadId = lead, url = "/blog/hygiene", occurredAt = At(3) },
            new { id = "b10", type = "page_view", leadId = lead, url = "/blog/old", occurredAt = At(10) },
        };
        for (var i = 0; i < 7; i++) events.Add(new { id = $"c{i}", type = "email_click", leadId = lead, occurredAt = At(0.5) });
        await EventsAsync(api, [.. events]);

        // 15 + 20 - 10 + 17.5 + 15 + 8 = 65.5, rounded half away from zero: 66 (below 80: no MQL).
        var score = await api.GetJsonAsync($"/api/v1/leads/{lead}/score");
        Assert.Equal((66, 80), (score.GetProperty("score").GetInt32(), score.GetProperty("mqlThreshold").GetInt32()));
        Assert.Equal(
        [
            "Mid-size fit 20 employees 1,200 in 200–5,000",
            "Pricing behaviour 17.5 3 × page view of /pricing, latest today, 30 before decay (half-life 14 days)",
            "Email clicks behaviour 15 7 × email click, latest today, capped at 15",
            "Senior title fit 15 title “VP, Sales” has “vp”",
            "Retail fit -10 industry Retail",
            "Blog streak behaviour 8 3 × page view of /blog/* in the last 7 days (at least 3), latest 1 day ago",
        ], score.GetProperty("breakdown").EnumerateArray().Select(b =>
            $"{b.Str("rule")} {b.Str("kind")} {b.GetProperty("points").GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture)} {b.Str("why")}"));
        var stored = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        Assert.Equal((66, "new"), (stored.GetProperty("score").GetInt32(), stored.Str("status")));
        // The score is derived data: no version bump (an open edit form stays valid) and no history rows.
        Assert.Equal(version, stored.GetProperty("version").GetInt64());
        Assert.DoesNotContain((await api.GetJsonAsync($"/api/v1/leads/{lead}/history")).GetProperty("items").EnumerateArray(), c => c.Str("field")!.StartsWith("Score", StringComparison.Ordinal));

        // A contact scores from its title, its account's size, industry and country, and its own events: 15 + 20 + 5 + 6.
        var account = await api.CreateAccountIdAsync("""{"name":"Globex","employees":300,"industry":"Software","country":"DE"}""");
        var contact = (await Ok(await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Cy", lastName = "Berg", title = "Head of IT", accountId = account }), HttpStatusCode.Created))
            .GetProperty("contact").GetProperty("id").GetGuid();
        await EventsAsync(api, new { id = "cc1", type = "email_click", contactId = contact, occurredAt = At(1) }, new { id = "cc2", type = "email_click", contactId = contact, occurredAt = At(2) });
        var contactScore = await api.GetJsonAsync($"/api/v1/contacts/{contact}/score");
        Assert.Equal(46, contactScore.GetProperty("score").GetInt32());
        Assert.Equal(["Mid-size 20", "Senior title 15", "Email clicks 6", "Germany 5"],
            contactScore.GetProperty("breakdown").EnumerateArray().Select(b => $"{b.Str("rule")} {b.GetProperty("points").GetDouble()}"));
        Assert.Equal(46, (await api.GetJsonAsync($"/api/v1/contacts/{contact}")).GetProperty("score").GetInt32());

        // Two weeks on, everyone rescored: pricing 5 + 2.5 + 1.25 = 8.75, the blog streak is over: 15 + 20 - 10 + 8.75 + 15 = 48.75 -> 49.
        clock.Now = Now.AddDays(14);
        var recompute = await Ok(await api.PostAsync("/api/v1/scoring-rules/recompute", "{}"));
        Assert.Equal("2 1 1 2 0", string.Join(' ', new[] { "people", "leads", "contacts", "changed", "newMqls" }.Select(f => recompute.GetProperty(f).GetInt32())));
        Assert.Equal(49, (await api.GetJsonAsync($"/api/v1/leads/{lead}/score")).GetProperty("score").GetInt32());
        // The contact's clicks do not decay, and its fit is the same: 46 still (the "changed" count above is the reasons' wording, "latest 15 days ago").
        Assert.Equal(46, (await api.GetJsonAsync($"/api/v1/contacts/{contact}/score")).GetProperty("score").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Crossing_the_threshold_makes_an_MQL_once_and_routes_it_again_to_the_rule_s_owner(string provider)
    {
        var (server, clock) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        var sdr = await server.CreateUserAsync("sdr@example.com", Roles.Sdr);
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        await Ok(await api.PutAsJsonAsync("/api/v1/scoring-rules/threshold", new { mqlThreshold = 75 }));
        await RuleAsync(api, new { name = "Pricing", kind = "behaviour", points = 30, eventType = "page_view", urlPattern = "/pricing" });
        // The lead is worked by an SDR; once qualified, routing hands it to the account executive.
        var lead = await LeadAsync(api, new { firstName = "Max", lastName = "Mu", company = "Mu GmbH", country = "DE", ownerId = sdr.Id, status = "working" });
        await Ok(await api.PostAsJsonAsync("/api/v1/routing-rules", new { name = "Qualified to AE", action = "user", userId = ae.Id, countries = new[] { "DE" } }), HttpStatusCode.Created);

        await EventsAsync(api, new { id = "v1", type = "page_view", leadId = lead, url = "/pricing", occurredAt = At(2) }, new { id = "v2", type = "page_view", leadId = lead, url = "/pricing", occurredAt = At(1) });
        var before = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        Assert.Equal((60, "working", null, sdr.Id), (before.GetProperty("score").GetInt32(), before.Str("status"), before.Str("mqlAt"), before.GetProperty("ownerId").GetGuid()));
        Assert.Empty((await api.GetJsonAsync($"/api/v1/leads/{lead}/routing")).EnumerateArray());

        await EventsAsync(api, new { id = "v3", type = "page_view", leadId = lead, url = "/pricing", occurredAt = At(0) });
        var mql = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        Assert.Equal((90, "mql", Now, ae.Id), (mql.GetProperty("score").GetInt32(), mql.Str("status"), mql.GetProperty("mqlAt").GetDateTimeOffset(), mql.GetProperty("ownerId").GetGuid()));
        var decision = Assert.Single((await api.GetJsonAsync($"/api/v1/leads/{lead}/routing")).EnumerateArray());
        Assert.Equal(("Qualified to AE", "matched rule 1 \"Qualified to AE\": assigned to ae"), (decision.Str("rule"), decision.Str("reason")));

        // Later events raise the score but the lead stays the same MQL: MqlAt is set once, routing happens once.
        clock.Now = Now.AddHours(3);
        await EventsAsync(api, new { id = "v4", type = "page_view", leadId = lead, url = "/pricing" });
        var after = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        Assert.Equal((120, "mql", Now), (after.GetProperty("score").GetInt32(), after.Str("status"), after.GetProperty("mqlAt").GetDateTimeOffset()));
        Assert.Single((await api.GetJsonAsync($"/api/v1/leads/{lead}/routing")).EnumerateArray());
        var statusChanges = (await api.GetJsonAsync($"/api/v1/leads/{lead}/history")).GetProperty("items").EnumerateArray().Where(c => c.Str("field") == "Status" && c.Str("oldValue") is not null).ToList();
        var change = Assert.Single(statusChanges);
        Assert.Equal(("working", "mql", "scoring"), (change.Str("oldValue"), change.Str("newValue"), change.Str("changedBy")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_demo_request_fast_tracks_to_MQL_whatever_the_score(string provider)
    {
        var (server, _) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        // No scoring rules at all: every score is 0.
        var working = await LeadAsync(api, new { firstName = "W", lastName = "Orking", status = "working" });
        var out_ = await LeadAsync(api, new { firstName = "D", lastName = "Isqualified", status = "disqualified" });
        var result = await Ok(await api.PostAsJsonAsync("/api/v1/events", new
        {
            events = new object[]
            {
                new { id = "d1", type = "demo_request", leadId = working },
                new { id = "d2", type = "demo_request", leadId = out_ },
                new { id = "d3", type = "demo_request", email = "new@startup.io", person = new { firstName = "New", lastName = "Person" } },
            },
        }));
        var created = result.GetProperty("createdLeads")[0].GetProperty("leadId").GetGuid();
        foreach (var (id, status, mqlAt) in new[] { (working, "mql", (DateTimeOffset?)Now), (out_, "disqualified", null), (created, "mql", Now) })
        {
            var l = await api.GetJsonAsync($"/api/v1/leads/{id}");
            Assert.Equal((0, status, mqlAt), (l.GetProperty("score").GetInt32(), l.Str("status"), l.GetProperty("mqlAt").ValueKind == JsonValueKind.Null ? null : l.GetProperty("mqlAt").GetDateTimeOffset()));
        }
        // The new lead was routed once, when it was created; becoming an MQL in the same batch does not route it twice.
        Assert.Single((await api.GetJsonAsync($"/api/v1/leads/{created}/routing")).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Sales_accepts_an_MQL_or_rejects_it_back_to_nurture_with_a_reason_and_wrong_moves_are_refused(string provider)
    {
        var (server, clock) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        var lead = await LeadAsync(api, new { firstName = "Sal", lastName = "Es" });

        var notYet = await Api.AssertProblemAsync(await api.PostAsync($"/api/v1/leads/{lead}/accept", "{}"), HttpStatusCode.Conflict);
        Assert.Equal(("Only an MQL can be accepted", "The lead is new; sales accepts leads in status mql (marketing-qualified)."), (notYet.Str("title"), notYet.Str("detail")));
        Assert.Equal("is required: say why sales does not take the lead (it goes back to nurture)", await ReasonAsync(await api.PostAsync($"/api/v1/leads/{lead}/reject", "{}"), "reason"));
        Assert.Equal("is required: say why sales does not take the lead (it goes back to nurture)",
            await ReasonAsync(await api.PostAsJsonAsync($"/api/v1/leads/{lead}/reject", new { reason = "  " }), "reason"));
        Assert.Equal("Only an MQL or SQL can be rejected",
            (await Api.AssertProblemAsync(await api.PostAsJsonAsync($"/api/v1/leads/{lead}/reject", new { reason = "Too small" }), HttpStatusCode.Conflict)).Str("title"));
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"/api/v1/leads/{Guid.NewGuid()}/accept", "{}")).StatusCode);

        await EventsAsync(api, new { id = "demo", type = "demo_request", leadId = lead });
        clock.Now = Now.AddHours(1);
        var accepted = await Ok(await api.PostAsync($"/api/v1/leads/{lead}/accept", "{}"));
        Assert.Equal(("sql", Now, Now.AddHours(1)), (accepted.Str("status"), accepted.GetProperty("mqlAt").GetDateTimeOffset(), accepted.GetProperty("sqlAt").GetDateTimeOffset()));
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/v1/leads/{lead}/accept", "{}")).StatusCode);

        clock.Now = Now.AddDays(2);
        var rejected = await Ok(await api.PostAsJsonAsync($"/api/v1/leads/{lead}/reject", new { reason = " No budget this year " }));
        Assert.Equal(("nurturing", Now.AddDays(2), "No budget this year", Now.AddHours(1)),
            (rejected.Str("status"), rejected.GetProperty("sqlRejectedAt").GetDateTimeOffset(), rejected.Str("sqlRejectedReason"), rejected.GetProperty("sqlAt").GetDateTimeOffset()));
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsJsonAsync($"/api/v1/leads/{lead}/reject", new { reason = "again" })).StatusCode);

        // Every move is in the lead's history (oldest first).
        Assert.Equal(["mql ", "sql ", "nurturing No budget this year"], (await api.GetJsonAsync($"/api/v1/leads/{lead}/history")).GetProperty("items").EnumerateArray()
            .Where(c => c.Str("field") == "Status" && c.Str("oldValue") is not null).Select(c => c.Str("newValue") + " " + (c.Str("newValue") == "nurturing" ? "No budget this year" : "")));

        // Back in nurture, the lead becomes an MQL again only by crossing the threshold from below (or by a new demo request).
        await RuleAsync(api, new { name = "Pricing", kind = "behaviour", points = 50, eventType = "page_view", urlPattern = "/pricing" });
        await EventsAsync(api, new { id = "n1", type = "page_view", leadId = lead, url = "/pricing" });
        Assert.Equal((50, "nurturing"), await StatusAsync(api, lead));
        await EventsAsync(api, new { id = "n2", type = "page_view", leadId = lead, url = "/pricing" });
        Assert.Equal((100, "mql"), await StatusAsync(api, lead));
        Assert.Equal(Now.AddDays(2), (await api.GetJsonAsync($"/api/v1/leads/{lead}")).GetProperty("mqlAt").GetDateTimeOffset());
    }

    private static async Task<(int, string?)> StatusAsync(HttpClient api, Guid lead)
    {
        var l = await api.GetJsonAsync($"/api/v1/leads/{lead}");
        return (l.GetProperty("score").GetInt32(), l.Str("status"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_preview_tells_what_a_rule_would_give_a_lead_now_and_why_and_changes_nothing(string provider)
    {
        var (server, _) = await StartAsync(provider);
        await using var _s = server;
        var api = await server.AdminClientAsync();
        await RuleAsync(api, new { name = "Senior", kind = "fit", points = 40, titleKeywords = new[] { "CTO" } });
        var lead = await LeadAsync(api, new { firstName = "Pre", lastName = "View", title = "CTO", employees = 50 });
        await EventsAsync(api, new { id = "a", type = "page_view", leadId = lead, url = "/pricing", occurredAt = At(0) }, new { id = "b", type = "page_view", leadId = lead, url = "/pricing", occurredAt = At(14) });
        var rule = new { name = "Pricing", kind = "behaviour", points = 30, eventType = "page_view", urlPattern = "/pricing", halfLifeDays = 14 };

        var preview = await Ok(await api.PostAsJsonAsync("/api/v1/scoring-rules/preview", new { rule, leadId = lead }));
        Assert.Equal("45 True 2 × page view of /pricing, latest today, 60 before decay (half-life 14 days) 40 85 80", string.Join(' ',
            preview.GetProperty("points").GetDouble(), preview.GetProperty("applies").GetBoolean(), preview.Str("why"), preview.GetProperty("currentScore").GetInt32(),
            preview.GetProperty("scoreWithRule").GetInt32(), preview.GetProperty("mqlThreshold").GetInt32()));
        var fit = await Ok(await api.PostAsJsonAsync("/api/v1/scoring-rules/preview", new { rule = new { name = "Big", kind = "fit", points = 20, minEmployees = 200 }, leadId = lead }));
        Assert.Equal((0d, false, "employees 50 not in 200–any"), (fit.GetProperty("points").GetDouble(), fit.GetProperty("applies").GetBoolean(), fit.Str("why")));

        Assert.Equal("position 10: two * in a row; one * already matches any run of characters",
            await ReasonAsync(await api.PostAsJsonAsync("/api/v1/scoring-rules/preview", new { rule = rule with { urlPattern = "/pricing**" }, leadId = lead }), "rule.urlPattern"));
        Assert.Equal($"no lead has id {Guid.Empty}", await ReasonAsync(await api.PostAsJsonAsync("/api/v1/scoring-rules/preview", new { rule, leadId = Guid.Empty }), "leadId"));
        Assert.Equal("is required: the rule as you would save it", await ReasonAsync(await api.PostAsJsonAsync("/api/v1/scoring-rules/preview", new { leadId = lead }), "rule"));
        // Nothing was stored or rescored.
        Assert.Single((await api.GetJsonAsync("/api/v1/scoring-rules")).EnumerateArray());
        Assert.Equal((40, "new"), await StatusAsync(api, lead));
    }
}
