using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Integration;
using RevLoop.Platform;
using RevLoop.Server.Integration.Webhooks;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Integration;

/// <summary>The webhook endpoints: validation, admin-only access, life cycle; and the claim/lease of the dispatcher.</summary>
public class WebhooksApiTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Create_refuses_bad_input_naming_the_field(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider, o => WebhookTesting.Fast(o, runWorkers: false));
        using var admin = await server.AdminClientAsync();

        async Task ExpectField(object body, string field)
        {
            var response = await admin.PostJsonAsync("/api/v1/webhooks", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.ReadJsonAsync();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected an error for {field}: {problem}");
        }

        await ExpectField(new { eventFilter = "*" }, "url");
        await ExpectField(new { url = "/relative/hook", eventFilter = "*" }, "url");
        await ExpectField(new { url = "ftp://example.com/hook", eventFilter = "*" }, "url");
        await ExpectField(new { url = "not a url", eventFilter = "*" }, "url");
        await ExpectField(new { url = "https://example.com/hook" }, "eventFilter");
        await ExpectField(new { url = "https://example.com/hook", eventFilter = "account..created" }, "eventFilter");
        await ExpectField(new { url = "https://example.com/hook", eventFilter = "account.*,,contact.*" }, "eventFilter");
        await ExpectField(new { url = "https://example.com/hook", eventFilter = "*", secret = "short" }, "secret");
        await ExpectField(new { url = "https://example.com/hook", eventFilter = "*", colour = "red" }, "colour");
        Assert.Equal(0, server.Scoped(db => db.WebhookSubscriptions.Count()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Webhooks_are_for_admins_only(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider, o => WebhookTesting.Fast(o, runWorkers: false));
        var revops = await server.CreateUserAsync("revops@example.com", Roles.RevOps);
        using var writer = await server.ClientForAsync(revops, "read,write");
        using var anonymous = server.ClientWithToken(null);

        Assert.Equal(HttpStatusCode.Forbidden, (await writer.PostJsonAsync("/api/v1/webhooks", new { url = "https://example.com/h", eventFilter = "*" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/api/v1/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/webhooks")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Create_list_get_rotate_enable_delete(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider, o => WebhookTesting.Fast(o, runWorkers: false));
        using var admin = await server.AdminClientAsync();

        var created = await admin.PostJsonAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/revloop", eventFilter = "Account.*, contact.created" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        var id = body.GetProperty("id").GetGuid();
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal("account.*,contact.created", body.GetProperty("eventFilter").GetString());
        Assert.Equal($"/api/v1/webhooks/{id}", created.Headers.Location?.OriginalString);

        var supplied = await admin.CreateWebhookAsync("http://127.0.0.1:9/other", "*", "my-own-secret-of-24-chars");
        Assert.Equal("my-own-secret-of-24-chars", supplied.Secret);

        var get = await (await admin.GetAsync($"/api/v1/webhooks/{id}")).ReadJsonAsync();
        Assert.Equal("active", get.GetProperty("status").GetString());
        Assert.Equal("https://hooks.example.com/revloop", get.GetProperty("url").GetString());
        Assert.False(get.TryGetProperty("secret", out _), "the secret is shown only once");

        var list = await (await admin.GetAsync("/api/v1/webhooks?pageSize=1")).ReadJsonAsync();
        Assert.Single(list.GetProperty("items").EnumerateArray());
        var cursor = list.GetProperty("nextCursor").GetString();
        var page2 = await (await admin.GetAsync($"/api/v1/webhooks?pageSize=1&cursor={cursor}")).ReadJsonAsync();
        Assert.Equal(new[] { id, supplied.Id }.Order(), new[] { list.GetProperty("items")[0].GetProperty("id").GetGuid(), page2.GetProperty("items")[0].GetProperty("id").GetGuid() }.Order());
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("nextCursor").ValueKind);

        var rotated = await admin.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var rotation = await rotated.ReadJsonAsync();
        var newSecret = rotation.GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        var expires = rotation.GetProperty("previousSecretExpiresAt").GetDateTimeOffset();
        Assert.InRange(expires - TimeProvider.System.GetUtcNow(), TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        var stored = server.Scoped(db => db.WebhookSubscriptions.AsNoTracking().First(s => s.Id == id));
        Assert.Equal((newSecret, secret), (stored.Secret, stored.PreviousSecret));

        // Disabled (as the worker does after 72 h of failures), then enabled again.
        server.Scoped(db => db.WebhookSubscriptions.Where(s => s.Id == id).ExecuteUpdate(u => u
            .SetProperty(s => s.DisabledAt, TimeProvider.System.GetUtcNow()).SetProperty(s => s.FailingSince, TimeProvider.System.GetUtcNow().AddHours(-72))));
        Assert.Equal("disabled", (await (await admin.GetAsync($"/api/v1/webhooks/{id}")).ReadJsonAsync()).GetProperty("status").GetString());
        var enabled = await admin.PostAsync($"/api/v1/webhooks/{id}/enable", null);
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var enabledBody = await enabled.ReadJsonAsync();
        Assert.Equal("active", enabledBody.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, enabledBody.GetProperty("failingSince").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/webhooks/{Guid.NewGuid()}/rotate-secret", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/webhooks/{Guid.NewGuid()}/deliveries")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Fan_out_is_idempotent_and_a_claim_holds_a_lease_until_it_runs_out(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider, o => WebhookTesting.Fast(o, runWorkers: false, lease: TimeSpan.FromSeconds(1)));
        using var admin = await server.AdminClientAsync();
        var hook = await admin.CreateWebhookAsync("http://127.0.0.1:9/hook", "account.*");
        var other = await admin.CreateWebhookAsync("http://127.0.0.1:9/other", "contact.*");
        await admin.CreateAccountAsync("Lease Co");
        var dispatcher = server.Services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(1, await dispatcher.FanOutAsync(CancellationToken.None));
        Assert.Equal(0, await dispatcher.FanOutAsync(CancellationToken.None));
        var deliveries = server.Scoped(db => db.WebhookDeliveries.AsNoTracking().ToList());
        Assert.Equal(hook.Id, Assert.Single(deliveries).SubscriptionId);
        Assert.DoesNotContain(deliveries, d => d.SubscriptionId == other.Id);
        Assert.True(server.Scoped(db => db.OutboxEvents.All(e => e.FannedOutAt != null)));

        // Two nodes claiming at the same moment: exactly one gets the delivery.
        var claims = await Task.WhenAll(dispatcher.ClaimAsync(10, CancellationToken.None), dispatcher.ClaimAsync(10, CancellationToken.None));
        var claimed = Assert.Single(claims.SelectMany(c => c));
        Assert.Equal(deliveries[0].Id, claimed.Id);
        Assert.Empty(await dispatcher.ClaimAsync(10, CancellationToken.None));
        var leased = server.Scoped(db => db.WebhookDeliveries.AsNoTracking().Single());
        Assert.Equal(claimed.LeasedUntil, leased.LeasedUntil);

        // The holder "crashed": once the lease ran out, the delivery can be claimed again.
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        var again = Assert.Single(await dispatcher.ClaimAsync(10, CancellationToken.None));
        Assert.True(again.LeasedUntil > claimed.LeasedUntil);

        // A disabled subscription's deliveries are not claimed.
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        server.Scoped(db => db.WebhookSubscriptions.Where(s => s.Id == hook.Id).ExecuteUpdate(u => u.SetProperty(s => s.DisabledAt, TimeProvider.System.GetUtcNow())));
        Assert.Empty(await dispatcher.ClaimAsync(10, CancellationToken.None));
        Assert.Equal(WebhookDeliveryStatus.Pending, server.Scoped(db => db.WebhookDeliveries.AsNoTracking().Single().Status));
    }
}
