using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

/// <summary>
/// A server holding METRICS.md §6 example 2 spread over the last three months (M1 = two months ago, M3 = this month):
/// M1 c1 100, c2 100 and c3 800 start (MRR 1,000 at the end of M1); in M2 c4 converts to 100 (new), c1 goes 100 → 150
/// (expansion +50), c2 goes 100 → 60 (contraction −40); in M3 c2 cancels (churn −60). M2..M3: start 1,000, end 1,050.
/// </summary>
public sealed class AnalyticsUiFixture : UiFixture
{
    public string M1 { get; private set; } = "";
    public string M2 { get; private set; } = "";
    public string M3 { get; private set; } = "";
    public HttpClient Api { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var now = Clock.GetUtcNow();
        var m3 = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var (m1, m2) = (m3.AddMonths(-2), m3.AddMonths(-1));
        (M1, M2, M3) = (Month(m1), Month(m2), Month(m3));
        Api = await Server.ClientForAsync(Admin, "read,write");
        await SeedExampleAsync(Api, m3);
    }

    /// <summary>Posts the example's six periods through the API; M3 = <paramref name="m3"/>.</summary>
    public static async Task SeedExampleAsync(HttpClient api, DateTime m3)
    {
        var (m1, m2) = (m3.AddMonths(-2), m3.AddMonths(-1));
        await PostAsync(api, "c1", "s1", m1, m2.AddDays(9), 100);
        await PostAsync(api, "c1", "s1", m2.AddDays(9), null, 150);
        await PostAsync(api, "c2", "s2", m1, m2.AddDays(19), 100);
        await PostAsync(api, "c2", "s2", m2.AddDays(19), m3.AddDays(4), 60);
        await PostAsync(api, "c3", "s3", m1, null, 800);
        await PostAsync(api, "c4", "s4", m2.AddDays(14), null, 100);
    }

