using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class DuplicateMergeTests(UiFixture f)
{
    [Fact]
    public async Task The_account_page_hints_at_a_duplicate_and_the_merge_screen_keeps_the_picked_values()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var domain = $"umbra-{u}.com";
        var seeded = await f.SeedAsync([new Account { Name = $"Umbra {u}", Domain = domain, Country = "DE", OwnerId = f.Rep.Id, Tags = "vip" }], by: f.Rep, at: f.Clock.GetUtcNow().AddDays(-3));
        var survivor = seeded[0];
        var duplicate = (await f.SeedAsync([new Account { Name = $"Umbra Holdings {u}", Domain = domain, Country = "FR", Industry = "Biotech", Tags = "emea,partner" }], by: f.Admin))[0];
        var page = await f.SignedInAsync(f.Admin);

        await page.GotoAsync($"/accounts/{survivor.Id}");
        var hint = page.GetByTestId("possible-duplicates");
        await Expect(hint).ToContainTextAsync($"Umbra Holdings {u}");
        await Expect(hint).ToContainTextAsync("same domain");

        // The review page lists the pair under the shared domain, the older account proposed as the one kept.
        await page.GotoAsync("/duplicates?rule=accounts-domain");
        var group = page.Locator($".duplicate-group[data-key='{domain}']");
        await Expect(group.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(group.Locator("tbody tr").First).ToContainTextAsync("oldest: kept");
        await group.GetByRole(AriaRole.Link, new() { Name = $"Merge Umbra Holdings {u} into Umbra {u}" }).ClickAsync();

        await page.WaitForURLAsync(new Regex($"/duplicates/merge/account/{survivor.Id}/{duplicate.Id}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Merge “Umbra Holdings {u}” into “Umbra {u}”");
        await Expect(page.Locator("tr[data-field='domain']")).ToContainTextAsync("same in both");
        // Survivor's value by default, the duplicate's where the survivor has none.
        await Expect(page.Locator("input[name='pick.country'][value='survivor']")).ToBeCheckedAsync();
        await Expect(page.Locator("input[name='pick.industry'][value='duplicate']")).ToBeCheckedAsync();
        await page.GetByLabel($"Name: take Umbra Holdings {u}").CheckAsync();
        // Tags side by side too: here the merged record's set is kept.
        await Expect(page.Locator("tr[data-field='tags'] td").Nth(0)).ToHaveTextAsync("vip");
        await Expect(page.Locator("tr[data-field='tags'] td").Nth(1)).ToHaveTextAsync("emea, partner");
        await page.GetByLabel("Tags: take emea, partner").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Merge", Exact = true }).ClickAsync();

        await page.WaitForURLAsync(new Regex($"/accounts/{survivor.Id}\\?merged="));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Merged “Umbra Holdings {u}” into this account");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Umbra Holdings {u}");
        await Expect(page.GetByTestId("possible-duplicates")).ToHaveCountAsync(0);
        await Expect(page.Locator("#timeline .tl-item").First).ToContainTextAsync("merge");

        var (kept, gone) = await f.WithDbAsync(async db => (
            await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == survivor.Id),
            await db.Accounts.IgnoreQueryFilters().AsNoTracking().SingleAsync(a => a.Id == duplicate.Id)));
        Assert.Equal(($"Umbra Holdings {u}", domain, "DE", "Biotech", f.Rep.Id, "emea,partner"), (kept.Name, kept.Domain, kept.Country, kept.Industry, kept.OwnerId, kept.Tags));
        Assert.Equal((survivor.Id, true), (gone.MergedIntoId, gone.DeletedAt is not null));

        // The merged account's address now says so instead of offering a merge.
        await page.GotoAsync($"/duplicates/merge/account/{survivor.Id}/{duplicate.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nothing to merge here" })).ToBeVisibleAsync();
        await page.GotoAsync($"/accounts/{duplicate.Id}");
        await Expect(page.Locator(".empty")).ToContainTextAsync($"It was merged into Umbra Holdings {u}");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Umbra Holdings {u}" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/accounts/{survivor.Id}$"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Settings_set_the_default_calling_code_of_national_phone_numbers()
    {
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/settings");
        await page.GetByLabel("Phone country prefix").FillAsync("0044");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.Locator(".field[data-field='defaultCallingCode'] .field-error")).ToContainTextAsync("1 to 3 digits");

        await page.GetByLabel("Phone country prefix").FillAsync("44");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"\?saved="));
        await Expect(page.GetByLabel("Phone country prefix")).ToHaveValueAsync("+44");
        Assert.Equal("44", await f.WithDbAsync(db => db.CompanySettings.Select(s => s.DefaultCallingCode).SingleAsync()));

        await page.GetByLabel("Phone country prefix").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"\?saved="));
        Assert.Null(await f.WithDbAsync(db => db.CompanySettings.Select(s => s.DefaultCallingCode).SingleAsync()));
        await page.Context.CloseAsync();
    }
}
