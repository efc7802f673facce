using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

/// <summary>
/// The pipeline pages over four deals whose history is written through SaveChanges with the clock set back (the
/// analytics server holds no other deals): A 1,000 created 01-01 in Qualify, Propose 02-01, close 03-01 → 03-10 on 02-15,
/// won 03-10; B 800 created 01-05, 500 on 02-20, Propose 03-05; C 300 created 02-10, lost 03-01; D 200 created 03-05.
/// </summary>
[Collection(AnalyticsCollection.Name)]
public class PipelineAnalyticsTests(AnalyticsUiFixture f)
{
    private static Pipeline? seeded;
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private async Task<Pipeline> SeedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (seeded is not null) return seeded;
            var p = await f.PipelineAsync("Deals", ("Qualify", "open"), ("Propose", "open"), ("Won", "won"), ("Lost", "lost"));
            using var scope = f.Server.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            var origin = scope.ServiceProvider.GetRequiredService<ChangeOrigin>();
            (origin.Actor, origin.Source) = ($"user:{f.Rep.Id}", ChangeSources.Api);
            async Task At(string when, Action change)
            {
                f.Clock.Set(DateTimeOffset.Parse(when + ":00Z", System.Globalization.CultureInfo.InvariantCulture));
                try { change(); await db.SaveChangesAsync(); }
                finally { f.Clock.Reset(); }
            }
            var account = new Account { Name = "Pipelineco" };
            Opportunity Deal(string name, long minor, string close) => new()
            {
                Name = name, AccountId = account.Id, PipelineId = p.Id, StageId = p.Stage("Qualify").Id, AmountMinor = minor, Currency = "USD",
                CloseDate = DateOnly.Parse(close, System.Globalization.CultureInfo.InvariantCulture), OwnerId = f.Rep.Id,
            };
            var (a, b, c, d) = (Deal("Alpha", 100_000, "2026-03-01"), Deal("Bravo", 80_000, "2026-04-15"), Deal("Charlie", 30_000, "2026-05-01"), Deal("Delta", 20_000, "2026-06-01"));
            await At("2026-01-01T09:00", () => { db.Add(account); db.Add(a); });
            await At("2026-01-05T09:00", () => db.Add(b));
            await At("2026-02-01T10:00", () => a.StageId = p.Stage("Propose").Id);
            await At("2026-02-10T09:00", () => db.Add(c));
            await At("2026-02-15T10:00", () => a.CloseDate = new DateOnly(2026, 3, 10));
            await At("2026-02-20T10:00", () => { b.AmountMinor = 50_000; b.CloseDate = new DateOnly(2026, 4, 1); });
            await At("2026-03-01T10:00", () => { c.StageId = p.Stage("Lost").Id; c.LostAt = f.Clock.GetUtcNow(); c.LostReason = "price"; });
            await At("2026-03-05T09:00", () => db.Add(d));
            await At("2026-03-05T10:00", () => b.StageId = p.Stage("Propose").Id);
            await At("2026-03-10T10:00", () => { a.StageId = p.Stage("Won").Id; a.WonAt = f.Clock.GetUtcNow(); });
            return seeded = p;
        }
        finally { Gate.Release(); }
    }

    private static ILocator Cell(IPage page, string table, string row, string col) =>
        page.Locator($"table[data-testid='{table}'] tr[data-row='{row}'] td[data-col='{col}']");

    private static async Task ExpectDeals(IPage page, params string[] names)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("table[data-testid='deals'] tbody tr td:first-child")).ToHaveTextAsync(names);
    }

    [Fact]
    public async Task Dashboard_shows_the_sales_metrics_and_every_number_opens_its_deals()
    {
        await SeedAsync();
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/analytics/pipeline?from=2026-01-01&to=2026-03-31&period=month&groupBy=owner");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pipeline", Exact = true })).ToBeVisibleAsync();
        // Created 1,000 + 500 + 300 + 200; won A, lost C; open at 03-31 B and D (700), weighted B 500 x 20% + D 200 x 10%.
        await Expect(page.GetByTestId("kpi-generation").Locator(".stat-value")).ToHaveTextAsync("2,000.00");
        await Expect(page.GetByTestId("kpi-winrate").Locator(".stat-value")).ToHaveTextAsync("50.0%");
        await Expect(page.GetByTestId("kpi-deal-size").Locator(".stat-value")).ToHaveTextAsync("1,000.00");
        await Expect(page.GetByTestId("kpi-open").Locator(".stat-value")).ToHaveTextAsync("700.00");
        await Expect(page.GetByTestId("kpi-open").Locator(".stat-foot")).ToHaveTextAsync("2 deals; weighted 120.00");
        await Expect(page.Locator("#gen-chart svg")).ToBeVisibleAsync();
        await Expect(Cell(page, "trend", "2026-02", "created")).ToHaveTextAsync("1");
        await Expect(Cell(page, "trend", "2026-02", "open")).ToHaveTextAsync("3");
        await Expect(Cell(page, "groups", "Ravi Patel", "won")).ToHaveTextAsync("1");

        await Cell(page, "trend", "2026-02", "open").Locator("a").ClickAsync();
        await ExpectDeals(page, "Charlie", "Bravo", "Alpha");
        await page.GotoAsync("/analytics/pipeline?from=2026-01-01&to=2026-03-31");
        await page.GetByTestId("kpi-generation").ClickAsync();
        await ExpectDeals(page, "Delta", "Charlie", "Bravo", "Alpha");
    }

    [Fact]
    public async Task Funnel_and_waterfall_pages_drill_down_to_the_deals()
    {
        var p = await SeedAsync();
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/analytics/funnel?pipeline={p.Id}&from=2026-01-01&to=2026-03-31");
        string[] qualify = ["4", "2", "1", "1", "50.0%", "31.0", "45.0"];
        string[] cols = ["entered", "advanced", "lost", "still", "conversion", "median", "p75"];
        for (var i = 0; i < cols.Length; i++) await Expect(Cell(page, "funnel", "Qualify", cols[i])).ToHaveTextAsync(qualify[i]);
        await Expect(Cell(page, "funnel", "Propose", "advanced")).ToHaveTextAsync("1");
        await Cell(page, "funnel", "Qualify", "lost").Locator("a").ClickAsync();
        await ExpectDeals(page, "Charlie");

        await page.GotoAsync($"/analytics/waterfall?pipeline={p.Id}&from=2026-01-31&to=2026-03-31");
        await Expect(Cell(page, "waterfall", "start", "amount")).ToHaveTextAsync("1,800.00");
        await Expect(Cell(page, "waterfall", "new", "amount")).ToHaveTextAsync("200.00");
        await Expect(Cell(page, "waterfall", "decreased", "amount")).ToHaveTextAsync("300.00");
        await Expect(Cell(page, "waterfall", "won", "amount")).ToHaveTextAsync("1,000.00");
        await Expect(Cell(page, "waterfall", "end", "amount")).ToHaveTextAsync("700.00");
        await Expect(Cell(page, "asof", "Propose", "count")).ToHaveTextAsync("1");
        await Cell(page, "waterfall", "won", "count").Locator("a").ClickAsync();
        await ExpectDeals(page, "Alpha");
        await page.GoBackAsync();
        await Cell(page, "waterfall", "start", "count").Locator("a").ClickAsync();
        await ExpectDeals(page, "Alpha", "Bravo");
    }

    [Fact]
    public async Task Risk_list_and_board_cards_flag_the_deals_at_risk()
    {
        // Bravo sits in Propose since 03-05 (the stage's p75 is Alpha's 37 days) with its amount down from 800 to 500;
        // Delta sits in Qualify since 03-05 (p75 45 days); neither has an activity. Alpha is won, Charlie lost.
        var p = await SeedAsync();
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/analytics/risks?pipeline={p.Id}");
        var counts = page.GetByTestId("risk-counts");
        foreach (var (flag, count) in new[] { ("all", "2"), ("stalled", "2"), ("pushedOut", "0"), ("noActivity", "2"), ("amountDropped", "1") })
            await Expect(counts.Locator($"[data-flag='{flag}'] .stat-value")).ToHaveTextAsync(count);
        var rows = page.Locator("table[data-testid='risks'] tbody tr");
        Assert.Equal(["Bravo", "Delta"], await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.deal)"));
        await Expect(rows.Nth(0).Locator(".badge")).ToHaveTextAsync(["Stalled", "No activity", "Amount dropped"]);
        await Expect(rows.Nth(1).Locator(".badge")).ToHaveTextAsync(["Stalled", "No activity"]);
        await Expect(rows.Nth(0).Locator("td[data-col='pushes']")).ToHaveTextAsync("0");

        await counts.Locator("[data-flag='amountDropped']").ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("td.name")).ToHaveTextAsync("Bravo");
        await rows.Locator("td.name a").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Bravo");

        // The board marks the same deals on their cards once the flags arrive, linking to this list.
        await page.GotoAsync($"/pipeline/{p.Id}");
        await Expect(page.Locator(".board-card[data-name='Bravo'] .card-risks .badge")).ToHaveTextAsync(["Stalled", "No activity", "Amount dropped"]);
        await Expect(page.Locator(".board-card[data-name='Delta'] .card-risks .badge")).ToHaveTextAsync(["Stalled", "No activity"]);
        Assert.Equal($"/analytics/risks?pipeline={p.Id}", await page.Locator(".board-card[data-name='Bravo'] .card-risks").GetAttributeAsync("href"));
    }
}
