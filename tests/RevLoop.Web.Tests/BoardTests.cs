using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Opportunities;
using RevLoop.Platform;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class BoardTests(UiFixture f)
{
    private sealed record Seeded(Pipeline Pipeline, Account Account, string Currency, string NoRate, string U);

    /// <summary>
    /// A pipeline of its own: Qualify holds 1,000.50 + 2,000.00 USD and 1,000.00 in a test currency at 1.1 (= 1,100.00 USD)
    /// plus one deal in a currency without a rate; Propose holds 5,000.00 USD.
    /// </summary>
    private async Task<Seeded> SeedAsync()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var p = await f.PipelineAsync($"Board {u}", ("Qualify", "open"), ("Propose", "open"), ("Won", "won"), ("Lost", "lost"));
        var account = (await f.AddAsync(f.Admin, new Account { Name = $"Boardco {u}" }))[0];
        var code = "X" + (char)('A' + Random.Shared.Next(26)) + (char)('A' + Random.Shared.Next(26));
        var noRate = "Y" + (char)('A' + Random.Shared.Next(26)) + (char)('A' + Random.Shared.Next(26));
        await f.WithDbAsync(async db =>
        {
            if (!await db.Currencies.AnyAsync(c => c.Code == code)) db.Currencies.Add(new Currency { Code = code, Name = "Test money" });
            if (!await db.ExchangeRates.AnyAsync(r => r.CurrencyCode == code)) db.ExchangeRates.Add(new ExchangeRate { CurrencyCode = code, Date = new DateOnly(2020, 1, 1), Rate = 1.1m });
            return await db.SaveChangesAsync();
        });
        Opportunity Deal(string name, string stage, long minor, string currency = "USD", DateOnly? close = null) => new()
        {
            Name = $"{name} {u}", AccountId = account.Id, PipelineId = p.Id, StageId = p.Stage(stage).Id, AmountMinor = minor, Currency = currency, CloseDate = close, OwnerId = f.Rep.Id,
        };
        await f.AddAsync(f.Admin,
            Deal("Alpha", "Qualify", 100_050, close: new DateOnly(2027, 1, 5)),
            Deal("Bravo", "Qualify", 200_000, close: null),
            Deal("Charlie", "Qualify", 100_000, code, new DateOnly(2027, 2, 1)),
            Deal("Delta", "Qualify", 50_000, noRate, new DateOnly(2027, 3, 1)),
            Deal("Echo", "Propose", 500_000, close: new DateOnly(2027, 1, 20)));
        return new Seeded(p, account, code, noRate, u);
    }

    private static ILocator Column(IPage page, string name) => page.GetByTestId($"column-{name}");
    private static ILocator Card(IPage page, string name) => page.Locator(".board-card", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }) });

    [Fact]
    public async Task Columns_show_exact_counts_and_base_currency_sums_that_link_to_the_deals_behind_them()
    {
        var s = await SeedAsync();
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/pipeline/{s.Pipeline.Id}");
        await Expect(page.Locator(".board-col h2")).ToHaveTextAsync([new Regex("^Qualify"), new Regex("^Propose"), new Regex("^Won"), new Regex("^Lost")]);
        await Expect(Column(page, "Qualify").GetByTestId("count")).ToHaveTextAsync("4");
        await Expect(Column(page, "Qualify").GetByTestId("sum")).ToHaveTextAsync("4,100.50 USD");
        await Expect(Column(page, "Qualify").Locator(".col-note")).ToHaveTextAsync($"Not in the sum (no exchange rate): 1 in {s.NoRate}");
        await Expect(Column(page, "Propose").GetByTestId("count")).ToHaveTextAsync("1");
        await Expect(Column(page, "Propose").GetByTestId("sum")).ToHaveTextAsync("5,000.00 USD");
        await Expect(Column(page, "Won").GetByTestId("count")).ToHaveTextAsync("0");
        // Cards by close date, undated last.
        await Expect(Column(page, "Qualify").Locator(".card-name")).ToHaveTextAsync([$"Alpha {s.U}", $"Charlie {s.U}", $"Delta {s.U}", $"Bravo {s.U}"]);
        await Expect(Card(page, $"Alpha {s.U}")).ToContainTextAsync("1,000.50 USD");
        await Expect(Card(page, $"Alpha {s.U}")).ToContainTextAsync($"Boardco {s.U}");
        await Expect(Card(page, $"Alpha {s.U}")).ToContainTextAsync("5 Jan 2027");
        await Expect(Card(page, $"Alpha {s.U}")).ToContainTextAsync("Ravi Patel");

        // A close-period filter narrows both the numbers and the cards, and the URL keeps it.
        await page.GetByLabel("Closes to").FillAsync("2027-01-31");
        await page.GetByLabel("Closes to").DispatchEventAsync("change");
        await Expect(Column(page, "Qualify").GetByTestId("count")).ToHaveTextAsync("1");
        await Expect(Column(page, "Qualify").GetByTestId("sum")).ToHaveTextAsync("1,000.50 USD");
        await Expect(page).ToHaveURLAsync(new Regex($"/pipeline/{s.Pipeline.Id}\\?closeTo=2027-01-31$"));

        await Column(page, "Propose").GetByTestId("count").ClickAsync();
        await page.WaitForURLAsync(new Regex("/opportunities\\?"));
        await Expect(page.GetByTestId("match-count")).ToHaveTextAsync("1 opportunity");
        await Expect(page.Locator("table.grid tbody td.name")).ToHaveTextAsync([$"Echo {s.U}"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Dragging_a_card_changes_its_stage_through_the_rules_and_the_history_shows_it()
    {
        var s = await SeedAsync();
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/pipeline/{s.Pipeline.Id}");

        // Bravo has no close date: Propose needs one, so the card snaps back with the reason.
        await Card(page, $"Bravo {s.U}").DragToAsync(Column(page, "Propose"));
        await Expect(page.Locator("#board-error")).ToHaveTextAsync($"“Bravo {s.U}” was not moved: Close date is required from stage 'Propose' on.");
        await Expect(Column(page, "Qualify").Locator(".card-name")).ToHaveTextAsync([$"Alpha {s.U}", $"Charlie {s.U}", $"Delta {s.U}", $"Bravo {s.U}"]);

        await Card(page, $"Alpha {s.U}").DragToAsync(Column(page, "Propose"));
        await Expect(page.Locator("#board-status")).ToHaveTextAsync($"Moved “Alpha {s.U}” to Propose.");
        await Expect(Column(page, "Qualify").GetByTestId("count")).ToHaveTextAsync("3");
        await Expect(Column(page, "Qualify").GetByTestId("sum")).ToHaveTextAsync("3,100.00 USD");
        await Expect(Column(page, "Propose").GetByTestId("count")).ToHaveTextAsync("2");
        await Expect(Column(page, "Propose").GetByTestId("sum")).ToHaveTextAsync("6,000.50 USD");
        var alpha = await f.WithDbAsync(db => db.Opportunities.AsNoTracking().SingleAsync(o => o.Name == $"Alpha {s.U}"));
        Assert.Equal(s.Pipeline.Stage("Propose").Id, alpha.StageId);
        var change = await f.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityType == "opportunity" && c.EntityId == alpha.Id && c.Field == "StageId")
            .OrderByDescending(c => c.Id).FirstAsync());
        Assert.Equal((s.Pipeline.Stage("Qualify").Id.ToString(), s.Pipeline.Stage("Propose").Id.ToString(), ChangeSources.Ui, $"user:{f.Admin.Id}"),
            (change.OldValue, change.NewValue, change.Source, change.ChangedBy));

        await page.GotoAsync($"/opportunities/{alpha.Id}");
        var latest = page.Locator("#timeline .tl-item").First;
        await Expect(latest).ToContainTextAsync("Ada Lovelace changed");
        await Expect(latest.Locator("li", new() { HasText = "Stage" }).Locator(".tl-old")).ToHaveTextAsync("Qualify");
        await Expect(latest.Locator("li", new() { HasText = "Stage" }).Locator(".tl-new")).ToHaveTextAsync("Propose");
        await Expect(latest).ToContainTextAsync("via web");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Moving_to_lost_asks_for_the_reason_and_the_move_menu_works_from_the_keyboard()
    {
        var s = await SeedAsync();
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/pipeline/{s.Pipeline.Id}");

        // A post from elsewhere with the session cookie but without the page's antiforgery token changes nothing.
        var echoId = await f.WithDbAsync(db => db.Opportunities.Where(o => o.Name == $"Echo {s.U}").Select(o => o.Id).SingleAsync());
        var form = page.Context.APIRequest.CreateFormData();
        form.Set("stageId", s.Pipeline.Stage("Lost").Id.ToString());
        form.Set("lostReason", "forged");
        var forged = await page.Context.APIRequest.PostAsync($"/ui/opportunities/{echoId}/stage", new() { Form = form });
        Assert.Equal(400, forged.Status);
        Assert.Equal(s.Pipeline.Stage("Propose").Id, await f.WithDbAsync(db => db.Opportunities.Where(o => o.Id == echoId).Select(o => o.StageId).SingleAsync()));

        await Card(page, $"Echo {s.U}").DragToAsync(Column(page, "Lost"));
        var dialog = page.Locator("#lost-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync($"“Echo {s.U}” moves to Lost. A lost deal needs its reason.");
        // Cancelling leaves the deal where it was.
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.Locator("#board-error")).ToHaveTextAsync($"“Echo {s.U}” was not moved: a lost deal needs a lost reason.");
        await Expect(Column(page, "Propose").Locator(".card-name")).ToHaveTextAsync([$"Echo {s.U}"]);
        Assert.Null(await f.WithDbAsync(db => db.Opportunities.AsNoTracking().Where(o => o.Name == $"Echo {s.U}").Select(o => o.LostReason).SingleAsync()));

        // Keyboard: open the card's Move menu and pick Lost, then give the reason.
        await Card(page, $"Echo {s.U}").Locator("summary").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Card(page, $"Echo {s.U}").GetByRole(AriaRole.Menuitem, new() { Name = "Lost" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog).ToBeVisibleAsync();
        await page.GetByLabel("Lost reason").FillAsync("Chose a competitor");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#board-status")).ToHaveTextAsync($"Moved “Echo {s.U}” to Lost.");
        await Expect(Column(page, "Lost").GetByTestId("count")).ToHaveTextAsync("1");
        await Expect(Column(page, "Lost").GetByTestId("sum")).ToHaveTextAsync("5,000.00 USD");
        await Expect(Column(page, "Propose").GetByTestId("count")).ToHaveTextAsync("0");
        var echo = await f.WithDbAsync(db => db.Opportunities.AsNoTracking().SingleAsync(o => o.Name == $"Echo {s.U}"));
        Assert.Equal((s.Pipeline.Stage("Lost").Id, "Chose a competitor", ForecastCategories.Omitted), (echo.StageId, echo.LostReason, echo.ForecastCategory));
        await page.Context.CloseAsync();
    }
}
