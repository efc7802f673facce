using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class LeadScoringPagesTests(UiFixture f)
{
    [Fact]
    public async Task Rules_made_and_tested_on_the_settings_page_score_a_lead_whose_page_says_why_and_sales_accepts_then_rejects_it()
    {
        // A title word and a page of its own, so these rules score no other test's leads.
        var u = Guid.NewGuid().ToString("N")[..6];
        using var api = await f.Server.ClientForAsync(f.Admin);
        using var created = await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Sky", lastName = $"Score{u}", title = $"Chief Zq{u} Officer", email = $"sky-{u}@example.org" });
        var leadId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var sent = await api.PostAsJsonAsync("/api/v1/events", new
        {
            events = new object[]
            {
                new { id = $"sc-{u}-1", type = "page_view", leadId, url = $"https://www.example.com/pricing-{u}" },
                new { id = $"sc-{u}-2", type = "page_view", leadId, url = $"/pricing-{u}?plan=pro" },
            },
        });
        Assert.Equal(200, (int)sent.StatusCode);

        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/settings/scoring");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Lead scoring");

        // Test a behaviour rule on the lead before saving it: a bad pattern is named with its position, a good one shows the points.
        await page.GetByLabel("Kind").SelectOptionAsync("behaviour");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync($"Pricing {u}");
        await page.GetByLabel("Points").FillAsync("12");
        await page.GetByLabel("Event").SelectOptionAsync("page_view");
        await page.GetByLabel("URL pattern").FillAsync($"/pricing-{u} x");
        await page.GetByLabel("Test on lead").FillAsync($"sky-{u}@example.org");
        await page.GetByTestId("test-rule").ClickAsync();
        await Expect(page.GetByTestId("preview-error")).ToHaveTextAsync("Cannot test: urlPattern position 16: a space is not allowed in a URL (write it as %20)");
        await page.GetByLabel("URL pattern").FillAsync($"/pricing-{u}");
        await page.GetByTestId("test-rule").ClickAsync();
        await Expect(page.GetByTestId("preview-points")).ToHaveTextAsync("+24 points");
        await Expect(page.GetByTestId("preview-why")).ToHaveTextAsync($"2 × page view of /pricing-{u}, latest today");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync($"Rule Pricing {u} added; everyone is being rescored.");
        await Expect(page.Locator($"tr[data-rule='Pricing {u}'] td").Nth(1)).ToHaveTextAsync($"page view of /pricing-{u}, each time");

        // A fit rule; a threshold outside 70-100 is refused; then everyone is rescored now.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync($"Zq title {u}");
        await page.GetByLabel("Points").FillAsync("30");
        await page.GetByLabel("Title keywords").FillAsync($"Zq{u}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync($"Rule Zq title {u} added; everyone is being rescored.");
        await Expect(page.Locator($"tr[data-rule='Zq title {u}'] td").Nth(1)).ToHaveTextAsync($"title has zq{u}");
        await page.GetByLabel("A lead becomes an MQL at a score of").FillAsync("69");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save threshold" }).ClickAsync();
        await Expect(page.GetByTestId("threshold-errors")).ToHaveTextAsync("Not saved: mqlThreshold must be between 70 and 100");
        await page.GetByTestId("recompute").ClickAsync();
        await Expect(page.GetByTestId("saved")).ToContainTextAsync("people rescored");

        // The lead page answers "why 54?".
        await page.GotoAsync($"/leads/{leadId}");
        var panel = page.GetByTestId("score-panel");
        await Expect(panel.GetByTestId("score")).ToHaveTextAsync("54");
        await Expect(panel.GetByTestId("score-breakdown").Locator("tbody tr th")).ToHaveTextAsync([$"Zq title {u} (fit)", $"Pricing {u} (behaviour)"]);
        await Expect(panel.GetByTestId("score-breakdown").Locator("tbody tr td")).ToHaveTextAsync(
            ["+30", $"title “Chief Zq{u} Officer” has “zq{u}”", "+24", $"2 × page view of /pricing-{u}, latest today"]);
        await Expect(page.GetByTestId("score-fact")).ToHaveTextAsync("Score 54");

        // A demo request makes it an MQL; sales accepts it, then rejects it back to nurture with a reason.
        using var demo = await api.PostAsJsonAsync("/api/v1/events", new { events = new[] { new { id = $"sc-{u}-demo", type = "demo_request", leadId } } });
        Assert.Equal(200, (int)demo.StatusCode);
        await page.ReloadAsync();
        await Expect(page.Locator(".record-head .tag")).ToHaveTextAsync("MQL");
        await page.GetByTestId("accept").ClickAsync();
        await Expect(page.GetByTestId("lifecycle-saved")).ToHaveTextAsync("Accepted: the lead is sales-qualified (SQL).");
        await Expect(page.GetByTestId("sql-at")).Not.ToHaveTextAsync("empty");
        await Expect(page.GetByTestId("accept")).ToHaveCountAsync(0);
        await page.GetByTestId("reject").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Reject to nurture" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog).Locator(".field-error")).ToHaveTextAsync("Reason is required: say why sales does not take the lead (it goes back to nurture).");
        await page.GetByLabel("Reason").FillAsync("Timing: budget next year");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Reject to nurture" }).ClickAsync();
        await Expect(page.GetByTestId("lifecycle-saved")).ToHaveTextAsync("Rejected: the lead is back in nurture.");
        await Expect(page.GetByTestId("rejected")).ToContainTextAsync("Timing: budget next year");
        await Expect(page.Locator(".record-head .tag")).ToHaveTextAsync("Nurturing");

        // The rules go again, so other tests' leads score as before.
        await page.GotoAsync("/settings/scoring");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule Pricing {u}" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToHaveTextAsync("Rule deleted.");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule Zq title {u}" }).ClickAsync();
        await Expect(page.Locator($"tr[data-rule='Zq title {u}']")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
