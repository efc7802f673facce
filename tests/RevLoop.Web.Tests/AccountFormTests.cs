using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(AccountsCollection.Name)]
public partial class AccountFormTests(AccountsUiFixture f)
{
    [Fact]
    public async Task New_account_shows_the_error_next_to_the_field_keeps_the_input_and_then_creates()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/accounts/new");
        await page.GetByLabel("Name").FillAsync($"Zephyr Labs {u}");
        await page.GetByLabel("Country").FillAsync("Germany");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        var country = page.Locator(".field[data-field='country']");
        await Expect(country.Locator(".field-error")).ToContainTextAsync("two-letter code");
        await Expect(page.GetByLabel("Country")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync($"Zephyr Labs {u}");
        Assert.Equal(0, await f.WithDbAsync(db => db.Accounts.CountAsync(a => a.Name == $"Zephyr Labs {u}")));

        await page.GetByLabel("Country").FillAsync("de");
        await page.GetByLabel("Domain").FillAsync($"https://www.zephyr-{u}.io/pricing");
        await page.GetByLabel("Employees").FillAsync("250");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await page.WaitForURLAsync(AccountUrl());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Zephyr Labs {u}");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Account created");
        await Expect(page.Locator(".record-head")).ToContainTextAsync($"zephyr-{u}.io");
        await Expect(page.Locator(".record-head")).ToContainTextAsync("Mid-market");
        var saved = await f.WithDbAsync(db => db.Accounts.SingleAsync(a => a.Name == $"Zephyr Labs {u}"));
        Assert.Equal(("DE", $"zephyr-{u}.io", "mid_market", f.Admin.Id), (saved.Country, saved.Domain, saved.Segment, saved.OwnerId));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_stale_edit_shows_what_changed_meanwhile_keeps_both_values_and_the_timeline_shows_every_change()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var account = (await f.SeedAsync([new Account { Name = $"Conflict Corp {u}", Domain = $"old-{u}.com", Country = "FR", OwnerId = f.Rep.Id }],
            by: f.Rep, at: f.Clock.GetUtcNow().AddDays(-2)))[0];
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/accounts/{account.Id}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/edit"));
        await page.GetByLabel("Domain").FillAsync($"mine-{u}.com");
        await page.GetByLabel("Industry").FillAsync("Software");

        // Meanwhile a colleague changes the domain through the API.
        await f.EditAsAsync(f.Manager, account.Id, a => a.Domain = $"theirs-{u}.com");

        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        var conflict = page.GetByTestId("conflict");
        await Expect(conflict).ToContainTextAsync("changed while you were editing");
        await Expect(conflict).ToContainTextAsync("Maria Rossi changed");
        await Expect(conflict).ToContainTextAsync($"Domain from old-{u}.com to theirs-{u}.com");
        await Expect(conflict).ToContainTextAsync("via API");
        // Both values: mine stays in the input, theirs is shown next to it; nothing was overwritten.
        await Expect(page.GetByLabel("Domain")).ToHaveValueAsync($"mine-{u}.com");
        await Expect(page.GetByLabel("Industry")).ToHaveValueAsync("Software");
        await Expect(page.Locator(".field[data-field='domain'] .conflict-note")).ToContainTextAsync($"theirs-{u}.com");
        var stored = await f.WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync(a => a.Id == account.Id));
        Assert.Equal(($"theirs-{u}.com", null, 2L), (stored.Domain, stored.Industry, stored.Version));

        // Saving again is a deliberate choice: now it replaces the saved values.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"\?saved=true"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Changes saved");
        stored = await f.WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync(a => a.Id == account.Id));
        Assert.Equal(($"mine-{u}.com", "Software", 3L), (stored.Domain, stored.Industry, stored.Version));

        var items = page.Locator("#timeline .tl-item");
        await Expect(items).ToHaveCountAsync(3);
        await Expect(items.Nth(0)).ToContainTextAsync("Ada Lovelace");
        await Expect(items.Nth(0)).ToContainTextAsync("changed 2 fields");
        await Expect(items.Nth(0)).ToContainTextAsync("via web");
        await Expect(items.Nth(0).Locator(".tl-old").First).ToHaveTextAsync($"theirs-{u}.com");
        await Expect(items.Nth(0).Locator(".tl-new").First).ToHaveTextAsync($"mine-{u}.com");
        await Expect(items.Nth(1)).ToContainTextAsync("Maria Rossi");
        await Expect(items.Nth(1)).ToContainTextAsync("via API");
        await Expect(items.Nth(2)).ToContainTextAsync("Ravi Patel");
        await Expect(items.Nth(2)).ToContainTextAsync("created the account");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Delete_asks_for_confirmation_then_removes_the_account_from_the_list()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var account = (await f.SeedAsync([new Account { Name = $"Doomed {u}", OwnerId = f.Admin.Id }], by: f.Admin))[0];
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/accounts/{account.Id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = $"Delete “Doomed {u}”?" });
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete account" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/accounts\?deleted="));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Deleted “Doomed {u}”");
        Assert.NotNull(await f.WithDbAsync(db => db.Accounts.IgnoreQueryFilters().Where(a => a.Id == account.Id).Select(a => a.DeletedAt).SingleAsync()));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_timeline_pages_back_through_older_changes()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var account = (await f.SeedAsync([new Account { Name = $"Busy {u}", Employees = 0, OwnerId = f.Admin.Id }], by: f.Admin, at: f.Clock.GetUtcNow().AddDays(-50)))[0];
        for (var i = 1; i <= 44; i++)
        {
            f.Clock.Set(f.Clock.GetUtcNow().AddDays(-50).AddHours(i));
            await f.EditAsAsync(f.Manager, account.Id, a => a.Employees = i);
        }
        f.Clock.Reset();
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/accounts/{account.Id}");
        var items = page.Locator("#timeline .tl-item");
        await Expect(items).ToHaveCountAsync(40);
        await Expect(items.First).ToContainTextAsync("43");
        await page.GetByRole(AriaRole.Link, new() { Name = "Show older changes" }).ClickAsync();
        await Expect(items).ToHaveCountAsync(45);
        await Expect(items.Last).ToContainTextAsync("created the account");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Show older changes" })).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    private Regex AccountUrl() => new(Regex.Escape(f.BaseUrl) + @"/accounts/[0-9a-f-]{36}\?created=true$");
}