    private static string Month(DateTime d) => d.ToString("yyyy-MM", CultureInfo.InvariantCulture);
    private static string Day(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task PostAsync(HttpClient api, string customer, string subscription, DateTime start, DateTime? end, decimal amount)
    {
        var response = await api.PostJsonAsync("/api/v1/subscriptions", new
        {
            customerId = customer, subscriptionId = subscription, start = Day(start), end = end is { } e ? Day(e) : null, amount, currency = "USD", interval = "month",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

[CollectionDefinition(Name)]
public sealed class AnalyticsCollection : ICollectionFixture<AnalyticsUiFixture>
{
    public const string Name = "ui-analytics";
}

[Collection(AnalyticsCollection.Name)]
public class AnalyticsTests(AnalyticsUiFixture f)
{
    private static readonly string[] Columns =
        ["mrr_start", "new", "expansion", "reactivation", "contraction", "churn", "mrr_end", "customers_start", "new_customers", "reactivated_customers", "churned_customers", "customers_end"];

    private static ILocator Cell(IPage page, string month, string column) => page.Locator($"table[data-testid='rollforward'] tr[data-month='{month}'] td[data-col='{column}'] a");

    [Fact]
    public async Task Mrr_page_shows_the_roll_forward_kpis_and_the_same_numbers_as_the_api()
    {
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/analytics/mrr?from={f.M2}&to={f.M3}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "MRR", Exact = true })).ToBeVisibleAsync();

        string[] expectedM2 = ["1,000.00", "100.00", "50.00", "0.00", "40.00", "0.00", "1,110.00", "3", "1", "0", "0", "4"];
        string[] expectedM3 = ["1,110.00", "0.00", "0.00", "0.00", "0.00", "60.00", "1,050.00", "4", "0", "0", "1", "3"];
        for (var i = 0; i < Columns.Length; i++)
        {
            await Expect(Cell(page, f.M2, Columns[i])).ToHaveTextAsync(expectedM2[i]);
            await Expect(Cell(page, f.M3, Columns[i])).ToHaveTextAsync(expectedM3[i]);
        }
        await Expect(page.Locator("table[data-testid='rollforward'] tbody tr")).ToHaveCountAsync(2);

        // KPIs at the end of the period, exact values on hover.
        await Expect(page.GetByTestId("kpi-mrr").Locator(".stat-value")).ToHaveTextAsync("1,050.00");
        await Expect(page.GetByTestId("kpi-arr").Locator(".stat-value")).ToHaveTextAsync("12.6k");
        await Expect(page.GetByTestId("kpi-arr").Locator(".stat-value")).ToHaveAttributeAsync("title", "12,600.00 USD");
        await Expect(page.GetByTestId("kpi-customers").Locator(".stat-value")).ToHaveTextAsync("3");
        await Expect(page.GetByTestId("kpi-arpa").Locator(".stat-value")).ToHaveTextAsync("350.00");
        await Expect(page.GetByTestId("kpi-net").Locator(".stat-value")).ToHaveTextAsync("+50.00");

        // Every amount on the page equals the API's for the same range.
        var api = await (await f.Api.GetAsync($"/api/v1/metrics/mrr?from={f.M2}&to={f.M3}")).ReadJsonAsync();
        foreach (var m in api.GetProperty("months").EnumerateArray())
        {
            var month = m.GetProperty("month").GetString()!;
            string[] fields = ["mrrStart", "new", "expansion", "reactivation", "contraction", "churn", "mrrEnd", "customersStart", "newCustomers", "reactivatedCustomers", "churnedCustomers", "customersEnd"];
            for (var i = 0; i < fields.Length; i++)
            {
                var v = m.GetProperty(fields[i]);
                var expected = i < 7 ? v.GetDecimal().ToString("N2", CultureInfo.InvariantCulture) + " USD" : v.GetInt32().ToString("N0", CultureInfo.InvariantCulture);
                Assert.Equal(expected, await Cell(page, month, Columns[i]).GetAttributeAsync("title"));
            }
        }

        // The net-new KPI lists every customer's net movement, adding up to +50.
        await page.GetByTestId("kpi-net").ClickAsync();
        await page.WaitForURLAsync(new Regex("/analytics/mrr/customers\\?movement=net"));
        await Expect(page.GetByTestId("drill-total")).ToHaveTextAsync("50.00");
        await Expect(page.Locator("table[data-testid='drill'] tbody tr")).ToHaveCountAsync(3);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Clicking_the_churn_bar_or_number_lists_the_churned_customer()
    {
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/analytics/mrr?from={f.M2}&to={f.M3}");
        await Expect(page.Locator("#mrr-chart svg")).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(400); // the bars' entry animation

        // The churn segment (series 4) of the second month, clicked where ECharts drew it.
        var point = await page.EvaluateAsync<double[]>("""
            () => {
              const el = document.getElementById('mrr-chart');
              const chart = echarts.getInstanceByDom(el);
              const p = chart.convertToPixel({ seriesIndex: 4 }, [1, -30]);
              const r = el.getBoundingClientRect();
              return [r.left + p[0], r.top + p[1]];
            }
            """);
        await page.Mouse.ClickAsync((float)point[0], (float)point[1]);
        await page.WaitForURLAsync(new Regex($"/analytics/mrr/customers\\?month={f.M3}&movement=churn$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Churned MRR");
        var rows = page.Locator("table[data-testid='drill'] tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("td").First).ToHaveTextAsync("c2");
        await Expect(rows.Locator("td[data-col='amount']")).ToHaveTextAsync("60.00");
        await Expect(page.GetByTestId("drill-total")).ToHaveTextAsync("60.00");

        // The same list from the table's number.
        await page.GotoAsync($"/analytics/mrr?from={f.M2}&to={f.M3}");
        await Cell(page, f.M3, "churn").ClickAsync();
        await page.WaitForURLAsync(new Regex($"/analytics/mrr/customers\\?month={f.M3}&movement=churn$"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("td[data-col='amount']")).ToHaveTextAsync("60.00");

        // New in M2, largest first, summing to the bar; MRR at the start of M2 lists the three first customers.
        await page.GotoAsync($"/analytics/mrr/customers?month={f.M2}&movement=start");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Locator("td[data-col='amount']")).ToHaveTextAsync(["800.00", "100.00", "100.00"]);
        await Expect(page.GetByTestId("drill-total")).ToHaveTextAsync("1,000.00");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Retention_page_shows_cohort_percentages_and_a_cell_lists_its_customers()
    {
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/analytics/retention?from={f.M1}&to={f.M3}");
        await Expect(page.Locator("#cohort-chart svg")).ToBeVisibleAsync();
        var first = page.Locator($"table[data-testid='cohorts'] tr[data-cohort='{f.M1}'] td.cell");
        await Expect(first).ToHaveTextAsync(["100.0%", "101.0%", "95.0%"]);
        var second = page.Locator($"table[data-testid='cohorts'] tr[data-cohort='{f.M2}'] td.cell");
        await Expect(second).ToHaveTextAsync(["100.0%", "100.0%"]);

        // The API's cohort table gives the same ratios.
        var api = await (await f.Api.GetAsync($"/api/v1/metrics/retention?from={f.M1}&to={f.M3}")).ReadJsonAsync();
        var c1 = api.EnumerateArray().First();
        Assert.Equal([1000m, 1010m, 950m], c1.GetProperty("retainedMrr").EnumerateArray().Select(x => x.GetDecimal()).ToArray());

        await page.GetByRole(AriaRole.Link, new() { Name = "Customers %" }).ClickAsync();
        await Expect(first).ToHaveTextAsync(["100.0%", "100.0%", "66.7%"]);

        // Clicking a heat-map cell (cohort M1, month 2) lists who is left, with their MRR then and now.
        await page.GotoAsync($"/analytics/retention?from={f.M1}&to={f.M3}");
        await Expect(page.Locator("#cohort-chart svg")).ToBeVisibleAsync();
        var point = await page.EvaluateAsync<double[]>("""
            () => {
              const el = document.getElementById('cohort-chart');
              const p = echarts.getInstanceByDom(el).convertToPixel({ seriesIndex: 0 }, [2, 0]);
              const r = el.getBoundingClientRect();
              return [r.left + p[0], r.top + p[1]];
            }
            """);
        await page.Mouse.ClickAsync((float)point[0], (float)point[1]);
        await page.WaitForURLAsync(new Regex($"/analytics/retention/customers\\?cohort={f.M1}&month=2$"));
        var rows = page.Locator("table[data-testid='drill'] tbody tr");
        await Expect(rows.Locator("td:first-child")).ToHaveTextAsync(["c3", "c1"]);
        await Expect(rows.Locator("td[data-col='other']")).ToHaveTextAsync(["800.00", "100.00"]);
        await Expect(rows.Locator("td[data-col='amount']")).ToHaveTextAsync(["800.00", "150.00"]);
        await Expect(page.GetByTestId("drill-total")).ToHaveTextAsync("950.00");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Period_presets_default_to_the_last_12_months_and_bad_input_is_explained()
    {
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/analytics");
        await page.WaitForURLAsync(f.BaseUrl + "/analytics/mrr");
        await Expect(page.Locator("table[data-testid='rollforward'] tbody tr")).ToHaveCountAsync(12);
        await Expect(page.Locator("#p-to")).ToHaveValueAsync(f.M3);
        await Expect(page.GetByTestId("kpi-net").Locator(".stat-value")).ToHaveTextAsync("+1,050.00");
        await page.GetByRole(AriaRole.Link, new() { Name = "Last 24 months" }).ClickAsync();
        await Expect(page.Locator("table[data-testid='rollforward'] tbody tr")).ToHaveCountAsync(24);
        await page.GetByRole(AriaRole.Link, new() { Name = "This fiscal year" }).ClickAsync();
        await Expect(page.Locator("table[data-testid='rollforward'] tbody tr").Last).ToHaveAttributeAsync("data-month", f.M3);

        var bad = await page.GotoAsync($"/analytics/mrr?from={f.M3}&to={f.M1}");
        Assert.Equal(400, bad!.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("is before");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_account_executive_gets_the_not_available_page()
    {
        var page = await f.SignedInAsync(f.Rep);
        foreach (var url in new[] { "/analytics/mrr", "/analytics/retention", $"/analytics/mrr/customers?month={f.M3}&movement=churn", $"/analytics/retention/customers?cohort={f.M1}&month=0" })
        {
            var response = await page.GotoAsync(url);
            Assert.Equal(403, response!.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not available for your role" })).ToBeVisibleAsync();
            await Expect(page.Locator("table")).ToHaveCountAsync(0);
            Assert.DoesNotContain("1,050", await page.ContentAsync());
        }
        await page.Context.CloseAsync();
    }
}

/// <summary>Without any stored subscription periods the pages say how to get them in (the shared server has none).</summary>
[Collection(UiCollection.Name)]
public class AnalyticsEmptyTests(UiFixture f)
{
    [Fact]
    public async Task Without_subscriptions_the_pages_say_how_to_import_them()
    {
        var page = await f.SignedInAsync(f.Admin);
        foreach (var url in new[] { "/analytics/mrr", "/analytics/retention" })
        {
            await page.GotoAsync(url);
            await Expect(page.GetByTestId("metrics-empty")).ToContainTextAsync("revloop import subscriptions FILE.csv");
            await Expect(page.GetByTestId("metrics-empty")).ToContainTextAsync("POST /api/v1/subscriptions");
        }
        await page.Context.CloseAsync();
    }
}

/// <summary>The MRR page and a drill-down once more on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public class AnalyticsPostgresTests(PostgresUiFixture f)
{
    [Fact]
    public async Task Mrr_page_and_drill_down_work_on_PostgreSQL()
    {
        var m3 = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        await AnalyticsUiFixture.SeedExampleAsync(await f.Server.ClientForAsync(f.Admin, "read,write"), m3);
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/analytics/mrr?from=2024-02&to=2024-03");
        var churn = page.Locator("tr[data-month='2024-03'] td[data-col='churn'] a");
        await Expect(churn).ToHaveTextAsync("60.00");
        await Expect(page.Locator("tr[data-month='2024-03'] td[data-col='mrr_end'] a")).ToHaveTextAsync("1,050.00");
        await churn.ClickAsync();
        await Expect(page.Locator("table[data-testid='drill'] tbody td[data-col='amount']")).ToHaveTextAsync(["60.00"]);
        await page.GotoAsync("/analytics/retention?from=2024-01&to=2024-03");
        await Expect(page.Locator("tr[data-cohort='2024-01'] td.cell")).ToHaveTextAsync(["100.0%", "101.0%", "95.0%"]);
        await page.Context.CloseAsync();
    }
}
