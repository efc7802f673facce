using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class NavigationTests(UiFixture f)
{
    [Fact]
    public async Task Ctrl_K_palette_jumps_to_pages_and_accounts_and_slash_focuses_search()
    {
        var u = "P" + Guid.NewGuid().ToString("N")[..6];
        var account = (await f.SeedAsync([new Account { Name = $"{u} Palette Industries", Domain = $"{u}.example", OwnerId = f.Admin.Id }]))[0];
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/");

        await page.Keyboard.PressAsync("Control+K");
        var palette = page.Locator("dialog#palette");
        await Expect(palette).ToBeVisibleAsync();
        await Expect(page.Locator("#palette-input")).ToBeFocusedAsync();
        await Expect(palette.Locator(".palette-item", new() { HasText = "New account" })).ToBeVisibleAsync();
        await page.Keyboard.TypeAsync("sett");
        await Expect(palette.Locator(".palette-item")).ToHaveCountAsync(1);
        await Expect(palette.Locator(".palette-item.active")).ToContainTextAsync("Settings");
        await page.Keyboard.PressAsync("Enter");
        await page.ArriveAtAsync(f.BaseUrl + "/settings");

        await page.Keyboard.PressAsync("Control+K");
        await page.Keyboard.TypeAsync(u);
        var hit = palette.Locator(".palette-item[data-kind='Account']");
        await Expect(hit).ToContainTextAsync($"{u} Palette Industries");
        await Expect(palette.Locator(".palette-item.active")).ToContainTextAsync($"{u} Palette Industries");
        await page.Keyboard.PressAsync("Enter");
        await page.ArriveAtAsync(f.BaseUrl + $"/accounts/{account.Id}");

        await page.Keyboard.PressAsync("Control+K");
        await page.Keyboard.TypeAsync("new acc");
        await Expect(palette.Locator(".palette-item.active")).ToContainTextAsync("New account");
        await page.Keyboard.PressAsync("Enter");
        await page.ArriveAtAsync(f.BaseUrl + "/accounts/new");

        // "/" focuses the global search; results come as you type; Enter lists every match.
        await page.Locator("h1").ClickAsync();
        await page.Keyboard.PressAsync("/");
        await Expect(page.Locator("#global-search")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(u);
        await Expect(page.Locator("#global-search-results .search-hit")).ToContainTextAsync($"{u} Palette Industries");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex($@"/accounts\?q={u}$"));
        await Expect(page.Locator("table.grid tbody td.name")).ToHaveTextAsync($"{u} Palette Industries");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_module_in_the_navigation_opens_and_the_collapsed_state_is_remembered()
    {
        var page = await f.SignedInAsync(f.Rep);
        await page.GotoAsync("/");
        var links = await page.Locator("nav.sidebar .nav-item").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('href'))");
        Assert.Equal(17, links.Length); // the sixteenth and seventeenth: target accounts and the marketing funnel
        foreach (var href in links)
        {
            var response = await page.GotoAsync(href);
            // Analytics opens on the pipeline for a rep (their own deals); revenue reports are for revenue roles.
            Assert.True(response!.Ok, $"{href} answered {response.Status}");
            if (href == "/analytics") Assert.EndsWith("/analytics/pipeline", page.Url);
            await Expect(page.Locator("nav.sidebar .nav-item.active")).ToHaveAttributeAsync("href", href);
        }
        var missing = await page.GotoAsync("/no-such-page");
        Assert.Equal(404, missing!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await page.GotoAsync("/sequences");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sequences is coming soon" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Go to accounts" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" }).ClickAsync();
        await Expect(page.Locator("html")).ToHaveClassAsync(new Regex("nav-collapsed"));
        await page.GotoAsync("/accounts");
        await Expect(page.Locator("html")).ToHaveClassAsync(new Regex("nav-collapsed"));
        await Expect(page.Locator("nav.sidebar .nav-label").First).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" }).ClickAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("html")).Not.ToHaveClassAsync(new Regex("nav-collapsed"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Home_counts_link_to_their_records_and_a_chart_bar_drills_down_to_that_month()
    {
        var u = "H" + Guid.NewGuid().ToString("N")[..6];
        var now = f.Clock.GetUtcNow();
        var threeMonthsAgo = new DateTimeOffset(now.Year, now.Month, 1, 12, 0, 0, TimeSpan.Zero).AddMonths(-3).AddDays(9);
        await f.SeedAsync(Enumerable.Range(1, 4).Select(i => new Account { Name = $"{u} old {i}", OwnerId = f.Admin.Id }), by: f.Admin, at: threeMonthsAgo);
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/");
        await Expect(page.Locator("#accounts-by-month svg")).ToBeVisibleAsync();

        // The month's number in the table behind the chart.
        var label = threeMonthsAgo.ToString("MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        await page.GetByText("Show as table").ClickAsync();
        var expected = await page.Locator("details.chart-table tr", new() { HasText = label }).Locator("td.num").InnerTextAsync();
        Assert.True(int.Parse(expected, System.Globalization.CultureInfo.InvariantCulture) >= 4);

        // Click that month's column in the chart (index 8 of 12).
        var box = (await page.Locator("#accounts-by-month").BoundingBoxAsync())!;
        var plotLeft = box.X + 8 + 44;
        var plotWidth = box.Width - 16 - 44 - 16;
        await page.Mouse.ClickAsync((float)(plotLeft + plotWidth * (8.5 / 12)), (float)(box.Y + box.Height - 28 - 6));
        await page.WaitForURLAsync(new Regex(@"/accounts\?createdFrom=\d{4}-\d{2}-01&createdTo="));
        await Expect(page.Locator(".chip", new() { HasText = "Created from" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("match-count")).ToContainTextAsync($"{expected} account");
        await Expect(page.Locator("table.grid tbody td.name", new() { HasText = $"{u} old" })).ToHaveCountAsync(4);

        // The headline count links to the full list.
        await page.GotoAsync("/");
        var total = await page.GetByTestId("stat-accounts").GetAttributeAsync("title");
        await page.GetByTestId("stat-accounts").ClickAsync();
        await page.ArriveAtAsync(f.BaseUrl + "/accounts");
        await Expect(page.GetByTestId("match-count")).ToContainTextAsync($"{total} accounts");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Settings_are_edited_by_admins_with_errors_next_to_fields_and_read_only_for_others()
    {
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/settings");
        var code = "Q" + (char)('A' + Random.Shared.Next(26)) + (char)('A' + Random.Shared.Next(26));
        await page.GetByLabel("Code").FillAsync(code);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Test money");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add currency" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Currency {code} added");

        await page.GetByLabel("Currency", new() { Exact = true }).SelectOptionAsync(code);
        await page.GetByLabel("Rate", new() { Exact = true }).FillAsync("-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rate" }).ClickAsync();
        await Expect(page.Locator(".field[data-field='rate'] .field-error")).ToContainTextAsync("greater than zero");
        await page.GetByLabel("Rate", new() { Exact = true }).FillAsync("1.0850");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rate" }).ClickAsync();
        await Expect(page.GetByTestId("rates")).ToContainTextAsync(code);
        await Expect(page.GetByTestId("rates")).ToContainTextAsync("1.085");

        await page.GetByLabel("Fiscal year starts in").SelectOptionAsync("4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Settings saved");
        await Expect(page.GetByLabel("Fiscal year starts in")).ToHaveValueAsync("4");
        await page.Context.CloseAsync();

        var rep = await f.SignedInAsync(f.Rep);
        await rep.GotoAsync("/settings");
        await Expect(rep.GetByText("Only admins can change settings")).ToBeVisibleAsync();
        await Expect(rep.GetByText("April")).ToBeVisibleAsync();
        await Expect(rep.GetByRole(AriaRole.Button, new() { Name = "Save settings" })).ToHaveCountAsync(0);
        await rep.Context.CloseAsync();
    }
}
