using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class SignInTests(UiFixture f)
{
    [Fact]
    public async Task Wrong_password_shows_an_error_then_signing_in_lands_on_the_page_asked_for_and_sign_out_ends_the_session()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/settings");
        Assert.Contains("/login?ReturnUrl=%2Fsettings", page.Url);

        await page.GetByLabel("Email").FillAsync(f.Rep.Email!);
        await page.GetByLabel("Password").FillAsync("not the password at all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Email or password is wrong.");
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync(f.Rep.Email!);
        await Expect(page.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");

        await page.GetByLabel("Password").FillAsync(UiFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ArriveAtAsync(f.BaseUrl + "/settings");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings", Level = 1 })).ToBeVisibleAsync();

        await page.Locator(".user-menu summary").ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Sign out" }).ClickAsync();
        await page.ArriveAtAsync(f.BaseUrl + "/login");
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url);

        await page.GetByLabel("Email").FillAsync(f.Rep.Email!);
        await page.GetByLabel("Password").FillAsync(UiFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ArriveAtAsync(f.BaseUrl + "/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Ravi");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_with_a_clear_message()
    {
        var victim = await f.Server.CreateUserAsync($"locked{Guid.NewGuid():N}@example.com", RevLoop.Platform.Roles.Ae);
        var page = await f.NewPageAsync();
        await page.GotoAsync("/login");
        for (var i = 0; i < 5; i++)
        {
            await page.GetByLabel("Email").FillAsync(victim.Email!);
            await page.GetByLabel("Password").FillAsync($"wrong password {i}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Email or password is wrong.");
        }
        await page.GetByLabel("Email").FillAsync(victim.Email!);
        await page.GetByLabel("Password").FillAsync(UiFixture.Password);
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(), r => r.Url.EndsWith("/login", StringComparison.Ordinal));
        Assert.Equal(423, response.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked");
        Assert.Contains("/login", page.Url);
        await page.Context.CloseAsync();
    }
}
