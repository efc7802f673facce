using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class UnsubscribePageTests(UiFixture f)
{
    [Fact]
    public async Task A_person_unsubscribes_from_the_link_in_an_email_without_signing_in()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var api = await f.Server.AdminClientAsync();
        var lead = (await (await api.PostAsJsonAsync("/api/v1/leads", new { firstName = "Una", lastName = $"Sub{u}", email = $"una{u}@example.com" })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("id").GetGuid();
        var link = (await (await api.PostAsJsonAsync("/api/v1/consent/unsubscribe-links", new { leadId = lead })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("url").GetString()!;

        var page = await f.NewPageAsync();
        try
        {
            await page.GotoAsync(link);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Unsubscribe from email?" })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("unsubscribe")).ToContainTextAsync("u********@example.com will get no more marketing email");
            Assert.Equal("unknown", await f.WithDbAsync(db => db.Leads.Where(l => l.Id == lead).Select(l => l.EmailConsent).SingleAsync()));
            await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are unsubscribed" })).ToBeVisibleAsync();
            Assert.Equal("opted_out", await f.WithDbAsync(db => db.Leads.Where(l => l.Id == lead).Select(l => l.EmailConsent).SingleAsync()));
        }
        finally { await page.Context.CloseAsync(); }
    }
}
