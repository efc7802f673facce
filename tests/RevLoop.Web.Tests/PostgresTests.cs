using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

public sealed class PostgresUiFixture : UiFixture
{
    protected override string Provider => "postgres";
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresUiFixture>
{
    public const string Name = "ui-postgres";
}

/// <summary>The main flow once more on PostgreSQL: sign in, create with a validation error, filter and page, stale edit.</summary>
[Collection(PostgresCollection.Name)]
public class PostgresTests(PostgresUiFixture f)
{
    [Fact]
    public async Task Main_flow_works_on_PostgreSQL()
    {
        var u = "G" + Guid.NewGuid().ToString("N")[..6];
        var start = f.Clock.GetUtcNow().AddDays(-1);
        for (var i = 1; i <= 12; i++)
            await f.SeedAsync([new Account { Name = $"{u} {i:00}", Segment = i % 2 == 0 ? "enterprise" : "smb", OwnerId = f.Admin.Id }], by: f.Admin, at: start.AddMinutes(i));

        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/accounts/new");
        await page.GetByLabel("Name").FillAsync($"{u} 13");
        await page.GetByLabel("Domain").FillAsync("not a domain");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator(".field[data-field='domain'] .field-error")).ToContainTextAsync("is not a domain name");
        await page.GetByLabel("Domain").FillAsync($"{u}.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"\?created=true$"));

        await page.GotoAsync($"/accounts?q={u}&size=5&sort=-name");
        await Expect(page.GetByTestId("match-count")).ToContainTextAsync("13 accounts");
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 13");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 08");
        await page.GetByRole(AriaRole.Link, new() { Name = "Previous" }).ClickAsync();
        await Expect(page.Locator("table.grid tbody td.name").First).ToHaveTextAsync($"{u} 13");

        var id = await f.WithDbAsync(db => db.Accounts.Where(a => a.Name == $"{u} 05").Select(a => a.Id).SingleAsync());
        await page.GotoAsync($"/accounts/{id}/edit");
        await page.GetByLabel("Region").FillAsync("APAC");
        await f.EditAsAsync(f.Manager, id, a => a.Region = "AMER");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("conflict")).ToContainTextAsync("Region from empty to AMER");
        await Expect(page.GetByLabel("Region")).ToHaveValueAsync("APAC");
        Assert.Equal("AMER", await f.WithDbAsync(db => db.Accounts.Where(a => a.Id == id).Select(a => a.Region).SingleAsync()));
        await page.Context.CloseAsync();
    }
}
