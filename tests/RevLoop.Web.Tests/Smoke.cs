using Microsoft.Playwright;
namespace RevLoop.Web.Tests;
public class Smoke
{
    [Fact]
    public async Task Chromium_starts()
    {
        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        var page = await browser.NewPageAsync();
        await page.SetContentAsync("<h1>hi</h1>");
        Assert.Equal("hi", await page.InnerTextAsync("h1"));
    }
}
