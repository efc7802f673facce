using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Integration;
using RevLoop.Server.Integration.Webhooks;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Integration;

/// <summary>The worker in the running server delivering to a real HTTP receiver on 127.0.0.1.</summary>
public class WebhookDeliveryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static Task<RunningServer> StartAsync(string provider, Action<IServiceCollection>? services = null) =>
        RunningServer.StartAsync(provider, o => WebhookTesting.Fast(o, services));

    private static async Task<JsonElement> SingleDeliveryWhenAsync(HttpClient admin, Guid hook, string status)
    {
        JsonElement? found = null;
        await Eventually.HoldsAsync(async () =>
        {
            var all = await admin.DeliveriesAsync(hook);
            found = all.Count == 1 && all[0].GetProperty("status").GetString() == status ? all[0] : null;
            return found is not null;
        }, Wait, $"one delivery with status {status}");
        return found!.Value;
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Account_created_is_posted_to_the_receiver_with_a_valid_signature(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync(provider);
        using var admin = await server.AdminClientAsync();
        var hook = await admin.CreateWebhookAsync(receiver.Url(), "account.*");

        var accountId = await admin.CreateAccountAsync("Acme Signed");

        await Eventually.HoldsAsync(() => !receiver.Received.IsEmpty, Wait, "the webhook");
        var got = Assert.Single(receiver.Received);
        var json = got.Json;
        var eventId = server.Scoped(db => db.OutboxEvents.Where(e => e.EntityId == accountId && e.Type == "account.created").Select(e => e.Id).Single());
        Assert.Equal(eventId.ToString(), json.GetProperty("id").GetString());
        Assert.Equal(eventId.ToString(), got.Header("RevLoop-Event-Id"));
        Assert.Equal("application/json", got.Header("Content-Type"));
        Assert.Equal("account.created", json.GetProperty("type").GetString());
        Assert.Equal("account", json.GetProperty("entityType").GetString());
        Assert.Equal(accountId, json.GetProperty("entityId").GetGuid());
        Assert.InRange(TimeProvider.System.GetUtcNow() - json.GetProperty("occurredAt").GetDateTimeOffset(), TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Equal("Acme Signed", json.GetProperty("data").GetProperty("changes").GetProperty("name").GetProperty("new").GetString());

        var signature = got.Header("RevLoop-Signature")!;
        Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", signature);
        Assert.True(SignatureCheck.Verify(signature, got.Body, hook.Secret, TimeProvider.System.GetUtcNow()), $"signature {signature} must verify");
        Assert.False(SignatureCheck.Verify(signature, got.Body, "whsec_wrong", TimeProvider.System.GetUtcNow()));

        var delivery = await SingleDeliveryWhenAsync(admin, hook.Id, "delivered");
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(eventId, delivery.GetProperty("eventId").GetGuid());
        Assert.Equal("account.created", delivery.GetProperty("eventType").GetString());
        var attempt = Assert.Single(delivery.GetProperty("attemptLog").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("statusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("error").ValueKind);
        Assert.True(attempt.GetProperty("durationMs").GetInt32() >= 0);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Each_webhook_gets_only_the_event_types_its_filter_names(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync(provider);
        using var admin = await server.AdminClientAsync();
        await admin.CreateWebhookAsync(receiver.Url("deleted"), "account.deleted");
        await admin.CreateWebhookAsync(receiver.Url("updates"), "account.updated,contact.*");
        await admin.CreateWebhookAsync(receiver.Url("all"), "*");

        var id = await admin.CreateAccountAsync("Filter Co");
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"/api/v1/accounts/{id}", JsonContent("""{"industry":"Software"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/accounts/{id}")).StatusCode);

        await Eventually.HoldsAsync(() => receiver.At("all").Count == 3, Wait, "all three events at the catch-all webhook");
        await Eventually.HoldsAsync(() => server.Scoped(db => db.OutboxEvents.All(e => e.FannedOutAt != null)
            && !db.WebhookDeliveries.Any(d => d.Status != WebhookDeliveryStatus.Delivered)), Wait, "every delivery done");
        Assert.Equal(["account.deleted"], receiver.At("deleted").Select(r => r.Type));
        Assert.Equal(["account.updated"], receiver.At("updates").Select(r => r.Type));
        Assert.Equal(["account.created", "account.deleted", "account.updated"], receiver.At("all").Select(r => r.Type).Order());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_500_is_retried_and_the_delivery_succeeds_with_two_attempts_logged(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var calls = 0;
        receiver.Reply = _ => Task.FromResult(Interlocked.Increment(ref calls) == 1 ? new ReceiverReply(500) : ReceiverReply.Ok);
        await using var server = await StartAsync(provider);
        using var admin = await server.AdminClientAsync();
        var hook = await admin.CreateWebhookAsync(receiver.Url(), "*");

        await admin.CreateAccountAsync("Flaky Receiver Inc");

        var delivery = await SingleDeliveryWhenAsync(admin, hook.Id, "delivered");
        Assert.Equal(2, delivery.GetProperty("attempts").GetInt32());
        var log = delivery.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal([500, 200], log.Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.StartsWith("HTTP 500", log[0].GetProperty("error").GetString());
        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(receiver.Received.First().Body, receiver.Received.Last().Body);
        Assert.Equal(receiver.Received.First().EventId, receiver.Received.Last().EventId);
        var subscription = server.Scoped(db => db.WebhookSubscriptions.AsNoTracking().Single());
        Assert.Null(subscription.FailingSince);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_400_is_final_one_attempt_and_failed(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Reply = _ => Task.FromResult(new ReceiverReply(400));
        await using var server = await StartAsync(provider);
        using var admin = await server.AdminClientAsync();
        var hook = await admin.CreateWebhookAsync(receiver.Url(), "*");

        await admin.CreateAccountAsync("Strict Receiver Inc");

        var delivery = await SingleDeliveryWhenAsync(admin, hook.Id, "failed");
        await Task.Delay(TimeSpan.FromMilliseconds(800)); // several retry periods of the test timings
        Assert.Single(receiver.Received);
        delivery = Assert.Single(await admin.DeliveriesAsync(hook.Id));
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(400, Assert.Single(delivery.GetProperty("attemptLog").EnumerateArray()).GetProperty("statusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("nextAttemptAt").ValueKind);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_429_is_retried_after_the_retry_after_seconds(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var calls = 0;
        receiver.Reply = _ => Task.FromResult(Interlocked.Increment(ref calls) == 1
            ? new ReceiverReply(429, new Dictionary<string, string> { ["Retry-After"] = "2" })
            : ReceiverReply.Ok);
        await using var server = await StartAsync(provider);
        using var admin = await server.AdminClientAsync();
        var hook = await admin.CreateWebhookAsync(receiver.Url(), "*");

        await admin.CreateAccountAsync("Busy Receiver Inc");

        var delivery = await SingleDeliveryWhenAsync(admin, hook.Id, "delivered");
        Assert.Equal([429, 200], delivery.GetProperty("attemptLog").EnumerateArray().Select(a => a.GetProperty("statusCode").GetInt32()));
        var times = receiver.Received.Select(r => r.ReceivedAt).ToList();
        // Without Retry-After the test timings would retry after about 0.2 s.
        Assert.InRange(times[1] - times[0], TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(6));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_webhook_failing_for_72_hours_is_disabled_and_admins_are_notified(string provider)
    {
        // The one test that needs time to pass faster than real: the real clock plus an offset moved forward here.
        var clock = new ShiftedClock();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Reply = _ => Task.FromResult(new ReceiverReply(503));
        await using var server = await StartAsync(provider, s => s.AddSingleton<TimeProvider>(clock));
        using var admin = await server.AdminClientAsync();
        var hook = await admin.CreateWebhookAsync(receiver.Url(), "*");
        await admin.CreateAccountAsync("Gone Receiver Inc");

        await Eventually.HoldsAsync(() => receiver.Received.Count >= 2, Wait, "a retried failure");
        var failing = await (await admin.GetAsync($"/api/v1/webhooks/{hook.Id}")).ReadJsonAsync();
        Assert.Equal("active", failing.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, failing.GetProperty("failingSince").ValueKind);

        clock.Advance(TimeSpan.FromHours(72) + TimeSpan.FromMinutes(1));

        await Eventually.HoldsAsync(async () => (await (await admin.GetAsync($"/api/v1/webhooks/{hook.Id}")).ReadJsonAsync())
            .GetProperty("status").GetString() == "disabled", Wait, "the webhook to be disabled");
        var notes = server.Scoped(db => db.Notifications.AsNoTracking().Where(n => n.Kind == WebhookDispatcher.NotificationKind).ToList());
        var note = Assert.Single(notes);
        Assert.Contains("disabled after 72 h of failures", note.Text);
        Assert.Contains(receiver.Url(), note.Text);
        var adminUser = server.Scoped(db => db.Users.AsNoTracking().Single(u => u.Role == RevLoop.Platform.Roles.Admin));
        Assert.Equal(adminUser.Id, note.UserId);
        // Its delivery ran out of its 72 h retry window as well, and nothing is sent to a disabled webhook.
        var delivery = await SingleDeliveryWhenAsync(admin, hook.Id, "failed");
        var sent = receiver.Received.Count;
        await admin.CreateAccountAsync("After Disable Inc");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(sent, receiver.Received.Count);
        Assert.Single(await admin.DeliveriesAsync(hook.Id));
        Assert.True(delivery.GetProperty("attempts").GetInt32() >= 3);

        // Fixed and re-enabled: new events flow again.
        receiver.Reply = _ => Task.FromResult(ReceiverReply.Ok);
        Assert.Equal("active", (await (await admin.PostAsync($"/api/v1/webhooks/{hook.Id}/enable", null)).ReadJsonAsync()).GetProperty("status").GetString());
        await admin.CreateAccountAsync("After Enable Inc");
        await Eventually.HoldsAsync(() => receiver.Received.Any(r => r.Json.GetProperty("data").GetProperty("changes").GetProperty("name").GetProperty("new").GetString() == "After Enable Inc"),
            Wait, "delivery after re-enabling");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Redelivery_works_within_30_days_and_is_refused_for_older_deliveries(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync(provider);
        using var admin = await server.AdminClientAsync();
        var hook = await admin.CreateWebhookAsync(receiver.Url(), "*");
        await admin.CreateAccountAsync("Redelivered Inc");
        var delivery = await SingleDeliveryWhenAsync(admin, hook.Id, "delivered");
        var deliveryId = delivery.GetProperty("id").GetGuid();

        var redeliver = await admin.PostAsync($"/api/v1/webhooks/deliveries/{deliveryId}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        Assert.Equal("pending", (await redeliver.ReadJsonAsync()).GetProperty("status").GetString());
        await Eventually.HoldsAsync(() => receiver.Received.Count == 2, Wait, "the redelivery");
        Assert.Equal(receiver.Received.First().EventId, receiver.Received.Last().EventId);
        await Eventually.HoldsAsync(async () => (await admin.DeliveriesAsync(hook.Id)).Single() is var d
            && d.GetProperty("status").GetString() == "delivered" && d.GetProperty("attempts").GetInt32() == 2, Wait, "two attempts logged");

        // A delivery created 31 days ago.
        var now = TimeProvider.System.GetUtcNow();
        var old = server.Scoped(db =>
        {
            var ev = new OutboxEvent { Type = "account.created", EntityType = "account", EntityId = Guid.NewGuid(), OccurredAt = now.AddDays(-31), FannedOutAt = now.AddDays(-31) };
            var d = new WebhookDelivery { SubscriptionId = hook.Id, EventId = ev.Id, Status = WebhookDeliveryStatus.Failed, Attempts = 9, CreatedAt = now.AddDays(-31), NextAttemptAt = now.AddDays(-28) };
            db.OutboxEvents.Add(ev);
            db.WebhookDeliveries.Add(d);
            db.SaveChanges();
            return d.Id;
        });
        var refused = await admin.PostAsync($"/api/v1/webhooks/deliveries/{old}/redeliver", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.ReadJsonAsync();
        Assert.Contains("30 days", problem.GetProperty("detail").GetString());
        Assert.Equal(WebhookDeliveryStatus.Failed, server.Scoped(db => db.WebhookDeliveries.AsNoTracking().Single(d => d.Id == old).Status));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/webhooks/deliveries/{Guid.NewGuid()}/redeliver", null)).StatusCode);
        await Task.Delay(300);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task After_rotating_the_secret_both_secrets_sign_for_24_hours(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync(provider);
        using var admin = await server.AdminClientAsync();
        var hook = await admin.CreateWebhookAsync(receiver.Url(), "*", "whsec_the_old_secret_value");
        var rotated = await (await admin.PostAsync($"/api/v1/webhooks/{hook.Id}/rotate-secret", null)).ReadJsonAsync();
        var newSecret = rotated.GetProperty("secret").GetString()!;

        await admin.CreateAccountAsync("Rotating Inc");

        await Eventually.HoldsAsync(() => !receiver.Received.IsEmpty, Wait, "the webhook");
        var got = receiver.Received.First();
        var header = got.Header("RevLoop-Signature")!;
        var (t, v1) = SignatureCheck.Parse(header);
        Assert.Equal(2, v1.Count);
        Assert.Equal(SignatureCheck.Hmac(newSecret, $"{t}.{got.Body}"), v1[0]);
        Assert.Equal(SignatureCheck.Hmac("whsec_the_old_secret_value", $"{t}.{got.Body}"), v1[1]);
        Assert.True(SignatureCheck.Verify(header, got.Body, newSecret, TimeProvider.System.GetUtcNow()));
        Assert.True(SignatureCheck.Verify(header, got.Body, "whsec_the_old_secret_value", TimeProvider.System.GetUtcNow()));
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/merge-patch+json");
}
