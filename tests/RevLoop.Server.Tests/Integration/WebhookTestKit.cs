using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RevLoop.Server.Hosting;
using RevLoop.Server.Integration.Webhooks;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Integration;

/// <summary>One POST the receiver got: headers, raw body and the real time it arrived.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
    public string EventId => Header("RevLoop-Event-Id") ?? "";
    public string Type => Json.GetProperty("type").GetString()!;
}

public sealed record ReceiverReply(int Status, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static readonly ReceiverReply Ok = new(200);
}

/// <summary>A real HTTP endpoint (Kestrel on a free 127.0.0.1 port) that records every POST and answers as told.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();
    /// <summary>How to answer a request; the default is 200.</summary>
    public Func<ReceivedWebhook, Task<ReceiverReply>> Reply { get; set; } = _ => Task.FromResult(ReceiverReply.Ok);
    public Uri BaseAddress { get; }

    private WebhookReceiver(WebApplication app, Uri baseAddress) { this.app = app; BaseAddress = baseAddress; }

    public string Url(string path = "hook") => new Uri(BaseAddress, path).AbsoluteUri;

    public IReadOnlyList<ReceivedWebhook> At(string path = "hook") => Received.Where(r => r.Path == "/" + path).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var received = new ReceivedWebhook(http.Request.Path.Value ?? "/", headers, body, TimeProvider.System.GetUtcNow());
            receiver!.Received.Enqueue(received);
            var reply = await receiver.Reply(received);
            http.Response.StatusCode = reply.Status;
            foreach (var (k, v) in reply.Headers ?? new Dictionary<string, string>()) http.Response.Headers[k] = v;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address.TrimEnd('/') + "/"));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>
/// How a receiver checks RevLoop-Signature, written independently of the server's code: HMAC-SHA256 over "t.body"
/// for each v1, constant-time compare, and a 300 s tolerance on t.
/// </summary>
public static class SignatureCheck
{
    public static string Hmac(string secret, string signedPayload) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(signedPayload))).ToLowerInvariant();

    public static (long Timestamp, List<string> V1) Parse(string header)
    {
        long t = -1;
        var v1 = new List<string>();
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) continue;
            if (kv[0] == "t") t = long.Parse(kv[1], CultureInfo.InvariantCulture);
            else if (kv[0] == "v1") v1.Add(kv[1]);
        }
        return (t, v1);
    }

    public static bool Verify(string header, string body, string secret, DateTimeOffset now, int toleranceSeconds = 300)
    {
        var (t, v1) = Parse(header);
        if (t < 0 || Math.Abs(now.ToUnixTimeSeconds() - t) > toleranceSeconds) return false;
        var expected = Encoding.ASCII.GetBytes(Hmac(secret, $"{t}.{body}"));
        return v1.Any(v => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(v)));
    }
}

/// <summary>The real clock plus an offset the test moves forward; timers and delays stay real.</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long offsetTicks;
    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));
}

public static class Eventually
{
    /// <summary>Polls until the condition holds; fails with the message after the timeout (no endless waits).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var until = TimeProvider.System.GetUtcNow() + timeout;
        while (true)
        {
            if (await condition()) return;
            if (TimeProvider.System.GetUtcNow() > until) Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}");
            await Task.Delay(50);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what) => HoldsAsync(() => Task.FromResult(condition()), timeout, what);
}

public static class WebhookTesting
{
    /// <summary>Production behaviour with test timings: poll 50 ms, retries after 200 ms (doubling, at most 2 s).</summary>
    public static ServeOptions Fast(ServeOptions o, Action<IServiceCollection>? services = null, bool runWorkers = true, TimeSpan? lease = null) => new()
    {
        Database = o.Database, Urls = o.Urls, RateLimitPerMinute = o.RateLimitPerMinute, RunWorkers = runWorkers, ConfigureServices = services,
        Webhooks = new WebhookOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(50), BackoffBase = TimeSpan.FromMilliseconds(200), BackoffCap = TimeSpan.FromSeconds(2),
            LeaseDuration = lease ?? TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromSeconds(4),
        },
    };

    public static async Task<(Guid Id, string Secret)> CreateWebhookAsync(this HttpClient admin, string url, string filter, string? secret = null)
    {
        var response = await admin.PostJsonAsync("/api/v1/webhooks", secret is null ? new { url, eventFilter = filter } : new { url, eventFilter = filter, secret });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = await response.ReadJsonAsync();
        return (json.GetProperty("id").GetGuid(), json.GetProperty("secret").GetString()!);
    }

    public static async Task<Guid> CreateAccountAsync(this HttpClient client, string name)
    {
        var response = await client.PostJsonAsync("/api/v1/accounts", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    public static async Task<List<JsonElement>> DeliveriesAsync(this HttpClient admin, Guid webhookId)
    {
        var response = await admin.GetAsync($"/api/v1/webhooks/{webhookId}/deliveries?pageSize=500");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
    }
}
