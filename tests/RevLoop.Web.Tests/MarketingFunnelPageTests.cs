using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RevLoop.Crm.Leads;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class MarketingFunnelPageTests(UiFixture f)
{
    private static DateTimeOffset T(string s) => DateTimeOffset.Parse(s + "Z", CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_funnel_page_shows_each_period_and_channel_and_a_number_opens_its_leads()
    {
        // Leads of 2015 (no other test makes leads that old): March Ann (inbound, MQL after 2 days) and Bob (inbound, new);
        // April Cy (paid, MQL after a day, SQL two days later).
        var u = Guid.NewGuid().ToString("N")[..6];
        await f.WithDbAsync(async db =>
        {
            var created = new Dictionary<Lead, DateTimeOffset>();
            void Add(string first, string created_, string source, string? mql = null, string? sql = null, string status = LeadStatus.New)
            {
                var l = new Lead { FirstName = first, LastName = $"Funnel{u}", Source = source, Status = status, OwnerId = f.Admin.Id,
                    MqlAt = mql is null ? null : T(mql), SqlAt = sql is null ? null : T(sql) };
                db.Leads.Add(l);
                created[l] = T(created_);
            }
            Add("Ann", "2015-03-02T09:00", "inbound", mql: "2015-03-04T09:00", status: LeadStatus.Mql);
            Add("Bob", "2015-03-10T09:00", "inbound");
            Add("Cy", "2015-04-05T09:00", "paid", mql: "2015-04-06T09:00", sql: "2015-04-08T09:00", status: LeadStatus.Sql);
            await db.SaveChangesAsync();
            foreach (var (l, at) in created)
                await db.Leads.Where(x => x.Id == l.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.CreatedAt, at));
            return 0;
        });

        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/campaigns");
        await page.GetByTestId("funnel-link").ClickAsync();
        await page.WaitForURLAsync(new Regex("/marketing/funnel$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Marketing funnel");
        await Expect(page.Locator("nav.sidebar .nav-item.active")).ToHaveAttributeAsync("href", "/marketing/funnel");

        await page.GetByLabel("Created from").FillAsync("2015-03-01");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2015-04-30");
        await page.GetByLabel("Group by").SelectOptionAsync("channel");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("from=2015-03-01&to=2015-04-30&period=month&groupBy=channel$"));

        await Expect(page.GetByTestId("kpi-leads").Locator(".stat-value")).ToHaveTextAsync("3");
        await Expect(page.GetByTestId("kpi-mql").Locator(".stat-value")).ToHaveTextAsync("2");
        await Expect(page.GetByTestId("kpi-sql").Locator(".stat-value")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("kpi-won").Locator(".stat-value")).ToHaveTextAsync("0");
        // The funnel chart is drawn (ECharts renders SVG).
        await Expect(page.Locator("#funnel-chart svg")).ToHaveCountAsync(1);

        var table = page.GetByTestId("marketing-funnel");
        await Expect(table.Locator("tbody[data-period]")).ToHaveCountAsync(3);
        var march = table.Locator("tbody[data-period='2015-03']");
        await Expect(march.Locator("tr[data-group]")).ToHaveCountAsync(3); // (all), inbound, paid (every group of the window)
        var inbound = march.Locator("tr[data-group='inbound'] td");
        Assert.Equal(["2", "1", "0", "0", "0", "0.00", "50.0%", "0.0%", "–", "–", "0.0%", "2.00", "–"], await inbound.AllInnerTextsAsync());
        var aprilPaid = table.Locator("tbody[data-period='2015-04'] tr[data-group='paid'] td");
        Assert.Equal(["1", "1", "1", "0", "0", "0.00", "100.0%", "100.0%", "0.0%", "–", "0.0%", "1.00", "2.00"], await aprilPaid.AllInnerTextsAsync());
        await Expect(table.Locator("tbody[data-period='total'] tr[data-group='(all)'] td[data-col='leads']")).ToHaveTextAsync("3");

        // March's inbound MQL count opens exactly that lead.
        await march.Locator("tr[data-group='inbound'] td[data-col='mql'] a").ClickAsync();
        await page.WaitForURLAsync(new Regex("/marketing/funnel/leads\\?from=2015-03-01&to=2015-03-31&stage=mql&groupBy=channel&group=inbound&period=month$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("MQL: created 2015-03-01 – 2015-03-31, channel inbound");
        await Expect(page.GetByTestId("funnel-leads").Locator("tbody tr td:first-child")).ToHaveTextAsync([$"Ann Funnel{u}"]);
        await Expect(page.GetByTestId("funnel-leads").Locator("tbody tr td[data-col='stage']")).ToHaveTextAsync(["MQL"]);
        await page.GetByRole(AriaRole.Link, new() { Name = $"Ann Funnel{u}" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/leads/[0-9a-f-]{36}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Ann Funnel{u}");

        // A bad address says which field is wrong.
        var bad = await page.GotoAsync("/marketing/funnel?from=2015-04-30&to=2015-03-01");
        Assert.Equal(400, bad!.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("to must not be before from");
        await page.Context.CloseAsync();
    }
}
