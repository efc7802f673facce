using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Opportunities;
using RevLoop.Metrics;
using RevLoop.Platform;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

[Collection(UiCollection.Name)]
public class ForecastingPagesTests(UiFixture f)
{
    [Fact]
    public async Task Targets_grid_apm_cells_drill_down_actions_export_and_a_reps_forecast_submission()
    {
        var u = Guid.NewGuid().ToString("N")[..6];
        var region = $"R-{u}";
        var rep = await f.Server.CreateUserAsync($"fc{u}@example.com", Roles.Ae);
        var today = DateOnly.FromDateTime(f.Clock.GetUtcNow().UtcDateTime);
        var fyStart = await f.WithDbAsync(db => db.CompanySettings.Select(s => s.FiscalYearStartMonth).FirstOrDefaultAsync());
        var q = FiscalPeriod.Containing(today, FiscalPeriodKind.Quarter, fyStart == 0 ? 1 : fyStart);
        var pipeline = await f.PipelineAsync($"Forecast {u}", ("Qualify", StageTypes.Open), ("Won", StageTypes.Won), ("Lost", StageTypes.Lost));
        var account = (await f.SeedAsync([new Account { Name = $"Forecast account {u}", OwnerId = rep.Id }]))[0];
        await f.AddAsync(rep,
            new Opportunity { Name = $"Won {u}", AccountId = account.Id, PipelineId = pipeline.Id, StageId = pipeline.Stage("Won").Id, AmountMinor = 100_000, Currency = "USD",
                CloseDate = q.Start, WonAt = f.Clock.GetUtcNow(), ForecastCategory = ForecastCategories.Closed, Region = region, OwnerId = rep.Id },
            new Opportunity { Name = $"Commit {u}", AccountId = account.Id, PipelineId = pipeline.Id, StageId = pipeline.Stage("Qualify").Id, AmountMinor = 200_000, Currency = "USD",
                CloseDate = q.End.AddDays(-1), ForecastCategory = ForecastCategories.Commit, Region = region, OwnerId = rep.Id });

        var page = await f.SignedInAsync(f.Admin);
        try
        {
            // Targets: the region's bookings target for the quarter, set in the grid.
            await page.GotoAsync($"/settings/targets?period={q.Label}");
            await page.GetByLabel($"{region} bookings").FillAsync("10000");
            await page.GetByLabel($"{region} generation").FillAsync("abc");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save targets" }).ClickAsync();
            await Expect(page.GetByTestId("general-error")).ToContainTextAsync("must be an amount");
            Assert.Equal(0, await f.WithDbAsync(db => db.Targets.CountAsync(t => t.Subject == region)));
            await page.GetByLabel($"{region} generation").FillAsync("");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save targets" }).ClickAsync();
            await Expect(page.GetByTestId("saved")).ToContainTextAsync($"1 target(s) of {q.Label} saved.");
            Assert.Equal(1_000_000, await f.WithDbAsync(db => db.Targets.Where(t => t.Subject == region).Select(t => t.AmountMinor).SingleAsync()));

            // The matrix: forecast 1,000 won + 2,000 commit = 30 % of 10,000; closed 10 % (red whenever more than an eighth of the quarter is gone).
            await page.GotoAsync($"/apm?dimension=region&period={q.Label}");
            var row = page.Locator($"table.apm tbody tr[data-value='{region}']");
            await Expect(row.Locator("td[data-col='forecast']")).ToHaveTextAsync("3,000.00");
            await Expect(row.Locator("td[data-col='forecast_pct']")).ToHaveTextAsync("30 %");
            await Expect(row.Locator("td[data-col='forecast']")).ToHaveAttributeAsync("data-status", "red");
            await Expect(row.Locator("td[data-col='closed_pct']")).ToHaveTextAsync("10 %");
            await Expect(row.Locator("td[data-col='open_pipeline']")).ToHaveTextAsync("2,000.00");

            // Every amount opens its deals.
            await row.Locator("td[data-col='closed'] a").ClickAsync();
            await page.WaitForURLAsync(new Regex("/apm/deals"));
            await Expect(page.GetByTestId("apm-deals").Locator("tbody tr")).ToHaveTextAsync([new Regex($"Won {u}.*1,000.00", RegexOptions.Singleline)]);
            await page.GoBackAsync();

            // An action on a cell: refused without a note, then listed and given to the owner as a task.
            await page.GetByLabel("Region", new() { Exact = true }).SelectOptionAsync(region);
            await page.GetByLabel("Column").SelectOptionAsync("closed");
            await page.GetByLabel("Owner").SelectOptionAsync(rep.Id.ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Add action" }).ClickAsync();
            await Expect(page.Locator(".field[data-field='note'] .field-error")).ToContainTextAsync("is required");
            await page.GetByLabel("What is to be done").FillAsync($"Pull in the commit deal {u}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add action" }).ClickAsync();
            await Expect(page.GetByTestId("saved")).ToContainTextAsync($"Action on {region} · Closed business added");
            await Expect(page.GetByTestId("actions")).ToContainTextAsync($"Pull in the commit deal {u}");
            Assert.Equal($"APM {q.Label} · region {region} · closed", await f.WithDbAsync(db => db.Activities.Where(a => a.OwnerId == rep.Id && a.Type == "task").Select(a => a.Subject).SingleAsync()));

            // CSV export of the same matrix.
            var csv = await (await page.APIRequest.GetAsync($"/api/v1/analytics/apm?dimension=region&period={q.Label}&format=csv")).TextAsync();
            Assert.Contains($"\n{region},3000.00,10000.00,0.3,,red,1000.00,10000.00,0.1,,", csv);
        }
        finally { await page.Context.CloseAsync(); }

        // The rep's forecast page: their deals beside their call; a submission shows in the roll-up and the history.
        var repPage = await f.SignedInAsync(rep);
        try
        {
            await repPage.GotoAsync($"/forecast?period={q.Label}");
            // The weighted forecast loads after the page: the rep's one open deal; one closed deal is too few to train on.
            var ai = repPage.GetByTestId("ai-weighted");
            await Expect(ai.GetByTestId("ai-pipeline").Locator(".stat-value")).ToHaveTextAsync("2,000.00");
            await Expect(ai.GetByTestId("ai-pipeline").Locator(".stat-foot")).ToHaveTextAsync("1 deals");
            await Expect(ai.GetByTestId("ai-model").Locator(".stat-value")).ToHaveTextAsync("–");
            await Expect(ai.GetByTestId("ai-model").Locator(".stat-foot")).ToContainTextAsync("No model:");
            Assert.Equal($"/opportunities?status=open&closeFrom={q.Start:yyyy-MM-dd}&closeTo={q.End.AddDays(-1):yyyy-MM-dd}&sort=closeDate", await ai.GetByTestId("ai-pipeline").GetAttributeAsync("href"));
            var line = repPage.Locator($"table[data-testid='rollup'] tr[data-rep='fc{u}']");
            await Expect(line.Locator("td").Nth(1)).ToHaveTextAsync("1,000.00");
            await Expect(line.Locator("td").Nth(2)).ToHaveTextAsync("2,000.00");
            await Expect(repPage.GetByLabel("Commit", new() { Exact = true })).ToHaveValueAsync("3000");
            await repPage.GetByLabel("Commit", new() { Exact = true }).FillAsync("3500");
            await repPage.GetByRole(AriaRole.Button, new() { Name = "Submit forecast" }).ClickAsync();
            await Expect(repPage.GetByTestId("general-error")).ToContainTextAsync("bestCase must be at least the commit");
            await repPage.GetByLabel("Commit", new() { Exact = true }).FillAsync("2500");
            await repPage.GetByLabel("Note").FillAsync("Commit deal slips a week");
            await repPage.GetByRole(AriaRole.Button, new() { Name = "Submit forecast" }).ClickAsync();
            await Expect(repPage.GetByTestId("saved")).ToContainTextAsync("Forecast submitted.");
            await Expect(line.Locator("td[data-col='call']")).ToHaveTextAsync("2,500.00");
            await Expect(repPage.GetByTestId("history")).ToContainTextAsync("Commit deal slips a week");
            await Expect(repPage.GetByTestId("accuracy").Locator($"tr[data-period='{q.Label}']")).ToBeVisibleAsync();

            // The pipeline dashboard's coverage, as the rep sees it (their own deals): open 2,000 against the 9,000 still
            // to win of the 10,000 target = 0.22x, red against the 3x aim; this quarter and the next three.
            await repPage.GotoAsync("/analytics/pipeline");
            var cov = repPage.GetByTestId("coverage");
            await Expect(cov.Locator("tbody tr")).ToHaveCountAsync(4);
            Assert.Equal([q.Label, q.Next.Label, q.Next.Next.Label, q.Next.Next.Next.Label], await cov.Locator("tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.period)"));
            var now = cov.Locator($"tr[data-period='{q.Label}']");
            await Expect(now.Locator("td[data-col='open']")).ToHaveTextAsync("2,000.00");
            await Expect(now.Locator("td[data-col='target']")).ToHaveTextAsync("10k");
            await Expect(now.Locator("td[data-col='won']")).ToHaveTextAsync("1,000.00");
            await Expect(now.Locator("td[data-col='remaining']")).ToHaveTextAsync("9,000.00");
            await Expect(now.Locator("td[data-col='coverage']")).ToHaveTextAsync("0.22×");
            await Expect(now.Locator("td[data-col='coverage']")).ToHaveAttributeAsync("data-status", "red");
            await Expect(repPage.Locator("#coverage-chart svg")).ToBeVisibleAsync();
            await now.Locator("td[data-col='open'] a").ClickAsync();
            await repPage.WaitForURLAsync(new Regex("/apm/deals"));
            await Expect(repPage.GetByTestId("apm-deals").Locator("tbody tr")).ToHaveTextAsync([new Regex($"Commit {u}.*2,000.00", RegexOptions.Singleline)]);
        }
        finally { await repPage.Context.CloseAsync(); }
    }
}
