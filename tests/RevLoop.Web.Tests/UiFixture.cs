using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Hosting;

namespace RevLoop.Web.Tests;

/// <summary>A clock the tests can set back while seeding, so accounts get realistic creation dates; otherwise real time.</summary>
public sealed class SettableClock : TimeProvider
{
    private TimeSpan offset;
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    public void Set(DateTimeOffset at) => offset = at - System.GetUtcNow();
    public void Reset() => offset = TimeSpan.Zero;
}

/// <summary>
/// One real server (Kestrel over a fresh database) and one headless Debian Chromium for a test class; signed-in browser
/// contexts are cheap (the session cookie is captured once per user and reused).
/// </summary>
public class UiFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";
    protected virtual string Provider => "sqlite";

    public RunningServer Server { get; private set; } = default!;
    public SettableClock Clock { get; } = new();
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public User Admin { get; private set; } = default!;
    public User Rep { get; private set; } = default!;
    public User Manager { get; private set; } = default!;
    private readonly Dictionary<Guid, string> sessions = [];
    private readonly SemaphoreSlim sessionGate = new(1, 1);

    public string BaseUrl => Server.BaseAddress.ToString().TrimEnd('/');

    public virtual async Task InitializeAsync()
    {
        var clock = Clock;
        Server = await RunningServer.StartAsync(Provider, o => new ServeOptions
        {
            Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, RunWorkers = false,
            ConfigureServices = s => s.AddSingleton<TimeProvider>(clock),
        });
        Admin = await Server.CreateUserAsync("ada@example.com", Roles.Admin);
        Rep = await Server.CreateUserAsync("ravi@example.com", Roles.Ae);
        Manager = await Server.CreateUserAsync("maria@example.com", Roles.SalesManager);
        await RenameAsync(Admin, "Ada Lovelace");
        await RenameAsync(Rep, "Ravi Patel");
        await RenameAsync(Manager, "Maria Rossi");
        // Generous waits: CI machines have two cores and may be busy; a passing step never waits this long.
        Assertions.SetDefaultExpectTimeout(15_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Server.DisposeAsync();
    }

    private async Task RenameAsync(User user, string name)
    {
        using var scope = Server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var u = await db.Users.FindAsync(user.Id);
        u!.DisplayName = name;
        await db.SaveChangesAsync();
        user.DisplayName = name;
    }

    /// <summary>A fresh browser context (own cookies and storage) with nothing signed in.</summary>
    public async Task<IPage> NewPageAsync(string? storageState = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
            StorageState = storageState,
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(20_000);
        // A redirect after a form post on a busy two-core machine once took longer than 20 s; navigations get more room.
        context.SetDefaultNavigationTimeout(45_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, e) => throw new InvalidOperationException($"JavaScript error on {page.Url}: {e}");
        return page;
    }

    /// <summary>A page signed in as <paramref name="user"/> (the sign-in form is used once per user, then the cookie is reused).</summary>
    public async Task<IPage> SignedInAsync(User user)
    {
        await sessionGate.WaitAsync();
        try
        {
            if (!sessions.TryGetValue(user.Id, out var state))
            {
                var page = await NewPageAsync();
                await page.GotoAsync("/login");
                await page.GetByLabel("Email").FillAsync(user.Email!);
                await page.GetByLabel("Password").FillAsync(Password);
                await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
                await page.ArriveAtAsync(BaseUrl + "/");
                state = await page.Context.StorageStateAsync();
                sessions[user.Id] = state;
                await page.Context.CloseAsync();
            }
            return await NewPageAsync(state);
        }
        finally { sessionGate.Release(); }
    }

    /// <summary>Adds accounts straight through the data layer (history and all), optionally as if made at another time.</summary>
    public async Task<List<Account>> SeedAsync(IEnumerable<Account> accounts, User? by = null, DateTimeOffset? at = null)
    {
        using var scope = Server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var origin = scope.ServiceProvider.GetRequiredService<ChangeOrigin>();
        origin.Actor = by is null ? "system" : $"user:{by.Id}";
        origin.Source = by is null ? ChangeSources.Import : ChangeSources.Ui;
        var list = accounts.ToList();
        if (at is { } t) Clock.Set(t);
        try
        {
            db.Accounts.AddRange(list);
            await db.SaveChangesAsync();
        }
        finally { Clock.Reset(); }
        return list;
    }

    public async Task<T> WithDbAsync<T>(Func<RevLoopDb, Task<T>> action)
    {
        using var scope = Server.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<RevLoopDb>());
    }

    /// <summary>Changes an account as another user would, through the same command the API uses.</summary>
    public async Task EditAsAsync(User user, Guid accountId, Action<Account> change)
    {
        using var scope = Server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var origin = scope.ServiceProvider.GetRequiredService<ChangeOrigin>();
        origin.Actor = $"user:{user.Id}";
        origin.Source = ChangeSources.Api;
        var account = await db.Accounts.FindAsync(accountId) ?? throw new InvalidOperationException("no such account");
        change(account);
        await db.SaveChangesAsync();
    }
}

/// <summary>The browser tests share one SQLite server and one browser; each test works on its own, uniquely named records.</summary>
[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiFixture>
{
    public const string Name = "ui";
}

/// <summary>A second server and browser for the account tests, so the two halves of the suite run side by side.</summary>
public sealed class AccountsUiFixture : UiFixture;

[CollectionDefinition(Name)]
public sealed class AccountsCollection : ICollectionFixture<AccountsUiFixture>
{
    public const string Name = "ui-accounts";
}

public static class PageArrival
{
    /// <summary>Waits for the page to be at <paramref name="url"/>; on a timeout says where the page is and what it shows instead.</summary>
    public static async Task ArriveAtAsync(this IPage page, string url)
    {
        // The address, polled: waiting for a navigation's load event can miss one that completed while a script-driven
        // navigation to the same address was starting (seen on a busy machine: at the right page, still waiting).
        // Whatever the test does next waits for its own elements.
        try { await Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = 45_000 }); }
        catch (PlaywrightException e)
        {
            var text = "";
            try { text = await page.Locator("body").InnerTextAsync(new() { Timeout = 2_000 }); } catch (PlaywrightException) { }
            throw new TimeoutException($"Expected to arrive at {url} but the page is at {page.Url} showing: {text[..Math.Min(text.Length, 600)]}", e);
        }
    }
}
