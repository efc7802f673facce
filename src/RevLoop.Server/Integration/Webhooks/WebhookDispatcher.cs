using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Integration;
using RevLoop.Platform;

namespace RevLoop.Server.Integration.Webhooks;

/// <summary>A delivery this node holds until <see cref="LeasedUntil"/>; that value is also the fencing token of the claim.</summary>
public sealed record ClaimedDelivery(Guid Id, DateTimeOffset LeasedUntil);

/// <summary>
/// The three steps of webhook delivery, each its own short transaction: fan outbox events out into deliveries, claim due
/// deliveries under a lease, and send one claimed delivery and record the attempt. At-least-once: a delivery becomes
/// "delivered" only after a 2xx; a node that dies mid-send leaves it pending and it is sent again when the lease runs out.
/// </summary>
public sealed class WebhookDispatcher(IServiceScopeFactory scopes, WebhookOptions options, TimeProvider clock, ILogger<WebhookDispatcher> log) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Now at millisecond precision, what both databases store, so a value read back compares equal.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>
    /// Turns undispatched outbox events into one delivery per matching active subscription created before the event, and
    /// marks them fanned out, in one transaction. Returns how many events were handled.
    /// </summary>
    public async Task<int> FanOutAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        if (!await db.OutboxEvents.AnyAsync(e => e.FannedOutAt == null, ct)) return 0;
        var now = Now();
        // SQLite: BEGIN IMMEDIATE, writers are serialised. PostgreSQL: rows another node is fanning out are skipped.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var events = db.IsSqlite
            ? await db.OutboxEvents.Where(e => e.FannedOutAt == null).OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).Take(options.FanOutBatchSize).ToListAsync(ct)
            : await db.OutboxEvents.FromSqlRaw(
                """SELECT * FROM "OutboxEvents" WHERE "FannedOutAt" IS NULL ORDER BY "OccurredAt", "Id" LIMIT {0} FOR UPDATE SKIP LOCKED""",
                options.FanOutBatchSize).ToListAsync(ct);
        if (events.Count == 0) return 0;
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.DisabledAt == null)
            .Select(s => new { s.Id, s.EventFilter, s.CreatedAt }).ToListAsync(ct);
        var deliveries = 0;
        foreach (var e in events)
        {
            foreach (var s in subscriptions.Where(s => s.CreatedAt <= e.OccurredAt && EventFilter.Matches(s.EventFilter, e.Type)))
            {
                db.WebhookDeliveries.Add(new WebhookDelivery { SubscriptionId = s.Id, EventId = e.Id, CreatedAt = now, NextAttemptAt = now });
                deliveries++;
            }
            e.FannedOutAt = now;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (deliveries > 0) log.LogDebug("Fanned out {Events} events into {Deliveries} webhook deliveries", events.Count, deliveries);
        return events.Count;
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due deliveries of active subscriptions by setting their lease in one statement:
    /// PostgreSQL locks the candidates FOR UPDATE SKIP LOCKED, SQLite (one writer at a time) updates only rows whose
    /// lease is free. Two nodes never hold the same delivery at once.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int max, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var now = Now();
        var anyDue = await db.WebhookDeliveries.AnyAsync(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now
            && (d.LeasedUntil == null || d.LeasedUntil <= now), ct);
        if (!anyDue) return [];
        var until = now + options.LeaseDuration;
        List<Guid> ids = db.IsSqlite
            ? await db.Database.SqlQueryRaw<Guid>(
                """
                UPDATE "WebhookDeliveries" SET "LeasedUntil" = {1}
                WHERE "Id" IN (
                    SELECT d."Id" FROM "WebhookDeliveries" AS d JOIN "WebhookSubscriptions" AS s ON s."Id" = d."SubscriptionId"
                    WHERE d."Status" = 'pending' AND d."NextAttemptAt" <= {0} AND (d."LeasedUntil" IS NULL OR d."LeasedUntil" <= {0})
                      AND s."DisabledAt" IS NULL
                    ORDER BY d."NextAttemptAt" LIMIT {2})
                  AND "Status" = 'pending' AND ("LeasedUntil" IS NULL OR "LeasedUntil" <= {0})
                RETURNING "Id" AS "Value"
                """, now.ToUnixTimeMilliseconds(), until.ToUnixTimeMilliseconds(), max).ToListAsync(ct)
            : await db.Database.SqlQueryRaw<Guid>(
                """
                UPDATE "WebhookDeliveries" AS u SET "LeasedUntil" = {1}
                FROM (
                    SELECT d."Id" FROM "WebhookDeliveries" AS d JOIN "WebhookSubscriptions" AS s ON s."Id" = d."SubscriptionId"
                    WHERE d."Status" = 'pending' AND d."NextAttemptAt" <= {0} AND (d."LeasedUntil" IS NULL OR d."LeasedUntil" <= {0})
                      AND s."DisabledAt" IS NULL
                    ORDER BY d."NextAttemptAt" LIMIT {2}
                    FOR UPDATE OF d SKIP LOCKED) AS c
                WHERE u."Id" = c."Id"
                RETURNING u."Id" AS "Value"
                """, now, until, max).ToListAsync(ct);
        return ids.Select(id => new ClaimedDelivery(id, until)).ToList();
    }

    /// <summary>Sends one claimed delivery and records the attempt; never throws (errors are logged).</summary>
    public async Task SendAsync(ClaimedDelivery claim, CancellationToken stopping)
    {
        try
        {
            WebhookDelivery delivery;
            WebhookSubscription subscription;
            OutboxEvent ev;
            using (var scope = scopes.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
                var row = await (from d in db.WebhookDeliveries.AsNoTracking()
                                 join s in db.WebhookSubscriptions.AsNoTracking() on d.SubscriptionId equals s.Id
                                 join e in db.OutboxEvents.AsNoTracking() on d.EventId equals e.Id
                                 where d.Id == claim.Id
                                 select new { d, s, e }).FirstOrDefaultAsync(stopping);
                if (row is null) return; // deleted with its subscription meanwhile
                (delivery, subscription, ev) = (row.d, row.s, row.e);
            }

            var body = Body(ev);
            var attemptedAt = Now();
            using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation(WebhookSignature.Header,
                WebhookSignature.HeaderValue(WebhookSignature.ActiveSecrets(subscription, attemptedAt), attemptedAt.ToUnixTimeSeconds(), body));
            request.Headers.TryAddWithoutValidation(WebhookSignature.EventIdHeader, ev.Id.ToString());
            request.Headers.TryAddWithoutValidation(WebhookSignature.DeliveryIdHeader, delivery.Id.ToString());
            request.Headers.TryAddWithoutValidation("User-Agent", "RevLoop-Webhooks/1");

            var timeoutAfter = options.EffectiveRequestTimeout;
            var started = clock.GetTimestamp();
            int? status = null;
            string? error = null;
            TimeSpan? retryAfter = null;
            using var timeout = new CancellationTokenSource(timeoutAfter, clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                status = (int)response.StatusCode;
                if (status is < 200 or >= 300)
                {
                    error = $"HTTP {status} {response.ReasonPhrase}".TrimEnd() + await Snippet(response, linked.Token);
                    if (status == 429) retryAfter = WebhookRetry.RetryAfter(response.Headers.TryGetValues("Retry-After", out var v) ? v.FirstOrDefault() : null, clock.GetUtcNow());
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Shutting down: hand the delivery back at once instead of waiting for the lease to run out.
                await ReleaseAsync(claim);
                return;
            }
            catch (OperationCanceledException)
            {
                error = $"timed out after {timeoutAfter.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
            }
            catch (HttpRequestException e)
            {
                error = e.InnerException is { } inner && inner.Message != e.Message ? $"{e.Message} ({inner.Message})" : e.Message;
            }
            await RecordAsync(claim, delivery, subscription, attemptedAt, clock.GetElapsedTime(started), status, error, retryAfter);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            log.LogError(e, "Webhook delivery {Delivery} could not be sent or recorded; it is tried again when its lease runs out", claim.Id);
        }
        catch (OperationCanceledException)
        {
            // shutting down; the lease runs out and another node (or the next start) sends it
        }
    }

    private static async Task<string> Snippet(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[500];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
                if (n == 0) break;
                read += n;
            }
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read).Trim();
            return text.Length == 0 ? "" : ": " + text;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
    }

    /// <summary>
    /// One transaction: the attempt row, the delivery's new state (only if this node still holds the lease), and the
    /// subscription's health (failing since / disabled with a notification to admins).
    /// </summary>
    private async Task RecordAsync(ClaimedDelivery claim, WebhookDelivery delivery, WebhookSubscription subscription, DateTimeOffset attemptedAt,
        TimeSpan duration, int? status, string? error, TimeSpan? retryAfter)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var ct = CancellationToken.None; // the outcome of a request that was sent is always recorded
        var now = Now();
        var success = status is >= 200 and < 300;
        var attempts = delivery.Attempts + 1;
        var next = now;
        var newStatus = WebhookDeliveryStatus.Delivered;
        if (!success)
        {
            // Retry-After is honoured as given, but never sooner than a second: "0" must not turn into a hot loop.
            var delay = retryAfter is { } asked ? TimeSpan.FromTicks(Math.Max(asked.Ticks, TimeSpan.TicksPerSecond))
                : WebhookRetry.Backoff(attempts, options.BackoffBase, options.BackoffCap, Random.Shared.NextDouble());
            next = DateTimeOffset.FromUnixTimeMilliseconds((now + delay).ToUnixTimeMilliseconds());
            newStatus = WebhookRetry.IsRetryable(status) && next <= delivery.CreatedAt + options.RetryWindow ? WebhookDeliveryStatus.Pending : WebhookDeliveryStatus.Failed;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var held = await db.WebhookDeliveries.Where(d => d.Id == claim.Id && d.LeasedUntil == claim.LeasedUntil).ExecuteUpdateAsync(u =>
        {
            u.SetProperty(d => d.Status, newStatus);
            u.SetProperty(d => d.Attempts, d => d.Attempts + 1);
            u.SetProperty(d => d.NextAttemptAt, next);
            u.SetProperty(d => d.LeasedUntil, (DateTimeOffset?)null);
            if (success) u.SetProperty(d => d.DeliveredAt, now);
        }, ct);
        if (held == 0 && !await db.WebhookDeliveries.AnyAsync(d => d.Id == claim.Id, ct)) return; // deleted meanwhile
        if (held == 0) log.LogInformation("Webhook delivery {Delivery} was re-queued or re-claimed while in flight; its attempt is logged only", claim.Id);

        db.WebhookAttempts.Add(new WebhookAttempt
        {
            DeliveryId = claim.Id, AttemptedAt = attemptedAt, StatusCode = status,
            Error = error is { Length: > 2000 } ? error[..2000] : error, DurationMs = (int)Math.Min(int.MaxValue, duration.TotalMilliseconds),
        });
        if (success)
        {
            await db.WebhookSubscriptions.Where(s => s.Id == subscription.Id && s.FailingSince != null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.FailingSince, (DateTimeOffset?)null), ct);
        }
        else
        {
            await db.WebhookSubscriptions.Where(s => s.Id == subscription.Id && s.FailingSince == null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.FailingSince, now), ct);
            var state = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.Id == subscription.Id)
                .Select(s => new { s.FailingSince, s.DisabledAt }).FirstOrDefaultAsync(ct);
            if (state is { DisabledAt: null, FailingSince: { } since } && now - since >= options.DisableAfter)
            {
                var disabled = await db.WebhookSubscriptions.Where(s => s.Id == subscription.Id && s.DisabledAt == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.DisabledAt, now), ct);
                if (disabled == 1) await NotifyAdminsAsync(db, subscription, since, now, ct);
            }
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (!success) log.LogInformation("Webhook delivery {Delivery} to {Url} failed ({Error}); now {Status}", claim.Id, subscription.Url, error, newStatus);
    }

    private async Task NotifyAdminsAsync(RevLoopDb db, WebhookSubscription subscription, DateTimeOffset since, DateTimeOffset now, CancellationToken ct)
    {
        var hours = Math.Floor(options.DisableAfter.TotalHours).ToString(CultureInfo.InvariantCulture);
        var text = $"Webhook {subscription.Url} ({subscription.Id}) disabled after {hours} h of failures "
            + $"(failing since {since.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC). Fix the endpoint, then re-enable it.";
        var admins = await db.Users.Where(u => u.Role == Roles.Admin).Select(u => u.Id).ToListAsync(ct);
        if (admins.Count == 0) db.Notifications.Add(new Notification { Kind = NotificationKind, Text = text, CreatedAt = now });
        foreach (var admin in admins) db.Notifications.Add(new Notification { UserId = admin, Kind = NotificationKind, Text = text, CreatedAt = now });
        log.LogWarning("Webhook {Subscription} to {Url} disabled after {Hours} h of failures", subscription.Id, subscription.Url, hours);
    }

    public const string NotificationKind = "webhook.disabled";

    private async Task ReleaseAsync(ClaimedDelivery claim)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            await db.WebhookDeliveries.Where(d => d.Id == claim.Id && d.LeasedUntil == claim.LeasedUntil)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.LeasedUntil, (DateTimeOffset?)null));
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not release the lease of webhook delivery {Delivery}; it is sent again when the lease runs out", claim.Id);
        }
    }

    /// <summary>The request body: {id, type, entityType, entityId, occurredAt, data}; the same bytes on every attempt.</summary>
    public static byte[] Body(OutboxEvent e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", e.Id);
            w.WriteString("type", e.Type);
            w.WriteString("entityType", e.EntityType);
            w.WriteString("entityId", e.EntityId);
            w.WriteString("occurredAt", e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WritePropertyName("data");
            w.WriteRawValue(string.IsNullOrWhiteSpace(e.Payload) ? "{}" : e.Payload);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public void Dispose() => http.Dispose();
}
