using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using RevLoop.Platform;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(AccountsCollection.Name)]
public class AccountListTests(AccountsUiFixture f)
{
    /// <summary>23 accounts "{u} 01".."{u} 23", created an hour apart (01 oldest); odd numbers SMB, even enterprise.</summary>
    private async Task<List<Account>> SeedNumberedAsync(string u, int count = 23)
    {
        var all = new List<Account>();
        var start = f.Clock.GetUtcNow().AddDays(-3);
        for (var i = 1; i <= count; i++)
        {
            var a = new Account
            {
                Name = $"{u} {i:00}", Domain = $"n{i}-{u}.example", Segment = i % 2 == 0 ? "enterprise" : "smb", Country = i % 3 == 0 ? "FR" : "DE",
                Region = "EMEA", Employees = i * 100, OwnerId = f.Rep.Id,
            };
            all.AddRange(await f.SeedAsync([a], by: f.Rep, at: start.AddHours(i)));
        }
        return all;
    }

    private static Task<IReadOnlyList<string>> Names(IPage page) => page.Locator("table.grid tbody td.name").AllInnerTextsAsync();

    [Fact]
    public async Task Filters_are_chips_sort_and_keyset_paging_follow_the_url_and_j_k_enter_open_a_row()
    {
        var u = "L" + Guid.NewGuid().ToString("N")[..6];
        var seeded = await SeedNumberedAsync(u);
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/accounts?q={u}&size=10");
        await Expect(page.GetByTestId("match-count")).ToContainTextAsync("23 accounts");
        await Expect(page.Locator(".chip")).ToContainTextAsync(u);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{u} {i:00}"), await Names(page));

        // Keyset paging forwards and back; the URL keeps the position.
        await page.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 11");
        Assert.Contains("cursor=", page.Url);
        await page.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 21");
        Assert.Equal(3, (await Names(page)).Count);
        await Expect(page.Locator(".pager [aria-disabled='true']", new() { HasText = "Next" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Previous" }).ClickAsync();
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 11");
        Assert.Contains("before=", page.Url);
        await page.GetByRole(AriaRole.Link, new() { Name = "Previous" }).ClickAsync();
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 01");
        await Expect(page.Locator(".pager [aria-disabled='true']", new() { HasText = "Previous" })).ToBeVisibleAsync();

        // A filter from the menu becomes a chip; the grid swaps in place and the address bar follows.
        await page.GetByText("Filter", new() { Exact = true }).ClickAsync();
        await page.GetByLabel("Segment", new() { Exact = true }).SelectOptionAsync("enterprise");
        await Expect(page.GetByTestId("match-count")).ToContainTextAsync("11 accounts");
        await Expect(page.Locator(".chip", new() { HasText = "Segment" })).ToContainTextAsync("Enterprise");
        await page.WaitForURLAsync(new Regex("segment=enterprise"));
        await Expect(page.GetByLabel("Segment", new() { Exact = true })).ToBeVisibleAsync(); // the menu stays open for the next filter
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByLabel("Segment", new() { Exact = true })).ToBeHiddenAsync();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{u} {i * 2:00}"), await Names(page));

        // Sort by name descending, then newest first by created date.
        await page.Locator("th a[data-sort='name']").ClickAsync();
        await Expect(page.Locator("th[aria-sort='descending']")).ToContainTextAsync("Name");
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 22");
        Assert.Contains("sort=-name", page.Url);
        await page.Locator("th a[data-sort='createdAt']").ClickAsync();
        await Expect(page.Locator("th[aria-sort='descending']")).ToContainTextAsync("Created");
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 22");
        await page.Locator("th a[data-sort='createdAt']").ClickAsync();
        await Expect(page.Locator("th[aria-sort='ascending']")).ToContainTextAsync("Created");
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 02");

        // The state survives a reload: it is all in the URL.
        await page.ReloadAsync();
        await Expect(page.Locator(".chip", new() { HasText = "Segment" })).ToBeVisibleAsync();
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 02");

        // Removing the chip brings the other segment back.
        await page.Locator(".chip", new() { HasText = "Segment" }).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByTestId("match-count")).ToContainTextAsync("23 accounts");
        Assert.DoesNotContain("segment=", page.Url);

        // Keyboard: j/k move the selection, Enter opens the selected account.
        await page.Locator("h1").ClickAsync();
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("k");
        await Expect(page.Locator("table.grid tbody tr.selected td.name")).ToHaveTextAsync($"{u} 02");
        await page.Keyboard.PressAsync("Enter");
        var target = seeded.Single(a => a.Name == $"{u} 02");
        await page.WaitForURLAsync(f.BaseUrl + $"/accounts/{target.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"{u} 02");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Export_csv_has_exactly_the_rows_and_order_shown_with_the_filters_applied()
    {
        var u = "X" + Guid.NewGuid().ToString("N")[..6];
        await SeedNumberedAsync(u, 9);
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/accounts?q={u}&country=DE&sort=-createdAt");
        var shownNames = await Names(page);
        var shownDomains = await page.Locator("table.grid tbody tr td:nth-child(2)").AllInnerTextsAsync();
        Assert.Equal(6, shownNames.Count);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename);
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Where(l => l.Length > 0).ToList();
        Assert.Equal("id,name,domain,industry,segment,region,country,employees,owner,created_at,updated_at", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(shownNames, rows.Select(r => r[1]).ToList());
        Assert.Equal(shownDomains, rows.Select(r => r[2]).ToList());
        Assert.All(rows, r => Assert.Equal("DE", r[6]));
        Assert.All(rows, r => Assert.Equal("Ravi Patel", r[8]));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_rep_sees_only_their_accounts_and_an_empty_filter_result_says_what_to_do()
    {
        var u = "V" + Guid.NewGuid().ToString("N")[..6];
        await f.SeedAsync([new Account { Name = $"{u} mine", OwnerId = f.Rep.Id }, new Account { Name = $"{u} not mine", OwnerId = f.Admin.Id }]);
        var page = await f.SignedInAsync(f.Rep);
        await page.GotoAsync($"/accounts?q={u}");
        Assert.Equal([$"{u} mine"], await Names(page));
        await page.GotoAsync($"/accounts?q={u}&segment=enterprise");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No accounts match these filters" })).ToBeVisibleAsync();
        await page.GotoAsync("/accounts?sort=bogus");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("sort must be one of");
        await page.Context.CloseAsync();
    }
}
