using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Platform;
using RevLoop.Server.Hosting;
using RevLoop.Server.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Platform;

/// <summary>API tokens (scopes, revocation, hashing, last use) and password sign-in with lockout.</summary>
public class AuthTests
{
    private const string Password = "correct horse battery staple"; // what RunningServer.CreateUserAsync sets

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Token_scopes_decide_what_a_token_may_do(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var admin = await server.CreateUserAsync("admin@example.com", Roles.Admin);
        using var writer = await server.ClientForAsync(admin, "read,write");
        var id = await writer.CreateAccountIdAsync("""{"name":"Readable"}""");

        using var reader = await server.ClientForAsync(admin, "read");
        Assert.Equal(["Readable"], (await reader.GetJsonAsync("/api/v1/accounts")).Names());
        using (var r = await reader.PostAsync("/api/v1/accounts", """{"name":"Not allowed"}""")) Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        using (var r = await reader.MergePatchAsync($"/api/v1/accounts/{id}", """{"name":"Renamed"}""")) Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        using (var r = await reader.SendAsync(HttpMethod.Put, $"/api/v1/accounts/{id}", """{"name":"Renamed"}""")) Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        using (var r = await reader.DeleteAsync($"/api/v1/accounts/{id}")) Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);

        // Settings need the admin scope even for an admin user.
        using (var r = await writer.MergePatchAsync("/api/v1/settings", """{"companyName":"Acme"}""")) Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        using var full = await server.ClientForAsync(admin, "read,write,admin");
        using (var r = await full.MergePatchAsync("/api/v1/settings", """{"companyName":"Acme"}""")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await full.MergePatchAsync("/api/v1/settings", """{"fiscalYearStartMonth":"April"}""")) await Api.AssertProblemAsync(r, HttpStatusCode.BadRequest, "fiscalYearStartMonth");

