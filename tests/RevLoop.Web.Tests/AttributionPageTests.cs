using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

/// <summary>
/// The attribution report in a browser over one deal of March 2019 (a period no other test touches): X, 10,000 USD,
/// created 03-20 and won 03-25, whose contact touched Ads (page view 03-01), Mail (click 03-10) and Ads again (03-18).
/// Ads cost 1,000 in March. Linear: Ads 2/3 = 6,666.67, Mail 3,333.33; first touch: Ads everything.
/// </summary>
[Collection(UiCollection.Name)]
public class AttributionPageTests(UiFixture f)
{
    [Fact]
    public async Task The_report_compares_models_side_by_side_and_every_number_opens_its_deals()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        using var api = await f.Server.ClientForAsync(f.Admin);
        async Task<JsonElement> Post(string url, object body)
        {
            using var r = await api.PostAsJsonAsync(url, body);
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, $"{url}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        var pipeline = await Post("/api/v1/pipelines", new { name = $"Attribution {u}", stages = new object[] { new { name = "Open", type = "open", probability = 10 }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } } });
        var won = pipeline.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Won").GetProperty("id").GetString();
        var ads = (await Post("/api/v1/campaigns", new { name = $"Ads {u}", channel = "paid_search", type = "paid" })).GetProperty("id").GetGuid();
        var mail = (await Post("/api/v1/campaigns", new { name = $"Mail {u}", channel = "email", type = "email" })).GetProperty("id").GetGuid();
        await Post($"/api/v1/campaigns/{ads}/costs", new { date = "2019-03-05", amount = 1000m });
        var account = (await Post("/api/v1/accounts", new { name = $"Attributed {u}" })).GetProperty("id").GetGuid();
        var contact = (await Post("/api/v1/contacts", new { firstName = "Ann", lastName = $"Touch{u}", email = $"ann-{u}@attributed.example", accountId = account })).GetProperty("contact").GetProperty("id").GetGuid();
        var deal = (await Post("/api/v1/opportunities", new { name = $"X {u}", accountId = account, pipelineId = pipeline.GetProperty("id").GetString(), stageId = won, amount = 10_000m, closeDate = "2019-03-25", primaryContactId = contact }))
            .GetProperty("id").GetGuid();
        await Post("/api/v1/events", new
        {
            events = new object[]
            {
                new { id = $"at-{u}-1", type = "page_view", occurredAt = "2019-03-01T09:00:00Z", contactId = contact, campaignId = ads, url = "https://www.example.com/" },
                new { id = $"at-{u}-2", type = "email_click", occurredAt = "2019-03-10T09:00:00Z", contactId = contact, campaignId = mail },
                new { id = $"at-{u}-3", type = "page_view", occurredAt = "2019-03-18T09:00:00Z", contactId = contact, campaignId = ads, url = "https://www.example.com/" },
            },
        });
        await f.WithDbAsync(db => db.Opportunities.Where(o => o.Id == deal).ExecuteUpdateAsync(x => x
            .SetProperty(o => o.CreatedAt, new DateTimeOffset(2019, 3, 20, 9, 0, 0, TimeSpan.Zero)).SetProperty(o => o.WonAt, new DateTimeOffset(2019, 3, 25, 10, 0, 0, TimeSpan.Zero))));

        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/campaigns");
        await page.GetByRole(AriaRole.Link, new() { Name = "Attribution" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/marketing/attribution$"));
        // The period and basis are a GET form.
        await page.GetByLabel("From").FillAsync("2019-03-01");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2019-03-31");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/marketing/attribution\\?from=2019-03-01&to=2019-03-31&basis=pipeline"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Attribution");
        await Expect(page.GetByTestId("kpi-deals").Locator(".stat-value")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("kpi-amount").Locator(".stat-value")).ToHaveTextAsync("10k");

        ILocator Cell(string table, string campaign, string col) => page.Locator($"table[data-testid='{table}'] tr[data-campaign='{campaign}'] td[data-col='{col}']");
        await Expect(Cell("attribution-models", $"Ads {u}", "first").GetByTestId("amount")).ToHaveTextAsync("10k");
        await Expect(Cell("attribution-models", $"Ads {u}", "linear").GetByTestId("amount")).ToHaveTextAsync("6,666.67");
        await Expect(Cell("attribution-models", $"Ads {u}", "linear").GetByTestId("count")).ToHaveTextAsync("0.67 deals");
        await Expect(Cell("attribution-models", $"Mail {u}", "linear").GetByTestId("amount")).ToHaveTextAsync("3,333.33");
        await Expect(Cell("attribution-models", $"Mail {u}", "first").GetByTestId("amount")).ToHaveTextAsync("0.00");
        // Cost 1,000; ROI (10,000 - 1,000) / 1,000 first touch, (6,666.67 - 1,000) / 1,000 linear; Mail has no cost.
        await Expect(Cell("attribution-roi", $"Ads {u}", "cost")).ToHaveTextAsync("1,000.00");
        await Expect(Cell("attribution-roi", $"Ads {u}", "roi-first")).ToHaveTextAsync("900.0%");
        await Expect(Cell("attribution-roi", $"Ads {u}", "roi-linear")).ToHaveTextAsync("566.7%");
        await Expect(Cell("attribution-roi", $"Mail {u}", "roi-linear")).ToHaveTextAsync("–");
        await Expect(Cell("attribution-roi", $"Ads {u}", "cpo")).ToHaveTextAsync("1,000.00");
        // The chart draws a bar per campaign and model.
        await Expect(page.Locator("#attribution-chart svg")).ToBeVisibleAsync();

        // A number opens its deals with the campaign's share.
        await Cell("attribution-models", $"Ads {u}", "linear").GetByTestId("amount").ClickAsync();
        await page.WaitForURLAsync(new Regex("/marketing/attribution/deals\\?"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Ads {u}: Linear");
        await Expect(page.Locator("table[data-testid='deals'] tbody tr td:first-child")).ToHaveTextAsync([$"X {u}"]);
        await Expect(page.Locator("table[data-testid='deals'] td[data-col='share']")).ToHaveTextAsync("66.7%");
        await Expect(page.Locator("table[data-testid='deals'] td[data-col='attributed']")).ToHaveTextAsync("6,666.67");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the report" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/marketing/attribution\\?from=2019-03-01"));

        // The campaign page shows the campaign's line for the report's period, per model.
        await page.Locator("table[data-testid='attribution-models']").GetByRole(AriaRole.Link, new() { Name = $"Ads {u}" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/campaigns/{ads}\\?from=2019-03-01&to=2019-03-31$"));
        var panel = page.GetByTestId("campaign-attribution");
        await Expect(panel.Locator("tr[data-model='linear'] td[data-col='amount']")).ToHaveTextAsync("6,666.67");
        await Expect(panel.Locator("tr[data-model='u_shaped'] td[data-col='roi']")).ToHaveTextAsync("700.0%");
        await Expect(panel.GetByTestId("attribution-numbers")).ToContainTextAsync("Opportunities1 · 1,000.00 per opportunity");
        await panel.Locator("tr[data-model='first'] td[data-col='won'] a").ClickAsync();
        await page.WaitForURLAsync(new Regex("/marketing/attribution/deals\\?.*basis=revenue"));
        await Expect(page.Locator("table[data-testid='deals'] td[data-col='attributed']")).ToHaveTextAsync("10,000.00");
        await page.Context.CloseAsync();
    }
}
