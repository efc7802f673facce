using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;
using static Microsoft.Playwright.Assertions;

namespace RevLoop.Web.Tests;

/// <summary>A server with a small, realistic company in it: what the README's screenshots show.</summary>
public sealed class DemoFixture : UiFixture
{
    public Account Showcase { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        string[] names =
        [
            "Acme Robotics", "Blue Harbor Logistics", "Brightline Health", "Cedar & Pine Retail", "Cobalt Payments", "Driftwood Media",
            "Evergreen Energy", "Fjord Analytics", "Granite Insurance", "Helix Biotech", "Ironclad Security", "Juniper Foods",
            "Keystone Capital", "Lumen Learning", "Meridian Travel", "Northwind Traders", "Orbit Telecom", "Pinnacle Legal",
            "Quartz Manufacturing", "Redwood Properties", "Summit Outdoor", "Tidewater Shipping", "Umbra Games", "Vertex Cloud",
            "Willow Care Homes", "Xenon Labs", "Yellowfin Seafood", "Zenith Aerospace", "Atlas Freight", "Beacon Schools",
            "Canopy Software", "Delta Dental Group", "Ember Coffee", "Falcon Drones", "Gemini Architects", "Harbor Bank",
        ];
        string[] industries = ["Software", "Logistics", "Healthcare", "Retail", "Financial services", "Media", "Energy", "Manufacturing"];
        (string Country, string Region)[] places = [("DE", "EMEA"), ("GB", "EMEA"), ("FR", "EMEA"), ("US", "AMER"), ("CA", "AMER"), ("JP", "APAC"), ("AU", "APAC")];
        User[] owners = [Admin, Rep, Manager];
        var now = Clock.GetUtcNow();
        var rng = new Random(7);
        for (var i = 0; i < names.Length; i++)
        {
            var employees = new[] { 45, 120, 180, 320, 640, 950, 1800, 5200 }[rng.Next(8)];
            var (country, region) = places[rng.Next(places.Length)];
            var monthsAgo = (int)Math.Round(Math.Pow(rng.NextDouble(), 0.7) * 11);
            var at = now.AddMonths(-monthsAgo).AddDays(-rng.Next(0, 20)).AddHours(-rng.Next(0, 20));
            if (at > now) at = now.AddHours(-1);
            await SeedAsync([new Account
            {
                Name = names[i], Domain = names[i].ToLowerInvariant().Replace(" & ", "-").Replace(' ', '-') + ".com",
                Industry = industries[rng.Next(industries.Length)], Employees = employees,
                Segment = employees < 200 ? "smb" : employees < 1000 ? "mid_market" : "enterprise",
                Country = country, Region = region, OwnerId = owners[i % owners.Length].Id,
            }], by: owners[(i + 1) % owners.Length], at: at);
        }
        var parent = await WithDbAsync(db => Task.FromResult(db.Accounts.Single(a => a.Name == "Northwind Traders")));
        Showcase = parent;
        foreach (var child in new[] { "Northwind Traders UK", "Northwind Traders Iberia", "Northwind Wholesale" })
            await SeedAsync([new Account { Name = child, Domain = child.ToLowerInvariant().Replace(' ', '-') + ".com", Industry = "Retail", Employees = 240, Segment = "mid_market", Country = "GB", Region = "EMEA", ParentAccountId = parent.Id, OwnerId = Rep.Id }], by: Rep, at: now.AddDays(-12));
        Clock.Set(now.AddDays(-9));
        await EditAsAsync(Manager, parent.Id, a => { a.Employees = 2400; a.Segment = "enterprise"; });
        Clock.Set(now.AddDays(-3));
        await EditAsAsync(Admin, parent.Id, a => { a.OwnerId = Rep.Id; a.Region = "EMEA"; a.Country = "GB"; });
        Clock.Reset();

        using var scope = Server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var settings = db.CompanySettings.Single();
        settings.CompanyName = "Northwind Analytics";
        settings.FiscalYearStartMonth = 4;
        db.Currencies.AddRange(new Currency { Code = "EUR", Name = "Euro" }, new Currency { Code = "GBP", Name = "Pound sterling" });
        db.ExchangeRates.AddRange(
            new ExchangeRate { CurrencyCode = "EUR", Date = new DateOnly(2026, 1, 1), Rate = 1.0850m },
            new ExchangeRate { CurrencyCode = "GBP", Date = new DateOnly(2026, 1, 1), Rate = 1.2710m },
            new ExchangeRate { CurrencyCode = "EUR", Date = new DateOnly(2026, 7, 1), Rate = 1.1120m });
        await db.SaveChangesAsync();
        await SeedSubscriptionsAsync();
    }

