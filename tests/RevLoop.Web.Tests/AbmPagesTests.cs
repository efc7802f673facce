using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class AbmPagesTests(UiFixture f)
{
    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{r.RequestMessage?.RequestUri} -> {(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task A_target_list_is_created_filled_by_pasting_domains_and_shows_engagement_that_drills_down_to_people_and_touches()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        using var api = await f.Server.ClientForAsync(f.Admin);
        var acme = (await Json(await api.PostAsJsonAsync("/api/v1/accounts", new { name = $"Acme {u}", domain = $"acme-{u}.example", ownerId = f.Admin.Id }))).GetProperty("id").GetGuid();
        await Json(await api.PostAsJsonAsync("/api/v1/accounts", new { name = $"Globex {u}", domain = $"globex-{u}.example", ownerId = f.Admin.Id }));
        var webinar = (await Json(await api.PostAsJsonAsync("/api/v1/campaigns", new { name = $"Webinar {u}", type = "webinar" }))).GetProperty("id").GetGuid();
        var jane = (await Json(await api.PostAsJsonAsync("/api/v1/contacts", new { firstName = "Jane", lastName = $"Doe{u}", accountId = acme, ownerId = f.Admin.Id })))
            .GetProperty("contact").GetProperty("id").GetGuid();
        var now = f.Clock.GetUtcNow();
        await Json(await api.PostAsJsonAsync("/api/v1/events", new
        {
            events = new object[]
            {
                new { id = $"abm-{u}-1", type = "demo_request", contactId = jane, occurredAt = now.AddDays(-2).ToString("O") },
                new { id = $"abm-{u}-2", type = "webinar_attended", contactId = jane, campaignId = webinar, occurredAt = now.AddDays(-10).ToString("O") },
                new { id = $"abm-{u}-3", type = "page_view", contactId = jane, url = "/pricing", occurredAt = now.AddDays(-11).ToString("O") },
            },
        }));

        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/");
        await page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "Target accounts" }).ClickAsync();
        await page.ArriveAtAsync(f.BaseUrl + "/marketing/abm");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Target accounts");

        // The list is made in the form: a missing name is named next to its field.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create list" }).ClickAsync();
        await Expect(page.Locator("#err-name")).ToHaveTextAsync("Name is required.");
        await page.GetByLabel("Name").FillAsync($"Strategic {u}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create list" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/marketing/abm/[0-9a-f-]{36}\\?created=true$"));
        var listId = Regex.Match(page.Url, "/marketing/abm/([0-9a-f-]{36})").Groups[1].Value;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Strategic {u}");
        await Expect(page.GetByTestId("no-accounts")).ToBeVisibleAsync();

        // Accounts are added by pasting domains and names; what matches nothing is listed by line.
        await page.GetByLabel("Domains or company names").FillAsync($"https://www.acme-{u}.example/\nGlobex {u} Inc\nnobody-{u}.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to list" }).ClickAsync();
        await Expect(page.GetByTestId("add-result")).ToContainTextAsync("Added 2, already on the list 0, not found 1.");
        await Expect(page.GetByTestId("add-result")).ToContainTextAsync($"Line 3: nobody-{u}.example");

        // A deal created once Acme is on the list counts: 1,500 USD open.
        var pipeline = await Json(await api.PostAsJsonAsync("/api/v1/pipelines", new { name = $"ABM {u}", stages = new[] { new { name = "Open", type = "open" }, new { name = "Won", type = "won" }, new { name = "Lost", type = "lost" } } }));
        await Json(await api.PostAsJsonAsync("/api/v1/opportunities", new
        {
            name = $"Acme deal {u}", accountId = acme, pipelineId = pipeline.GetProperty("id").GetGuid(), stageId = pipeline.GetProperty("stages")[0].GetProperty("id").GetGuid(),
            amount = 1500m, currency = "USD", closeDate = now.AddDays(30).ToString("yyyy-MM-dd"), ownerId = f.Admin.Id,
        }));
        await page.GotoAsync($"/marketing/abm/{listId}");
        // Totals: 2 accounts, 1 engaged with 1 person; demo request 30 + webinar 15 + page view 1 = 46 points from 3 touches.
        await Expect(page.GetByTestId("total-accounts")).ToHaveTextAsync("2");
        await Expect(page.GetByTestId("total-engaged")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("total-people")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("abm-totals")).ToContainTextAsync("3 touches, 46 points");
        await Expect(page.GetByTestId("total-pipeline")).ToHaveTextAsync("1,500 USD");
        await Expect(page.GetByTestId("total-pipeline")).ToHaveAttributeAsync("title", "1,500.00 USD");
        await Expect(page.GetByTestId("total-won")).ToHaveTextAsync("0 USD");
        var rows = page.GetByTestId("abm-accounts").Locator("tbody tr");
        await Expect(rows.Locator("td:first-child")).ToHaveTextAsync([$"Acme {u}", $"Globex {u}"]);
        await Expect(rows.First.GetByTestId("score")).ToHaveTextAsync("46");
        await Expect(rows.First.GetByTestId("people")).ToHaveTextAsync("1");
        await Expect(rows.First.GetByTestId("pipeline")).ToHaveTextAsync("1,500.00 USD");
        await Expect(rows.First.Locator("td.campaign-links a")).ToHaveTextAsync([$"Webinar {u}"]);
        await Expect(page.Locator("#abm-chart svg")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("abm-campaigns").Locator("tbody tr td")).ToHaveTextAsync([$"Webinar {u}", "1", "1,500.00 USD"]);

        // The people number drills down to the person and their touches, with the points each one earned.
        await rows.First.GetByTestId("people").ClickAsync();
        await page.WaitForURLAsync(new Regex($"/marketing/abm/{listId}/accounts/{acme}#people$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Acme {u}");
        await Expect(page.GetByTestId("account-score")).ToHaveTextAsync("46");
        await Expect(page.GetByTestId("abm-people").Locator("tbody tr td:first-child")).ToHaveTextAsync([$"Jane Doe{u}"]);
        await Expect(page.GetByTestId("abm-events").Locator("tbody tr td:nth-child(2)")).ToHaveTextAsync(["Demo request", "Webinar attended", "Page view"]);
        await Expect(page.GetByTestId("abm-events").Locator("tbody tr td:nth-child(3)")).ToHaveTextAsync(["30", "15", "1"]);
        await Expect(page.GetByTestId("abm-opportunities").Locator("tbody tr td")).ToHaveTextAsync([$"Acme deal {u}", "Open", "1,500.00 USD"]);
        if (Environment.GetEnvironmentVariable("REVLOOP_ABM_SHOT") is { Length: > 0 } accountShot)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = accountShot.Replace(".png", "-account.png", StringComparison.Ordinal), FullPage = true });
        await page.GetByTestId("abm-people").GetByRole(AriaRole.Link, new() { Name = $"Jane Doe{u}" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/contacts/{jane}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Jane Doe{u}");

        // A shorter window leaves the older touches out; taking an account off the list updates the totals.
        await page.GotoAsync($"/marketing/abm/{listId}?days=7");
        await Expect(rows.First.GetByTestId("score")).ToHaveTextAsync("30");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove Globex {u}" }).ClickAsync();
        await Expect(page.GetByTestId("total-accounts")).ToHaveTextAsync("1");
        Assert.Contains("days=7", page.Url);
        if (Environment.GetEnvironmentVariable("REVLOOP_ABM_SHOT") is { Length: > 0 } shot)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });

        await page.GotoAsync("/marketing/abm");
        var listed = page.GetByTestId("target-lists").Locator("tr", new() { HasText = $"Strategic {u}" });
        await Expect(listed.GetByTestId("list-accounts")).ToHaveTextAsync("1");
        await page.Context.CloseAsync();
    }
}
