using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

/// <summary>
/// Three campaigns with costs, the people of two deals with touches at known dates, and the attribution report over them
/// on both providers, every number worked out by hand in the comments.
/// </summary>
public class AttributionTests
{
    public sealed record Fixture(HttpClient Api, HttpClient Rep, Dictionary<string, Guid> Campaigns, Dictionary<string, Guid> Deals);

    private static DateTimeOffset T(string s) => DateTimeOffset.Parse(s + "Z", CultureInfo.InvariantCulture);

    private static async Task<JsonElement> Created(HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// Campaigns (USD): Paid search (paid_search; costs 500 on 02-10, outside March, and 1,000 on 03-05), Webinar (events;
    /// 400 on 03-10), Newsletter (email; no cost). All in 2026; the period is March.
    /// Deal X (other rep, Acme, 10,000, created 03-20 09:00, won 03-25) and its people: Ann (Acme, primary contact), Eve
    /// (Acme), Bob (no account, a role in X), Lee (a lead created 01-10 10:00, converted into Ann). Their touches:
    /// Ann Paid search 2025-02-01 (outside the 365-day lookback), Lee Paid search 01-05, Lee Webinar 01-10 10:00 (the lead
    /// creation touch), Bob Newsletter 02-01, Bob's Webinar membership (attended, no event) 02-15, Eve Webinar 03-01,
    /// Ann Paid search 03-18, Ann Newsletter 03-21 (after creation: ignored). X's path: P W N W W P.
    /// Deal Y (the rep's, Beta, 2,000, created 03-15, open): Cid (the rep's contact) Newsletter 03-10.
    /// Leads created in March: Mia (03-12, MQL, Webinar form), Noa (03-14, Paid search form), Ola (03-02, only invited to the webinar).
    /// </summary>
    public static async Task<Fixture> SeedAsync(RunningServer server)
    {
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae, team: "EMEA");
        var other = await server.CreateUserAsync("other@example.com", Roles.Ae, team: "NA");
        var pipeline = await Created(await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", isDefault = true,
            stages = new object[] { new { name = "Qualify", type = "open", probability = 20 }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } },
        }));
        var stages = pipeline.GetProperty("stages").EnumerateArray().ToDictionary(s => s.Str("name")!, s => s.Str("id")!);
        async Task<Guid> Campaign(string name, string channel, params (string Date, decimal Amount)[] costs)
        {
            var id = (await Created(await api.PostAsJsonAsync("/api/v1/campaigns", new { name, channel, type = "other" }))).GetProperty("id").GetGuid();
            foreach (var (date, amount) in costs) await Created(await api.PostAsJsonAsync($"/api/v1/campaigns/{id}/costs", new { date, amount }));
            return id;
        }
        var campaigns = new Dictionary<string, Guid>
        {
            ["P"] = await Campaign("Paid search", "paid_search", ("2026-02-10", 500m), ("2026-03-05", 1000m)),
            ["W"] = await Campaign("Webinar", "events", ("2026-03-10", 400m)),
            ["N"] = await Campaign("Newsletter", "email"),
        };
        var acme = await api.CreateAccountIdAsync($$"""{"name":"Acme","domain":"acme.example","ownerId":"{{other.Id}}"}""");
        var beta = await api.CreateAccountIdAsync($$"""{"name":"Beta","domain":"beta.example","ownerId":"{{rep.Id}}"}""");
        async Task<Guid> Contact(string first, Guid? account, Guid owner) => (await Created(await api.PostAsJsonAsync("/api/v1/contacts",
            new { firstName = first, lastName = "Test", email = $"{first.ToLowerInvariant()}@people.example", accountId = account, ownerId = owner }))).GetProperty("contact").GetProperty("id").GetGuid();
        async Task<Guid> Lead(string first) => (await Created(await api.PostAsJsonAsync("/api/v1/leads",
            new { firstName = first, lastName = "Test", email = $"{first.ToLowerInvariant()}@{first.ToLowerInvariant()}-leads.example" }))).GetProperty("id").GetGuid();
        var people = new Dictionary<string, Guid>
        {
            ["Ann"] = await Contact("Ann", acme, other.Id), ["Eve"] = await Contact("Eve", acme, other.Id), ["Bob"] = await Contact("Bob", null, other.Id),
            ["Cid"] = await Contact("Cid", beta, rep.Id), ["Lee"] = await Lead("Lee"), ["Mia"] = await Lead("Mia"), ["Noa"] = await Lead("Noa"), ["Ola"] = await Lead("Ola"),
        };
        async Task<Guid> Deal(string name, Guid account, string stage, decimal amount, Guid owner, Guid contact) =>
            (await Created(await api.PostAsJsonAsync("/api/v1/opportunities", new
            {
                name, accountId = account, pipelineId = pipeline.Str("id"), stageId = stages[stage], amount, closeDate = "2026-03-25", ownerId = owner, primaryContactId = contact,
            }))).GetProperty("id").GetGuid();
        var deals = new Dictionary<string, Guid>
        {
            ["X"] = await Deal("X", acme, "Won", 10_000m, other.Id, people["Ann"]),
            ["Y"] = await Deal("Y", beta, "Qualify", 2_000m, rep.Id, people["Cid"]),
        };

        var n = 0;
        object Touch(string who, string campaign, string type, string at) => who is "Lee" or "Mia" or "Noa"
            ? new { id = $"t{++n}", type, occurredAt = at + ":00Z", leadId = people[who], campaignId = campaigns[campaign], url = "https://www.example.com/" }
            : new { id = $"t{++n}", type, occurredAt = at + ":00Z", contactId = people[who], campaignId = campaigns[campaign], url = "https://www.example.com/" };
        using var sent = await api.PostAsJsonAsync("/api/v1/events", new
        {
            events = new[]
            {
                Touch("Ann", "P", "page_view", "2025-02-01T09:00"), Touch("Lee", "P", "page_view", "2026-01-05T09:00"), Touch("Lee", "W", "form_submit", "2026-01-10T10:00"),
                Touch("Bob", "N", "email_click", "2026-02-01T09:00"), Touch("Eve", "W", "webinar_attended", "2026-03-01T16:00"), Touch("Ann", "P", "page_view", "2026-03-18T09:00"),
                Touch("Ann", "N", "email_click", "2026-03-21T09:00"), Touch("Cid", "N", "email_open", "2026-03-10T09:00"),
                Touch("Mia", "W", "form_submit", "2026-03-12T11:00"), Touch("Noa", "P", "form_submit", "2026-03-14T11:00"),
            },
        });
        Assert.True(sent.StatusCode == HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
        await Created(await api.PostAsJsonAsync($"/api/v1/campaigns/{campaigns["W"]}/members", new { contactId = people["Bob"], status = "attended" }));
        await Created(await api.PostAsJsonAsync($"/api/v1/campaigns/{campaigns["W"]}/members", new { leadId = people["Ola"], status = "invited" }));

        await server.WithDbAsync(async db =>
        {
            await db.Opportunities.Where(o => o.Id == deals["X"]).ExecuteUpdateAsync(u => u.SetProperty(o => o.CreatedAt, T("2026-03-20T09:00")).SetProperty(o => o.WonAt, T("2026-03-25T10:00")));
            await db.Opportunities.Where(o => o.Id == deals["Y"]).ExecuteUpdateAsync(u => u.SetProperty(o => o.CreatedAt, T("2026-03-15T09:00")));
            await db.Leads.Where(l => l.Id == people["Lee"]).ExecuteUpdateAsync(u => u.SetProperty(l => l.CreatedAt, T("2026-01-10T10:00"))
                .SetProperty(l => l.Status, "converted").SetProperty(l => l.ConvertedContactId, people["Ann"]).SetProperty(l => l.ConvertedAccountId, acme));
            await db.Leads.Where(l => l.Id == people["Mia"]).ExecuteUpdateAsync(u => u.SetProperty(l => l.CreatedAt, T("2026-03-12T11:00")).SetProperty(l => l.Status, "mql"));
            await db.Leads.Where(l => l.Id == people["Noa"]).ExecuteUpdateAsync(u => u.SetProperty(l => l.CreatedAt, T("2026-03-14T11:00")));
            await db.Leads.Where(l => l.Id == people["Ola"]).ExecuteUpdateAsync(u => u.SetProperty(l => l.CreatedAt, T("2026-03-02T11:00")));
            await db.CampaignMembers.Where(m => m.PersonId == people["Bob"] && m.CampaignId == campaigns["W"]).ExecuteUpdateAsync(u => u.SetProperty(m => m.UpdatedAt, T("2026-02-15T16:00")));
            db.OpportunityContactRoles.Add(new OpportunityContactRole { OpportunityId = deals["X"], ContactId = people["Bob"], Role = "champion" });
            return await db.SaveChangesAsync();
        });
        return new Fixture(api, await server.ClientForAsync(rep, "read"), campaigns, deals);
    }

    /// <summary>One line per campaign: its numbers, then "model count amount won roi" per model.</summary>
    private static string Lines(JsonElement report) => string.Join("\n", report.GetProperty("campaigns").EnumerateArray().Select(c =>
        $"{c.Str("name")}: cost {c.GetProperty("cost")} leads {c.GetProperty("leads")} mqls {c.GetProperty("mqls")} opps {c.GetProperty("opportunities")} won {c.GetProperty("won")} " +
        $"cpl {c.GetProperty("costPerLead")} cpm {c.GetProperty("costPerMql")} cpo {c.GetProperty("costPerOpportunity")} | " +
        string.Join(" | ", c.GetProperty("models").EnumerateArray().Select(m => $"{m.Str("model")} {m.GetProperty("count")} {m.GetProperty("amount")} {m.GetProperty("wonRevenue")} {m.GetProperty("roi")}"))));

    private static List<string> Deals(JsonElement page) => page.GetProperty("items").EnumerateArray()
        .Select(d => $"{d.Str("name")} {d.GetProperty("amount")} {d.GetProperty("share")} {d.GetProperty("attributed")}").ToList();

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Campaigns_get_pipeline_and_revenue_by_model_with_cost_roi_and_drill_down(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var f = await SeedAsync(server);
        var api = f.Api;
        const string march = "from=2026-03-01&to=2026-03-31";

        // Pipeline (X 10,000 and Y 2,000 created in March). X's path P W N W W P:
        // first and last: P all of X; linear: P 2/6 = 3333.33, W 3/6 = 5000, N 1/6 = 1666.67 (the cent from the two thirds'
        // remainders goes to the larger, N); u_shaped: 40% first, 40% last, 20% over four: P 0.8, W 0.15, N 0.05.
        // Y: N everything in every model. Counts the same in deals: linear P 0.3333, W 0.5, N 1.1667.
        // Won revenue (X): ROI P (10000 - 1000) / 1000 = 9 (first, last), 2.3333 (linear), 7 (u_shaped); W (0 - 400) / 400 = -1,
        // (5000 - 400) / 400 = 11.5, (1500 - 400) / 400 = 2.75; N has no cost: none.
        // Costs in March: P 1,000 (the February line is outside), W 400. Leads: Mia (W, MQL), Noa (P); Ola was only invited.
        // Opportunities touched: P X, W X, N X and Y; won: X for all three.
        var report = await api.GetJsonAsync($"/api/v1/attribution?{march}&model=first");
        Assert.Equal(("pipeline", "USD", 365, 7.0, 2L, 12000.00m, 0L, 0.00m, 0L), (report.Str("basis"), report.Str("baseCurrency"), report.GetProperty("lookbackDays").GetInt32(),
            report.GetProperty("halfLifeDays").GetDouble(), report.GetProperty("deals").GetInt64(), report.GetProperty("amount").GetDecimal(),
            report.GetProperty("unattributedDeals").GetInt64(), report.GetProperty("unattributedAmount").GetDecimal(), report.GetProperty("unconverted").GetInt64()));
        foreach (var (model, p, w, n) in new[]
        {
            ("first", "first 1 10000.00 10000.00 9", "first 0 0.00 0.00 -1", "first 1 2000.00 0.00 "),
            ("last", "last 1 10000.00 10000.00 9", "last 0 0.00 0.00 -1", "last 1 2000.00 0.00 "),
            ("linear", "linear 0.3333 3333.33 3333.33 2.3333", "linear 0.5 5000.00 5000.00 11.5", "linear 1.1667 3666.67 1666.67 "),
            ("u_shaped", "u_shaped 0.8 8000.00 8000.00 7", "u_shaped 0.15 1500.00 1500.00 2.75", "u_shaped 1.05 2500.00 500.00 "),
        })
        {
            Assert.Equal($"Newsletter: cost 0.00 leads 0 mqls 0 opps 2 won 1 cpl  cpm  cpo 0.00 | {n}\n" +
                $"Paid search: cost 1000.00 leads 1 mqls 0 opps 1 won 1 cpl 1000.00 cpm  cpo 1000.00 | {p}\n" +
                $"Webinar: cost 400.00 leads 1 mqls 1 opps 1 won 1 cpl 400.00 cpm 400.00 cpo 400.00 | {w}",
                Lines(await api.GetJsonAsync($"/api/v1/attribution?{march}&model={model}")));
        }

        // All seven models by default; each model's amounts add up to the attributed pipeline and its counts to the deals.
        var all = await api.GetJsonAsync($"/api/v1/attribution?{march}");
        Assert.Equal(["first", "last", "linear", "u_shaped", "w_shaped", "time_decay", "markov"], all.GetProperty("models").EnumerateArray().Select(m => m.GetString()!));
        for (int i = 0; i < 7; i++)
        {
            var ms = all.GetProperty("campaigns").EnumerateArray().Select(c => c.GetProperty("models")[i]).ToList();
            Assert.Equal((12000.00m, 2m, 10000.00m), (ms.Sum(m => m.GetProperty("amount").GetDecimal()), ms.Sum(m => m.GetProperty("count").GetDecimal()), ms.Sum(m => m.GetProperty("wonRevenue").GetDecimal())));
        }
        // w_shaped: first touch (P), lead creation (Lee's webinar form) and opportunity creation (P) 30% each, the three others
        // 10% together: P 18/30 = 6000, W 11/30 = 3666.67, N 1/30 = 333.33 (+ Y's 2000).
        Assert.Equal(["w_shaped 0.6 6000.00", "w_shaped 0.3667 3666.67", "w_shaped 1.0333 2333.33"], new[] { "Paid search", "Webinar", "Newsletter" }
            .Select(name => all.GetProperty("campaigns").EnumerateArray().Single(c => c.Str("name") == name).GetProperty("models")[4])
            .Select(m => $"{m.Str("model")} {m.GetProperty("count")} {m.GetProperty("amount")}"));

        // Revenue basis: X alone (won in March), the same shares of it.
        var revenue = await api.GetJsonAsync($"/api/v1/attribution?{march}&basis=revenue&model=linear");
        Assert.Equal((1L, 10000.00m), (revenue.GetProperty("deals").GetInt64(), revenue.GetProperty("amount").GetDecimal()));
        Assert.EndsWith("| linear 0.1667 1666.67 1666.67 ", Lines(revenue).Split('\n')[0]);

        // The lookback: 500 days reaches Ann's old Paid search touch: linear P 3/7 of X = 4285.714.., W the same, N 1/7; the
        // missing cent goes to a largest remainder, P and W tie and P comes first by name. 0 days leaves every deal unattributed.
        var longer = await api.GetJsonAsync($"/api/v1/attribution?{march}&model=linear&lookbackDays=500");
        Assert.Equal("linear 0.4286 4285.72 4285.72 3.2857", Lines(longer).Split('\n')[1].Split(" | ")[1]);
        Assert.Equal("linear 0.4286 4285.71 4285.71 9.7143", Lines(longer).Split('\n')[2].Split(" | ")[1]);
        var none = await api.GetJsonAsync($"/api/v1/attribution?{march}&lookbackDays=0");
        Assert.Equal((2L, 12000.00m), (none.GetProperty("unattributedDeals").GetInt64(), none.GetProperty("unattributedAmount").GetDecimal()));
        // A period without deals or costs: nothing to show.
        var empty = await api.GetJsonAsync("/api/v1/attribution?from=2000-01-01&to=2000-01-31");
        Assert.Equal((0L, 0.00m, 0), (empty.GetProperty("deals").GetInt64(), empty.GetProperty("amount").GetDecimal(), empty.GetProperty("campaigns").GetArrayLength()));

        // Drill-down: the deals behind a number with the campaign's share, largest attributed first.
        var q = $"{march}&campaignId={f.Campaigns["N"]}";
        Assert.Equal(["Y 2000.00 1 2000.00", "X 10000.00 0.1667 1666.67"], Deals(await api.GetJsonAsync($"/api/v1/attribution/deals?{q}&model=linear")));
        Assert.Equal(["X 10000.00 0.05 500.00"], Deals(await api.GetJsonAsync($"/api/v1/attribution/deals?{q}&model=u_shaped&basis=revenue")));
        Assert.Equal(["Y 2000.00 1 2000.00", "X 10000.00 0 0.00"], Deals(await api.GetJsonAsync($"/api/v1/attribution/deals?{q}&model=first")));
        Assert.Equal(["X 10000.00  ", "Y 2000.00  "], Deals(await api.GetJsonAsync($"/api/v1/attribution/deals?{q}")));
        Assert.Equal(["X 10000.00  ", "Y 2000.00  "], Deals(await api.GetJsonAsync($"/api/v1/attribution/deals?{q}&model=markov")));
        var first = await api.GetJsonAsync($"/api/v1/attribution/deals?{q}&pageSize=1");
        Assert.Equal(["Y 2000.00  "], Deals(await api.GetJsonAsync($"/api/v1/attribution/deals?{q}&pageSize=1&cursor={first.Str("nextCursor")}")));
        var leads = await api.GetJsonAsync($"/api/v1/attribution/leads?{march}&campaignId={f.Campaigns["W"]}");
        Assert.Equal(["Mia Test mql"], leads.GetProperty("items").EnumerateArray().Select(l => $"{l.Str("name")} {l.Str("status")}"));
        Assert.Empty((await api.GetJsonAsync($"/api/v1/attribution/leads?{march}&campaignId={f.Campaigns["P"]}&mql=true")).GetProperty("items").EnumerateArray());

        // A rep sees their deal (Y) and their contact's touch only; campaigns with cost still show, with nothing attributed.
        Assert.Equal("Newsletter: cost 0.00 leads 0 mqls 0 opps 1 won 0 cpl  cpm  cpo 0.00 | linear 1 2000.00 0.00 \n" +
            "Paid search: cost 1000.00 leads 0 mqls 0 opps 0 won 0 cpl  cpm  cpo  | linear 0 0.00 0.00 -1\n" +
            "Webinar: cost 400.00 leads 0 mqls 0 opps 0 won 0 cpl  cpm  cpo  | linear 0 0.00 0.00 -1",
            Lines(await f.Rep.GetJsonAsync($"/api/v1/attribution?{march}&model=linear")));
        Assert.Equal(["Y 2000.00 1 2000.00"], Deals(await f.Rep.GetJsonAsync($"/api/v1/attribution/deals?{q}&model=linear")));

        // The CLI prints the API's report: its json is the API's body, its csv the same numbers.
        var body = await (await api.GetAsync($"/api/v1/attribution?{march}")).Content.ReadAsStringAsync();
        var cli = await RevLoopProcess.RunAsync(server.Database, "attribution", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(body), JsonNode.Parse(cli.StdOut)), $"{body}\n{cli.StdOut}");
        var csv = await RevLoopProcess.RunAsync(server.Database, "attribution", "--from", "2026-03-01", "--to", "2026-03-31", "--basis", "revenue", "--model", "u_shaped");
        Assert.Equal("campaign,model,count,amount,won_revenue,roi,cost,leads,mqls,opportunities,won,cost_per_lead,cost_per_mql,cost_per_opportunity\n" +
            "Newsletter,u_shaped,0.05,500.00,500.00,,0.00,0,0,2,1,,,0.00\n" +
            "Paid search,u_shaped,0.8,8000.00,8000.00,7,1000.00,1,0,1,1,1000.00,,1000.00\n" +
            "Webinar,u_shaped,0.15,1500.00,1500.00,2.75,400.00,1,1,1,1,400.00,400.00,400.00\n", csv.StdOut.ReplaceLineEndings("\n"));
        var bad = await RevLoopProcess.RunAsync(server.Database, "attribution", "--from", "2026-03-01", "--to", "2026-03-31", "--lookback-days", "-5");
        Assert.Equal((2, "error: --lookback-days: must be between 0 and 3650 days"), (bad.ExitCode, bad.StdErr.Trim()));

        // Bad input names its field.
        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/attribution?from=2026-04-01&to=2026-03-01"), HttpStatusCode.BadRequest, "to");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/attribution?{march}&model=shapley"), HttpStatusCode.BadRequest, "model");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/attribution?{march}&lookbackDays=-1"), HttpStatusCode.BadRequest, "lookbackDays");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/attribution?{march}&halfLifeDays=0"), HttpStatusCode.BadRequest, "halfLifeDays");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/attribution?{march}&basis=cash"), HttpStatusCode.BadRequest, "basis");
        await Api.AssertProblemAsync(await api.GetAsync("/api/v1/attribution?to=2026-03-01"), HttpStatusCode.BadRequest, "from");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/attribution/deals?{march}"), HttpStatusCode.BadRequest, "campaignId");
        await Api.AssertProblemAsync(await api.GetAsync($"/api/v1/attribution/deals?{q}&cursor=x"), HttpStatusCode.BadRequest, "cursor");
    }
}