    /// <summary>Fourteen months of a small SaaS business: plans from 49 to 2,400 a month, upgrades, downgrades, churn and a comeback.</summary>
    private async Task SeedSubscriptionsAsync()
    {
        var api = await Server.ClientForAsync(Admin, "read,write");
        var now = Clock.GetUtcNow().UtcDateTime;
        var today = now.Date;
        var first = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-13);
        var rng = new Random(11);
        decimal[] plans = [49, 99, 99, 199, 199, 299, 499, 990, 2400];
        static string Day(DateTime d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        async Task Post(string customer, DateTime start, DateTime? end, decimal amount)
        {
            var r = await api.PostJsonAsync("/api/v1/subscriptions", new { customerId = customer, subscriptionId = customer + "-s", start = Day(start), end = end is { } e ? Day(e) : null, amount, currency = "USD", interval = "month" });
            r.EnsureSuccessStatusCode();
        }
        for (var i = 0; i < 60; i++)
        {
            var customer = $"cus_{1000 + i}";
            var start = (i < 18 ? first : first.AddMonths(rng.Next(0, 14))).AddDays(rng.Next(0, 27));
            if (start >= today) start = today.AddDays(-1);
            var amount = plans[rng.Next(plans.Length)];
            var at = start;
            var events = rng.Next(0, 3);
            for (var e = 0; e <= events; e++)
            {
                var next = at.AddDays(rng.Next(35, 160));
                if (e == events || next >= today)
                {
                    var churn = rng.NextDouble() < 0.22 && next < today;
                    await Post(customer, at, churn ? next : null, amount);
                    if (churn && rng.NextDouble() < 0.35 && next.AddDays(60) < today) await Post(customer, next.AddDays(60), null, amount);
                    break;
                }
                await Post(customer, at, next, amount);
                amount = rng.NextDouble() < 0.7 ? amount * 1.5m : Math.Round(amount * 0.6m);
                at = next;
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DemoCollection : ICollectionFixture<DemoFixture>
{
    public const string Name = "demo";
}

/// <summary>
/// Renders the key pages over demo data and saves screenshots: into docs/screenshots when REVLOOP_SCREENSHOTS names that
/// folder (how the README's pictures are made), otherwise next to the test binaries.
/// </summary>
[Collection(DemoCollection.Name)]
public class ScreenshotTests(DemoFixture f)
{
    private static string Folder()
    {
        var dir = Environment.GetEnvironmentVariable("REVLOOP_SCREENSHOTS") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static async Task ShootAsync(IPage page, string name)
    {
        await page.EvaluateAsync("document.activeElement && document.activeElement.blur && document.activeElement.blur()");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder(), name + ".png") });
    }

    [Fact]
    public async Task Key_pages_render_with_demo_data()
    {
        var login = await f.NewPageAsync();
        await login.GotoAsync("/login");
        await login.GetByLabel("Email").FillAsync("ada@example.com");
        await ShootAsync(login, "login");
        await login.Context.CloseAsync();

        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/");
        await Expect(page.Locator("#accounts-by-month svg")).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(400); // the bars' entry animation
        await ShootAsync(page, "home");

        await page.GotoAsync("/accounts?sort=-updatedAt");
        await Expect(page.Locator("table.grid tbody tr")).ToHaveCountAsync(39);
        await page.Locator("h1").ClickAsync();
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await ShootAsync(page, "accounts");

        await page.GotoAsync("/accounts?segment=enterprise&region=EMEA");
        await Expect(page.Locator(".chip")).ToHaveCountAsync(2);
        await ShootAsync(page, "accounts-filtered");

        await page.GotoAsync($"/accounts/{f.Showcase.Id}");
        await Expect(page.Locator("#timeline .tl-item")).ToHaveCountAsync(3);
        await ShootAsync(page, "account");

        await page.GotoAsync($"/accounts/{f.Showcase.Id}/edit");
        await page.GetByLabel("Domain").FillAsync("northwind.example");
        await f.EditAsAsync(f.Manager, f.Showcase.Id, a => a.Domain = "northwind-traders.co.uk");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("conflict")).ToBeVisibleAsync();
        await ShootAsync(page, "account-conflict");

        await page.GotoAsync("/settings");
        await ShootAsync(page, "settings");

        await page.GotoAsync("/");
        await page.Keyboard.PressAsync("Control+K");
        await page.Keyboard.TypeAsync("nor");
        await Expect(page.Locator("#palette-results .palette-item[data-kind='Account']").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder(), "palette.png") });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Analytics_pages_render_with_demo_data()
    {
        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync("/analytics/mrr");
        await Expect(page.Locator("#mrr-chart svg")).ToBeVisibleAsync();
        await Expect(page.Locator("table[data-testid='rollforward'] tbody tr")).ToHaveCountAsync(12);
        await page.WaitForTimeoutAsync(400);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder(), "mrr.png"), FullPage = true });

        await page.GotoAsync("/analytics/retention");
        await Expect(page.Locator("#cohort-chart svg")).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(200);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder(), "retention.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Pipeline_board_and_search_render_with_demo_data()
    {
        var accounts = await f.WithDbAsync(db => db.Accounts.AsNoTracking().OrderBy(a => a.Name).ToListAsync());
        var p = await f.PipelineAsync("New business", ("Discovery", "open"), ("Demo", "open"), ("Proposal", "open"), ("Negotiation", "open"), ("Closed won", "won"), ("Closed lost", "lost"));
        var rng = new Random(5);
        User[] owners = [f.Admin, f.Rep, f.Manager];
        string[] stages = ["Discovery", "Discovery", "Discovery", "Demo", "Demo", "Proposal", "Proposal", "Negotiation", "Closed won", "Closed lost"];
        var today = DateOnly.FromDateTime(f.Clock.GetUtcNow().UtcDateTime);
        var deals = new List<Opportunity>();
        for (var i = 0; i < 22; i++)
        {
            var a = accounts[(i * 7) % accounts.Count];
            var stage = stages[i % stages.Length];
            deals.Add(new Opportunity
            {
                Name = $"{a.Name} - {(i % 3 == 0 ? "expansion" : "platform")}", AccountId = a.Id, PipelineId = p.Id, StageId = p.Stage(stage).Id,
                AmountMinor = (long)new[] { 12_000, 18_500, 24_000, 36_000, 48_000, 72_000, 96_000 }[rng.Next(7)] * 100, Currency = i % 4 == 0 ? "EUR" : "USD",
                CloseDate = today.AddDays(14 + rng.Next(0, 150)), OwnerId = owners[i % 3].Id, Segment = a.Segment, Region = a.Region,
                LostReason = stage == "Closed lost" ? "No budget" : null,
            });
        }
        deals.Add(new Opportunity
        {
            Name = "Northwind Traders - renewal", AccountId = f.Showcase.Id, PipelineId = p.Id, StageId = p.Stage("Discovery").Id, AmountMinor = 64_000_00,
            CloseDate = today.AddDays(45), OwnerId = f.Rep.Id, Type = OpportunityTypes.Renewal,
        });
        await f.AddAsync(f.Admin, [.. deals]);
        await f.AddAsync(f.Admin,
            new Contact { AccountId = accounts[0].Id, FirstName = "Nora", LastName = "Lindqvist", Title = "VP Operations", Email = "nora@acme-robotics.com", NormalizedEmail = "nora@acme-robotics.com" },
            new Contact { AccountId = f.Showcase.Id, FirstName = "Noah", LastName = "Whitfield", Title = "CFO", Email = "noah.whitfield@northwind-traders.com", NormalizedEmail = "noah.whitfield@northwind-traders.com" });
        await f.AddAsync(f.Admin, new Lead { FirstName = "Noor", LastName = "Okafor", Company = "Northwind Retail", Email = "noor@northwind-retail.com", NormalizedEmail = "noor@northwind-retail.com", Status = "mql", Source = "event" });

        var page = await f.SignedInAsync(f.Admin);
        await page.GotoAsync($"/pipeline/{p.Id}");
        await Expect(page.GetByTestId("column-Discovery").GetByTestId("count")).ToHaveTextAsync("9");
        await ShootAsync(page, "pipeline");

        await page.GotoAsync("/contacts");
        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync("no");
        await Expect(page.Locator("#global-search-results .search-group")).ToHaveTextAsync(["Accounts", "Contacts", "Leads", "Opportunities"]);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder(), "search.png") });
        await page.Context.CloseAsync();
    }
}
