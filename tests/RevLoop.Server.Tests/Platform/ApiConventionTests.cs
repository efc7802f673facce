using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Platform;
using RevLoop.Server.Hosting;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Platform;

/// <summary>Conventions every endpoint shares: body size limit, Idempotency-Key, rate limiting, OpenAPI and the explorer.</summary>
public class ApiConventionTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_body_over_the_limit_is_413(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var client = await server.AdminClientAsync();
        var limit = server.Services.GetRequiredService<ServeOptions>().MaxRequestBodyBytes;
        Assert.Equal(4 * 1024 * 1024, limit);
        var json = $$"""{"name":"Big","industry":"{{new string('x', (int)limit)}}"}""";
        // As a careful client sends a large body: Expect: 100-continue, so the server can refuse it before it is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/accounts") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        // Wait for the server's answer to Expect however busy the machine is (the default is 1 s, then the body goes anyway
        // and the refusal arrives as a broken pipe).
        using var careful = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(60) }) { BaseAddress = client.BaseAddress };
        careful.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        using var r = await careful.SendAsync(request);
        await Api.AssertProblemAsync(r, HttpStatusCode.RequestEntityTooLarge);
        // Just under the limit the body is read (and then refused for its content, not its size).
        var under = $$"""{"name":"Big","industry":"{{new string('x', (int)limit - 100)}}"}""";
        Assert.True(Encoding.UTF8.GetByteCount(under) < limit);
        using (var ok = await client.PostAsync("/api/v1/accounts", under)) await Api.AssertProblemAsync(ok, HttpStatusCode.BadRequest, "industry");
        Assert.Equal(0, await server.WithDbAsync(db => db.Accounts.IgnoreQueryFilters().CountAsync()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Idempotency_key_replays_the_first_response_and_never_duplicates(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var client = await server.AdminClientAsync();
        const string body = """{"name":"Once Only","country":"NL"}""";

        using var first = await client.PostAsync("/api/v1/accounts", body, idempotencyKey: "key-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstJson = await first.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(firstJson).RootElement.GetProperty("id").GetGuid();

        using var replay = await client.PostAsync("/api/v1/accounts", body, idempotencyKey: "key-1");
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(firstJson, await replay.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal(["true"], replay.Headers.GetValues("Idempotent-Replayed"));

        using (var different = await client.PostAsync("/api/v1/accounts", """{"name":"Something Else"}""", idempotencyKey: "key-1"))
            await Api.AssertProblemAsync(different, (HttpStatusCode)422, "Idempotency-Key");
        Assert.Equal([id], await server.WithDbAsync(db => db.Accounts.Select(a => a.Id).ToListAsync()));

        // Another key is another request; the same key from another token is that token's own.
        using (var other = await client.PostAsync("/api/v1/accounts", body, idempotencyKey: "key-2")) Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        using var second = await server.AdminClientAsync();
        using (var mine = await second.PostAsync("/api/v1/accounts", body, idempotencyKey: "key-1")) Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(3, await server.WithDbAsync(db => db.Accounts.CountAsync(a => a.Name == "Once Only")));

        // Concurrent retries of one request (a client that timed out and retried at once) create one account.
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var r = await client.PostAsync("/api/v1/accounts", """{"name":"Raced"}""", idempotencyKey: "key-3");
            return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
        }));
        Assert.Equal(1, await server.WithDbAsync(db => db.Accounts.CountAsync(a => a.Name == "Raced")));
        var raced = await server.WithDbAsync(db => db.Accounts.SingleAsync(a => a.Name == "Raced"));
        Assert.All(responses, r =>
        {
            Assert.Equal(201, r.Item1);
            Assert.Equal(raced.Id, JsonDocument.Parse(r.Item2).RootElement.GetProperty("id").GetGuid());
        });
        Assert.Equal(1, await server.WithDbAsync(db => db.OutboxEvents.CountAsync(e => e.EntityId == raced.Id)));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Rate_limit_is_per_token_with_429_and_Retry_After(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider, o => new ServeOptions { Database = o.Database, Urls = o.Urls, RateLimitPerMinute = 5 });
        var user = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        using var busy = await server.ClientForAsync(user);
        using var calm = await server.ClientForAsync(user);
        for (var i = 0; i < 5; i++)
        {
            using var ok = await busy.GetAsync("/api/v1/accounts");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var limited = await busy.GetAsync("/api/v1/accounts");
        var problem = await Api.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        Assert.Equal("Rate limit of 5 requests per minute; retry after 60 s.", problem.GetProperty("detail").GetString());
        using (var write = await busy.PostAsync("/api/v1/accounts", """{"name":"Too Many"}""")) Assert.Equal(HttpStatusCode.TooManyRequests, write.StatusCode);
        Assert.Equal(0, await server.WithDbAsync(db => db.Accounts.CountAsync()));

        // Another token of the same user has its own budget.
        using (var other = await calm.GetAsync("/api/v1/accounts")) Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OpenAPI_document_lists_the_accounts_API_and_the_explorer_serves_HTML(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        var doc = await anonymous.GetJsonAsync("/openapi/v1.json");
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Subset(paths, new HashSet<string> { "/api/v1/accounts", "/api/v1/accounts/{id}", "/api/v1/{objectName}/{id}/history" });
        Assert.Equal(["delete", "get", "patch", "put"], doc.GetProperty("paths").GetProperty("/api/v1/accounts/{id}").EnumerateObject().Select(p => p.Name).Where(n => n != "parameters").Order());
        Assert.Equal(["get", "post"], doc.GetProperty("paths").GetProperty("/api/v1/accounts").EnumerateObject().Select(p => p.Name).Where(n => n != "parameters").Order());

        using var docs = await anonymous.GetAsync("/api/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
        var html = await docs.Content.ReadAsStringAsync();
        Assert.Contains("<title>RevLoop API</title>", html);
        Assert.Contains("swagger-ui", html);
    }
}
