using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Marketing;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Marketing;

/// <summary>
/// Ten leads over January and February 2026 with chosen lifecycle times, sources, campaigns, owners and deals, and the
/// marketing funnel over them on both providers; every number is worked out by hand in the comments.
/// </summary>
public class MarketingFunnelTests
{
    public sealed record Fixture(HttpClient Api, HttpClient Rep, Dictionary<string, Guid> Leads, Dictionary<string, Guid> Deals);

    private static DateTimeOffset T(string s) => DateTimeOffset.Parse(s + "Z", CultureInfo.InvariantCulture);

    /// <summary>
    /// Leads (2026, UTC; rep = owner "rep" of team EMEA, other = "other" of team NA):
    /// L1 inbound rep, created 01-05 09:00, MQL 01-07 09:00 (2 d), SQL 01-08 21:00 (1.5 d), converted with O1 (won, USD 1000); touches: a page view
    ///    without campaign 01-03, Webinar 01-04.
    /// L2 inbound other, 01-10 12:00, MQL 01-14 12:00 (4 d), SQL 01-20 12:00 (6 d), status sql; member of Ads since 01-09 but touched by Webinar 01-11.
    /// L3 paid rep, 01-15 10:00, status mql without MqlAt (imported); member of Ads.
    /// L4 paid other, 01-20, new, region none; no campaign.
    /// L5 inbound rep, 01-31 23:30 (still January in UTC), MQL 02-01 05:30 (0.25 d), converted 02-03 05:30 with O2 (open) without SqlAt (2 d); Ads touch.
    /// L6 paid rep, 02-02, MQL 02-03 (1 d), SQL 02-04 (1 d), converted with O3 (won, EUR 300 = USD 375, owned by other); Ads touch.
    /// L7 paid other, 02-10, MQL 02-13 (3 d), SQL 02-15 (2 d), then rejected to nurture; member of Webinar.
    /// L8 inbound other, 02-20, converted without a deal and without MqlAt; no campaign.
    /// L9 inbound, 02-21, deleted. L10 inbound, 03-01, after the window.
    /// L11 paid rep, 02-25, MQL 02-24 (before its creation: 0 d), status mql; touched by Webinar 02-26 and Ads 02-25 (the earlier).
    /// </summary>
    public static async Task<Fixture> SeedAsync(RunningServer server)
    {
        var api = await server.AdminClientAsync();
        var rep = await server.CreateUserAsync("rep@example.com", Roles.Ae, team: "EMEA");
        var other = await server.CreateUserAsync("other@example.com", Roles.Ae, team: "NA");
        var pipeline = await (await api.PostAsJsonAsync("/api/v1/pipelines", new
        {
            name = "Sales", isDefault = true,
            stages = new object[] { new { name = "Qualify", type = "open", probability = 20 }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } },
        })).ReadJsonAsync();
        var pid = pipeline.Str("id")!;
        var stages = pipeline.GetProperty("stages").EnumerateArray().ToDictionary(s => s.Str("name")!, s => s.Str("id")!);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/currencies", new { code = "EUR", name = "Euro" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/exchange-rates", new { currencyCode = "EUR", date = "2020-01-01", rate = 1.25m })).StatusCode);
        var account = await api.CreateAccountIdAsync("""{"name":"Acme"}""");
        async Task<Guid> Deal(string name, string stage, decimal amount, string close, Guid owner, string currency = "USD")
        {
            using var r = await api.PostAsJsonAsync("/api/v1/opportunities", new { name, accountId = account, pipelineId = pid, stageId = stages[stage], amount, closeDate = close, ownerId = owner, currency });
            Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
            return (await r.ReadJsonAsync()).GetProperty("id").GetGuid();
        }
        var deals = new Dictionary<string, Guid>
        {
            ["O1"] = await Deal("O1", "Won", 1000m, "2026-01-25", rep.Id),
            ["O2"] = await Deal("O2", "Qualify", 500m, "2026-06-30", rep.Id),
            ["O3"] = await Deal("O3", "Won", 300m, "2026-02-20", other.Id, "EUR"),
        };
        var campaigns = new Dictionary<string, Guid>();
        foreach (var name in new[] { "Webinar", "Ads" })
            campaigns[name] = (await (await api.PostAsJsonAsync("/api/v1/campaigns", new { name })).ReadJsonAsync()).GetProperty("id").GetGuid();

        var leads = new Dictionary<string, Guid>();
        await server.WithDbAsync(async db =>
        {
            var teams = await db.Teams.ToDictionaryAsync(t => t.Name, t => t.Id);
            var created = new Dictionary<Guid, DateTimeOffset>();
            void Lead(string name, string created_, string? source, bool byRep, string status = LeadStatus.New, string? mql = null, string? sql = null,
                string? converted = null, string? deal = null, bool deleted = false, bool noRegion = false)
            {
                var l = new Lead
                {
                    FirstName = name, LastName = "", Source = source, Status = status, Region = noRegion ? null : byRep ? "EMEA" : "NA",
                    OwnerId = byRep ? rep.Id : other.Id, OwnerTeamId = teams[byRep ? "EMEA" : "NA"],
                    MqlAt = mql is null ? null : T(mql), SqlAt = sql is null ? null : T(sql), ConvertedAt = converted is null ? null : T(converted),
                    ConvertedOpportunityId = deal is null ? null : deals[deal], DeletedAt = deleted ? T("2026-02-22T00:00") : null,
                };
                db.Leads.Add(l);
                leads[name] = l.Id;
                created[l.Id] = T(created_);
            }
            Lead("L1", "2026-01-05T09:00", "inbound", true, LeadStatus.Converted, mql: "2026-01-07T09:00", sql: "2026-01-08T21:00", converted: "2026-01-10T09:00", deal: "O1");
            Lead("L2", "2026-01-10T12:00", "inbound", false, LeadStatus.Sql, mql: "2026-01-14T12:00", sql: "2026-01-20T12:00");
            Lead("L3", "2026-01-15T10:00", "paid", true, LeadStatus.Mql);
            Lead("L4", "2026-01-20T10:00", "paid", false, noRegion: true);
            Lead("L5", "2026-01-31T23:30", "inbound", true, LeadStatus.Converted, mql: "2026-02-01T05:30", converted: "2026-02-03T05:30", deal: "O2");
            Lead("L6", "2026-02-02T10:00", "paid", true, LeadStatus.Converted, mql: "2026-02-03T10:00", sql: "2026-02-04T10:00", converted: "2026-02-05T10:00", deal: "O3");
            Lead("L7", "2026-02-10T10:00", "paid", false, LeadStatus.Nurturing, mql: "2026-02-13T10:00", sql: "2026-02-15T10:00");
            Lead("L8", "2026-02-20T10:00", "inbound", false, LeadStatus.Converted, converted: "2026-02-21T10:00");
            Lead("L9", "2026-02-21T10:00", "inbound", false, deleted: true);
            Lead("L10", "2026-03-01T10:00", "inbound", false);
            Lead("L11", "2026-02-25T10:00", "paid", true, LeadStatus.Mql, mql: "2026-02-24T10:00");
            await db.SaveChangesAsync();
            foreach (var (id, at) in created)
                await db.Leads.IgnoreQueryFilters().Where(l => l.Id == id).ExecuteUpdateAsync(u => u.SetProperty(l => l.CreatedAt, at));

            long n = 0;
            void Touch(string lead, string at, string? campaign) => db.MarketingEvents.Add(new MarketingEvent
            {
                EventId = $"e{++n}", Type = MarketingEventTypes.PageView, OccurredAt = T(at), ReceivedAt = T(at), PersonType = PersonTypes.Lead,
                PersonId = leads[lead], CampaignId = campaign is null ? null : campaigns[campaign],
            });
            void Member(string lead, string at, string campaign) => db.CampaignMembers.Add(new CampaignMember
            {
                CampaignId = campaigns[campaign], PersonType = PersonTypes.Lead, PersonId = leads[lead], Status = CampaignMemberStatus.Registered, AddedAt = T(at), UpdatedAt = T(at),
            });
            Touch("L1", "2026-01-03T09:00", null); Touch("L1", "2026-01-04T09:00", "Webinar");
            Member("L2", "2026-01-09T09:00", "Ads"); Touch("L2", "2026-01-11T09:00", "Webinar");
            Member("L3", "2026-01-16T09:00", "Ads");
            Touch("L5", "2026-02-01T09:00", "Ads");
            Touch("L6", "2026-02-02T11:00", "Ads");
            Member("L7", "2026-02-10T11:00", "Webinar");
            Touch("L11", "2026-02-26T09:00", "Webinar"); Touch("L11", "2026-02-25T09:00", "Ads");
            return await db.SaveChangesAsync();
        });
        return new Fixture(api, await server.ClientForAsync(rep, "read"), leads, deals);
    }

    private static string V(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "-" : e.GetRawText().Trim('"');

    /// <summary>A period's rows as "group leads/mql/sql/opportunities/won amount r rates... d medians", joined by " | ".</summary>
    private static string Rows(JsonElement period) => string.Join(" | ", period.GetProperty("rows").EnumerateArray().Select(r =>
        $"{r.Str("group")} {r.GetProperty("leads")}/{r.GetProperty("mql")}/{r.GetProperty("sql")}/{r.GetProperty("opportunities")}/{r.GetProperty("won")} {V(r.GetProperty("wonAmount"))} " +
        $"r {V(r.GetProperty("leadToMql"))} {V(r.GetProperty("mqlToSql"))} {V(r.GetProperty("sqlToOpportunity"))} {V(r.GetProperty("opportunityToWon"))} {V(r.GetProperty("leadToWon"))} " +
        $"d {V(r.GetProperty("medianDaysToMql"))} {V(r.GetProperty("medianDaysMqlToSql"))}"));

    private static async Task<List<string>> Names(HttpClient api, string url) =>
        (await api.GetJsonAsync(url)).GetProperty("items").EnumerateArray().Select(i => i.Str("name")!).ToList();

    private const string Window = "from=2026-01-01&to=2026-02-28";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Funnel_counts_rates_and_medians_by_period_of_entry_and_group_with_drill_down_and_visibility(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var f = await SeedAsync(server);
        var api = f.Api;

        // By channel. January: L1 won, L2 SQL, L3 MQL (by status), L4 lead, L5 opportunity (SQL through its deal). Days to MQL
        // 2, 4, 0.25 -> 2; MQL to SQL 1.5, 6, 2 (L5's conversion) -> 2. February: L6 won (375), L7 SQL (rejected later, still got
        // there), L8 MQL (converted without a deal), L11 MQL; days to MQL 1, 3, 0 -> 1; MQL to SQL 1, 2 -> 1.5. L9 is deleted, L10 is March.
        var report = await api.GetJsonAsync($"/api/v1/marketing/funnel?{Window}&groupBy=channel");
        Assert.Equal(("2026-01-01", "2026-02-28", "month", "channel", "USD", 0L), (report.Str("from"), report.Str("to"), report.Str("period"), report.Str("groupBy"),
            report.Str("baseCurrency"), report.GetProperty("unconverted").GetInt64()));
        var periods = report.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal("2026-01 2026-01-01 2026-01-31 | 2026-02 2026-02-01 2026-02-28", string.Join(" | ", periods.Select(p => $"{p.Str("period")} {p.Str("from")} {p.Str("to")}")));
        Assert.Equal("(all) 5/4/3/2/1 1000.00 r 0.8 0.75 0.6667 0.5 0.2 d 2 2 | " +
            "inbound 3/3/3/2/1 1000.00 r 1 1 0.6667 0.5 0.3333 d 2 2 | " +
            "paid 2/1/0/0/0 0.00 r 0.5 0 - - 0 d - -", Rows(periods[0]));
        Assert.Equal("(all) 4/4/2/1/1 375.00 r 1 0.5 0.5 1 0.25 d 1 1.5 | " +
            "inbound 1/1/0/0/0 0.00 r 1 0 - - 0 d - - | " +
            "paid 3/3/2/1/1 375.00 r 1 0.6667 0.5 1 0.3333 d 1 1.5", Rows(periods[1]));
        // The whole window: days to MQL 0, 0.25, 1, 2, 3, 4 -> 1.5; MQL to SQL 1, 1.5, 2, 2, 6 -> 2.
        var total = report.GetProperty("total");
        Assert.Equal(("2026-01-01..2026-02-28", "2026-01-01", "2026-02-28"), (total.Str("period"), total.Str("from"), total.Str("to")));
        Assert.Equal("(all) 9/8/5/3/2 1375.00 r 0.8889 0.625 0.6 0.6667 0.2222 d 1.5 2 | " +
            "inbound 4/4/3/2/1 1000.00 r 1 0.75 0.6667 0.5 0.25 d 2 2 | " +
            "paid 5/4/2/1/1 375.00 r 0.8 0.5 0.5 1 0.2 d 1 1.5", Rows(total));

        // By campaign: the earliest touch with a campaign, else the earliest membership. L2 -> Webinar (its touch beats its earlier
        // membership of Ads), L3 -> Ads (membership), L11 -> Ads (the earlier of its two touches); L4 and L8 have none.
        var byCampaign = await api.GetJsonAsync($"/api/v1/marketing/funnel?{Window}&groupBy=campaign");
        var cp = byCampaign.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal("(all) 5/4/3/2/1 1000.00 r 0.8 0.75 0.6667 0.5 0.2 d 2 2 | " +
            "(none) 1/0/0/0/0 0.00 r 0 - - - 0 d - - | " +
            "Ads 2/2/1/1/0 0.00 r 1 0.5 1 0 0 d 0.25 2 | " +
            "Webinar 2/2/2/1/1 1000.00 r 1 1 0.5 1 0.5 d 3 3.75", Rows(cp[0]));
        Assert.Equal("(all) 4/4/2/1/1 375.00 r 1 0.5 0.5 1 0.25 d 1 1.5 | " +
            "(none) 1/1/0/0/0 0.00 r 1 0 - - 0 d - - | " +
            "Ads 2/2/1/1/1 375.00 r 1 0.5 1 1 0.5 d 0.5 1 | " +
            "Webinar 1/1/1/0/0 0.00 r 1 1 0 - 0 d 3 2", Rows(cp[1]));

        // Team and rep are the lead owner's; region the lead's (L4 has none). A quarter is clipped to the window.
        string Counts(JsonElement period) => string.Join(" | ", period.GetProperty("rows").EnumerateArray().Select(r =>
            $"{r.Str("group")} {r.GetProperty("leads")}/{r.GetProperty("mql")}/{r.GetProperty("sql")}/{r.GetProperty("opportunities")}/{r.GetProperty("won")}"));
        Assert.Equal("(all) 9/8/5/3/2 | EMEA 5/5/3/3/2 | NA 4/3/2/0/0", Counts((await api.GetJsonAsync($"/api/v1/marketing/funnel?{Window}&groupBy=team")).GetProperty("total")));
        Assert.Equal("(all) 9/8/5/3/2 | other 4/3/2/0/0 | rep 5/5/3/3/2", Counts((await api.GetJsonAsync($"/api/v1/marketing/funnel?{Window}&groupBy=rep")).GetProperty("total")));
        Assert.Equal("(all) 9/8/5/3/2 | (none) 1/0/0/0/0 | EMEA 5/5/3/3/2 | NA 3/3/2/0/0",
            Counts((await api.GetJsonAsync($"/api/v1/marketing/funnel?{Window}&groupBy=region")).GetProperty("total")));
        var quarter = await api.GetJsonAsync("/api/v1/marketing/funnel?from=2026-01-15&to=2026-02-28&period=quarter");
        Assert.Equal("2026-Q1 2026-01-15 2026-02-28: (all) 7/6/3/2/1", string.Join(" | ", quarter.GetProperty("periods").EnumerateArray()
            .Select(p => $"{p.Str("period")} {p.Str("from")} {p.Str("to")}: {Counts(p)}")));

        // Drill-down: the leads behind each number, newest first.
        Assert.Equal(["L6", "L1"], await Names(api, $"/api/v1/marketing/funnel/leads?{Window}&stage=won"));
        Assert.Equal(["L5", "L2", "L1"], await Names(api, "/api/v1/marketing/funnel/leads?from=2026-01-01&to=2026-01-31&stage=sql&groupBy=channel&group=inbound"));
        Assert.Equal(["L8"], await Names(api, $"/api/v1/marketing/funnel/leads?{Window}&stage=mql&groupBy=campaign&group=(none)"));
        Assert.Equal(["L6", "L5"], await Names(api, $"/api/v1/marketing/funnel/leads?{Window}&stage=mql&groupBy=campaign&group=Ads&pageSize=2&cursor=1"));
        var first = await api.GetJsonAsync($"/api/v1/marketing/funnel/leads?{Window}&stage=leads&pageSize=4");
        Assert.Equal("L11 L8 L7 L6 next 4", $"{string.Join(" ", first.Names())} next {first.Str("nextCursor")}");
        var second = await api.GetJsonAsync($"/api/v1/marketing/funnel/leads?{Window}&stage=leads&pageSize=4&cursor=4");
        Assert.Equal(["L5", "L4", "L3", "L2"], second.Names());
        var last = await api.GetJsonAsync($"/api/v1/marketing/funnel/leads?{Window}&stage=leads&pageSize=4&cursor=8");
        Assert.Equal("L1 next ", $"{string.Join(" ", last.Names())} next {last.Str("nextCursor")}");
        var l6 = (await api.GetJsonAsync($"/api/v1/marketing/funnel/leads?{Window}&stage=won&pageSize=1")).GetProperty("items")[0];
        Assert.Equal(("won", "paid", "EMEA", "rep", f.Deals["O3"], 375.00m, "2026-02-03T10:00:00+00:00"),
            (l6.Str("stage"), l6.Str("source"), l6.Str("region"), l6.Str("owner"), l6.GetProperty("opportunityId").GetGuid(), l6.GetProperty("wonAmount").GetDecimal(),
             l6.GetProperty("mqlAt").GetDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)));
        // Every number of the total row has exactly as many leads behind it.
        var all = total.GetProperty("rows")[0];
        foreach (var (stage, field) in new[] { ("leads", "leads"), ("mql", "mql"), ("sql", "sql"), ("opportunity", "opportunities"), ("won", "won") })
            Assert.Equal(all.GetProperty(field).GetInt32(), (await Names(api, $"/api/v1/marketing/funnel/leads?{Window}&stage={stage}&pageSize=500")).Count);

        // A rep sees their own leads: L1, L3, L5 in January; L6 and L11 in February. L6's deal belongs to someone else, so for
        // the rep it is an opportunity, not a win. Days to MQL in January 2 and 0.25 -> 1.125 -> 1.13; MQL to SQL 1.5 and 2 -> 1.75.
        var mine = await f.Rep.GetJsonAsync($"/api/v1/marketing/funnel?{Window}");
        var mp = mine.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal("(all) 3/3/2/2/1 1000.00 r 1 0.6667 1 0.5 0.3333 d 1.13 1.75", Rows(mp[0]));
        Assert.Equal("(all) 2/2/1/1/0 0.00 r 1 0.5 1 0 0 d 0.5 1", Rows(mp[1]));
        Assert.Equal(["L6", "L5", "L1"], await Names(f.Rep, $"/api/v1/marketing/funnel/leads?{Window}&stage=opportunity"));
        Assert.Equal(["L1"], await Names(f.Rep, $"/api/v1/marketing/funnel/leads?{Window}&stage=won"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Cli_prints_the_api_numbers_and_bad_input_names_the_field(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var f = await SeedAsync(server);
        var api = f.Api;

        // The CLI's json is the API's body (it sees everything, as the admin does).
        async Task SameAsApi(string query, params string[] args)
        {
            var cli = await RevLoopProcess.RunAsync(server.Database, ["marketing", "funnel", .. args, "--format", "json"]);
            Assert.True(cli.ExitCode == 0, cli.ToString());
            var body = await (await api.GetAsync($"/api/v1/marketing/funnel?{query}")).Content.ReadAsStringAsync();
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(body), JsonNode.Parse(cli.StdOut)), $"{body}\n{cli.StdOut}");
        }
        await SameAsApi($"{Window}&groupBy=campaign", "--from", "2026-01-01", "--to", "2026-02-28", "--group-by", "campaign");
        await SameAsApi("from=2026-01-15&to=2026-03-31&period=quarter&groupBy=rep", "--from", "2026-01-15", "--to", "2026-03-31", "--period", "quarter", "--group-by", "rep");
        await SameAsApi(Window, "--from", "2026-01-01", "--to", "2026-02-28");

        var csv = await RevLoopProcess.RunAsync(server.Database, "marketing", "funnel", "--from", "2026-01-01", "--to", "2026-02-28", "--group-by", "channel");
        Assert.True(csv.ExitCode == 0, csv.ToString());
        Assert.Equal(
            "period,from,to,group,leads,mql,sql,opportunities,won,won_amount,lead_to_mql,mql_to_sql,sql_to_opportunity,opportunity_to_won,lead_to_won,median_days_to_mql,median_days_mql_to_sql\n" +
            "2026-01,2026-01-01,2026-01-31,(all),5,4,3,2,1,1000.00,0.8,0.75,0.6667,0.5,0.2,2,2\n" +
            "2026-01,2026-01-01,2026-01-31,inbound,3,3,3,2,1,1000.00,1,1,0.6667,0.5,0.3333,2,2\n" +
            "2026-01,2026-01-01,2026-01-31,paid,2,1,0,0,0,0.00,0.5,0,,,0,,\n" +
            "2026-02,2026-02-01,2026-02-28,(all),4,4,2,1,1,375.00,1,0.5,0.5,1,0.25,1,1.5\n" +
            "2026-02,2026-02-01,2026-02-28,inbound,1,1,0,0,0,0.00,1,0,,,0,,\n" +
            "2026-02,2026-02-01,2026-02-28,paid,3,3,2,1,1,375.00,1,0.6667,0.5,1,0.3333,1,1.5\n" +
            "2026-01-01..2026-02-28,2026-01-01,2026-02-28,(all),9,8,5,3,2,1375.00,0.8889,0.625,0.6,0.6667,0.2222,1.5,2\n" +
            "2026-01-01..2026-02-28,2026-01-01,2026-02-28,inbound,4,4,3,2,1,1000.00,1,0.75,0.6667,0.5,0.25,2,2\n" +
            "2026-01-01..2026-02-28,2026-01-01,2026-02-28,paid,5,4,2,1,1,375.00,0.8,0.5,0.5,1,0.2,1,1.5\n",
            csv.StdOut.ReplaceLineEndings("\n"));
        var table = await RevLoopProcess.RunAsync(server.Database, "marketing", "funnel", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "table");
        Assert.Equal(["period", "2026-01", "2026-01-01..2026-01-31"], table.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));

        async Task Bad(string field, string reason, params string[] args)
        {
            var r = await RevLoopProcess.RunAsync(server.Database, ["marketing", "funnel", .. args]);
            Assert.Equal((2, $"error: {field}: {reason}", ""), (r.ExitCode, r.StdErr.Trim(), r.StdOut));
        }
        await Bad("--to", "must not be before from", "--from", "2026-02-01", "--to", "2026-01-31");
        await Bad("--period", "must be one of month, quarter", "--from", "2026-01-01", "--to", "2026-01-31", "--period", "week");
        await Bad("--group-by", "must be one of channel, campaign, region, team, rep", "--from", "2026-01-01", "--to", "2026-01-31", "--group-by", "color");
        await Bad("--from", "'2026-13-01' is not a date YYYY-MM-DD", "--from", "2026-13-01", "--to", "2026-01-31");
        await Bad("--format", "must be csv, json or table", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "xml");

        const string url = "/api/v1/marketing/funnel";
        await Api.AssertProblemAsync(await api.GetAsync($"{url}?from=2026-02-01&to=2026-01-31"), HttpStatusCode.BadRequest, "to");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}?{Window}&period=week"), HttpStatusCode.BadRequest, "period");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}?{Window}&groupBy=color"), HttpStatusCode.BadRequest, "groupBy");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}?from=2026-13-01&to=2026-01-31"), HttpStatusCode.BadRequest, "from");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}?to=2026-01-31"), HttpStatusCode.BadRequest, "from");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}/leads?{Window}&stage=customer"), HttpStatusCode.BadRequest, "stage");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}/leads?{Window}"), HttpStatusCode.BadRequest, "stage");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}/leads?from=2026-02-01&to=2026-01-31&stage=mql"), HttpStatusCode.BadRequest, "to");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}/leads?{Window}&stage=mql&groupBy=color&group=x"), HttpStatusCode.BadRequest, "groupBy");
        await Api.AssertProblemAsync(await api.GetAsync($"{url}/leads?{Window}&stage=mql&cursor=abc"), HttpStatusCode.BadRequest, "cursor");
        // Without a token there is no report.
        using var anonymous = server.ClientWithToken(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{url}?{Window}")).StatusCode);
    }
}