        var only = await reader.GetJsonAsync("/api/v1/accounts");
        Assert.Equal(["Readable"], only.Names());
        Assert.Equal(1, only.GetProperty("items")[0].GetProperty("version").GetInt64());
        Assert.Equal("Acme", (await reader.GetJsonAsync("/api/v1/settings")).Str("companyName"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Tokens_are_stored_hashed_record_last_use_and_stop_working_when_revoked(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var user = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        var token = await server.WithDbAsync(db => ApiTokens.IssueAsync(db, user, ["read", "write"]));
        Assert.Matches("^rl_[A-Za-z0-9_-]{43}$", token);

        var stored = await server.WithDbAsync(db => db.ApiTokens.AsNoTracking().SingleAsync(t => t.UserId == user.Id));
        Assert.Equal(ApiTokens.Hash(token), stored.TokenHash);
        Assert.Equal(64, stored.TokenHash.Length);
        Assert.Equal(token[..10], stored.Prefix);
        Assert.Equal("read,write", stored.Scopes);
        Assert.Null(stored.LastUsedAt);
        Assert.Null(stored.RevokedAt);

        using var client = server.ClientWithToken(token);
        var before = TimeProvider.System.GetUtcNow();
        using (var r = await client.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var after = TimeProvider.System.GetUtcNow();
        var used = (await server.WithDbAsync(db => db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == stored.Id))).LastUsedAt;
        Assert.NotNull(used);
        Assert.InRange(used!.Value, before.AddMilliseconds(-1), after.AddMilliseconds(1));
        // Within a minute another request does not rewrite it.
        using (var r = await client.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(used, (await server.WithDbAsync(db => db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == stored.Id))).LastUsedAt);

        Assert.Equal(1, await server.WithDbAsync(db => ApiTokens.RevokeAllAsync(db, user.Id)));
        using (var r = await client.GetAsync("/api/v1/accounts"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("Bearer", r.Headers.WwwAuthenticate.Single().Scheme);
        }
        using (var r = await client.PostAsync("/api/v1/accounts", """{"name":"After revoke"}""")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using (var anonymous = server.ClientWithToken(null))
        using (var r = await anonymous.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using (var forged = server.ClientWithToken("rl_" + new string('A', 43)))
        using (var r = await forged.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal(0, await server.WithDbAsync(db => db.Accounts.IgnoreQueryFilters().CountAsync()));
    }

    private sealed class MovableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Validated_tokens_are_kept_briefly_a_change_through_the_server_applies_at_once_one_past_it_within_seconds(string provider)
    {
        var clock = new MovableClock(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await RunningServer.StartAsync(provider, o => new ServeOptions
        {
            Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, RunWorkers = false,
            ConfigureServices = s => s.AddSingleton<TimeProvider>(clock),
        });
        var admin = await server.AdminClientAsync();
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        var other = await server.CreateUserAsync("other@example.com", Roles.Ae);
        await admin.CreateAccountIdAsync($$"""{"name":"Mine","ownerId":"{{ae.Id}}"}""");
        await admin.CreateAccountIdAsync($$"""{"name":"Theirs","ownerId":"{{other.Id}}"}""");
        using var client = await server.ClientForAsync(ae, "read");
        Assert.Equal(["Mine"], (await client.GetJsonAsync("/api/v1/accounts?sort=name")).Names());

        // A role changed through the server (SaveChanges) applies to the very next request.
        await server.WithDbAsync(async db => { (await db.Users.SingleAsync(u => u.Id == ae.Id)).Role = Roles.RevOps; return await db.SaveChangesAsync(); });
        Assert.Equal(["Mine", "Theirs"], (await client.GetJsonAsync("/api/v1/accounts?sort=name")).Names());

        // Revoked past the server (as the CLI does from another process): the kept copy serves until it is
        // ValidatedTokens.MaxAge old, then the token is looked up again and refused.
        await server.WithDbAsync(db => db.ApiTokens.Where(t => t.UserId == ae.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, clock.Now)));
        using (var r = await client.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        clock.Now += ValidatedTokens.MaxAge;
        using (var r = await client.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        clock.Now += TimeSpan.FromMilliseconds(1);
        using (var r = await client.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        // Refused tokens are not kept: each request looks them up (and is refused).
        using (var r = await client.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Five_wrong_passwords_lock_the_account_and_a_good_login_gets_a_session_cookie(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var victim = await server.CreateUserAsync("victim@example.com", Roles.Ae);
        var other = await server.CreateUserAsync("other@example.com", Roles.Ae);
        var cookies = new System.Net.CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = server.BaseAddress };

        for (var i = 1; i <= 5; i++)
        {
            using var wrong = await Login(browser, "victim@example.com", $"wrong password number {i}");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var locked = await Login(browser, "victim@example.com", Password))
        {
            Assert.Equal((HttpStatusCode)423, locked.StatusCode);
            Assert.Contains("locked", await locked.Content.ReadAsStringAsync());
        }
        Assert.DoesNotContain(cookies.GetCookies(server.BaseAddress), c => c.Name == "revloop.session");
        var stored = await server.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == victim.Id));
        Assert.True(stored.LockoutEnd > TimeProvider.System.GetUtcNow().AddMinutes(14), $"locked until {stored.LockoutEnd:O}");

        // Another user signs in: a redirect and an HttpOnly session cookie that the API accepts.
        using (var ok = await Login(browser, "other@example.com", Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
            Assert.Equal("/", ok.Headers.Location?.AbsolutePath);
        }
        var session = cookies.GetCookies(server.BaseAddress).Single(c => c.Name == "revloop.session");
        Assert.True(session.HttpOnly);
        using (var me = await browser.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(other.Id, (await me.ReadJsonAsync()).GetProperty("id").GetGuid());
        }
        var id = await browser.CreateAccountIdAsync("""{"name":"Made in a session"}""");
        var actors = await server.WithDbAsync(db => db.FieldChanges.Where(c => c.EntityId == id).Select(c => c.ChangedBy).Distinct().ToListAsync());
        Assert.Equal([$"user:{other.Id}"], actors);

        using var stranger = new HttpClient { BaseAddress = server.BaseAddress };
        using (var r = await stranger.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using (var unknown = await Login(stranger, "nobody@example.com", Password)) Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    private static Task<HttpResponseMessage> Login(HttpClient client, string email, string password) =>
        client.PostLoginAsync(email, password);
}
