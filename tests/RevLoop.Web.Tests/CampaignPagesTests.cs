using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class CampaignPagesTests(UiFixture f)
{
    [Fact]
    public async Task A_campaign_is_created_in_the_form_gets_costs_and_shows_the_members_and_touches_its_events_brought()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/campaigns");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Campaigns");
        await page.GetByRole(AriaRole.Link, new() { Name = "New campaign" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/campaigns/new$"));

        await page.GetByLabel("Name").FillAsync($"Launch webinar {u}");
        await page.GetByLabel("Budget").FillAsync("lots");
        await page.GetByLabel("UTM campaign").FillAsync($"Launch-{u}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create campaign" }).ClickAsync();
        await Expect(page.Locator("#err-budget")).ToHaveTextAsync("Budget must be a number like 12500.00.");
        await page.GetByLabel("Budget").FillAsync("2,500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create campaign" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/campaigns/[0-9a-f-]{36}\\?created=true$"));
        var id = Guid.Parse(Regex.Match(page.Url, "/campaigns/([0-9a-f-]{36})").Groups[1].Value);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Launch webinar {u}");
        await Expect(page.GetByTestId("campaign-numbers")).ToContainTextAsync("Budget2,500.00 USD");
        await Expect(page.GetByTestId("actual-cost")).ToHaveTextAsync("0.00 USD");

        // A cost line: a bad amount is named next to its field, a good one adds up.
        await page.GetByLabel("Date").FillAsync("2026-10-01");
        await page.GetByLabel("Amount (USD)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add cost" }).ClickAsync();
        await Expect(page.Locator("#err-amount")).ToHaveTextAsync("Amount (USD) must not be zero.");
        await page.GetByLabel("Amount (USD)").FillAsync("1200.50");
        await page.GetByLabel("What").FillAsync("Webinar platform");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add cost" }).ClickAsync();
        await Expect(page.GetByTestId("actual-cost")).ToHaveTextAsync("1,200.50 USD");
        await Expect(page.GetByTestId("cost-list").Locator("tbody tr")).ToHaveTextAsync(["1 Oct 2026Webinar platform1,200.50 USD"]);

        // Events with the campaign's UTM bring a member and touches.
        using var api = await f.Server.ClientForAsync(f.Admin);
        using var sent = await api.PostAsJsonAsync("/api/v1/events", new
        {
            events = new object[]
            {
                new { id = $"ui-{u}-1", type = "page_view", visitorId = $"vis-{u}", url = $"https://www.example.com/webinar?utm_campaign=launch-{u}" },
                new { id = $"ui-{u}-2", type = "form_submit", visitorId = $"vis-{u}", email = $"kim-{u}@example.org", person = new { firstName = "Kim", lastName = $"Lane{u}" }, utm = new { campaign = $"launch-{u}" } },
            },
        });
        Assert.Equal(200, (int)sent.StatusCode);
        await page.GotoAsync($"/campaigns/{id}");
        await Expect(page.GetByTestId("member-count")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("touch-count")).ToHaveTextAsync("2");
        await Expect(page.GetByTestId("member-list").Locator("tbody tr td").First).ToHaveTextAsync($"Kim Lane{u}");
        await Expect(page.GetByTestId("touch-type")).ToHaveTextAsync(["Form submit 1", "Page view 1"]);
        await page.GetByTestId("member-list").GetByRole(AriaRole.Link, new() { Name = $"Kim Lane{u}" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/leads/[0-9a-f-]{36}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Kim Lane{u}");
        // The lead page lists the touches, including the page view made before the form identified the visitor.
        await Expect(page.GetByTestId("touches").GetByTestId("touch-type")).ToHaveTextAsync(["Form submit 1", "Page view 1"]);
        await Expect(page.GetByTestId("touch-list").Locator("tbody tr td:nth-child(2)")).ToHaveTextAsync(["Form submit", "Page view"]);
        await Expect(page.GetByTestId("touch-list").GetByRole(AriaRole.Link, new() { Name = $"Launch webinar {u}" })).ToHaveCountAsync(2);
        // A refused call (no phone consent) is logged and shown on the person's page.
        var leadId = Regex.Match(page.Url, "/leads/([0-9a-f-]{36})").Groups[1].Value;
        using var check = await api.PostAsJsonAsync("/api/v1/consent/check", new { leadId, channel = "phone" });
        Assert.Equal(200, (int)check.StatusCode);
        await page.ReloadAsync();
        await Expect(page.GetByTestId("contact-blocks").Locator("tbody tr td:not(:first-child)")).ToHaveTextAsync(["Phone", "Call task", "has not opted in to calls"]);

        await page.GotoAsync("/campaigns?type=webinar");
        await Expect(page.GetByTestId("campaign-list").GetByRole(AriaRole.Link, new() { Name = $"Launch webinar {u}" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
