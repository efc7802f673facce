using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Integration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Integration.Webhooks;

public sealed record WebhookInput(string? Url, string? EventFilter, string? Secret = null);

public sealed record WebhookDto(Guid Id, string Url, string EventFilter, string Status, DateTimeOffset CreatedAt, Guid? CreatedBy,
    DateTimeOffset? FailingSince, DateTimeOffset? DisabledAt, DateTimeOffset? PreviousSecretExpiresAt)
{
    public static WebhookDto From(WebhookSubscription s, DateTimeOffset now) => new(s.Id, s.Url, s.EventFilter, s.DisabledAt is null ? "active" : "disabled",
        s.CreatedAt, s.CreatedBy, s.FailingSince, s.DisabledAt, s.PreviousSecretExpiresAt > now ? s.PreviousSecretExpiresAt : null);
}

/// <summary>The answer to create: the webhook and its signing secret, shown this once.</summary>
public sealed record WebhookCreatedDto(Guid Id, string Url, string EventFilter, string Status, DateTimeOffset CreatedAt, string Secret);

public sealed record SecretRotatedDto(Guid Id, string Secret, DateTimeOffset PreviousSecretExpiresAt);

public sealed record WebhookAttemptDto(DateTimeOffset AttemptedAt, int? StatusCode, string? Error, int DurationMs);

public sealed record WebhookDeliveryDto(Guid Id, Guid SubscriptionId, Guid EventId, string EventType, string Status, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, IReadOnlyList<WebhookAttemptDto> AttemptLog);

/// <summary>Webhook subscriptions, their delivery log and manual redelivery; admins only (they hold signing secrets).</summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireAuthorization(ApiPolicies.Admin);
        group.MapGet("/", List).WithName("ListWebhooks");
        group.MapGet("/{id:guid}", Get).WithName("GetWebhook");
        group.MapPost("/", Create);
        group.MapDelete("/{id:guid}", Delete);
        group.MapPost("/{id:guid}/rotate-secret", RotateSecret);
        group.MapPost("/{id:guid}/enable", Enable);
        group.MapGet("/{id:guid}/deliveries", Deliveries).WithName("ListWebhookDeliveries");
        group.MapPost("/deliveries/{id:guid}/redeliver", Redeliver);
        return group;
    }

    private static DateTimeOffset Now(TimeProvider clock) => DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());

    public static async Task<Ok<Page<WebhookDto>>> List(string? cursor, int? pageSize, RevLoopDb db, TimeProvider clock, CancellationToken ct)
    {
        var size = Paging.Size(pageSize);
        IQueryable<WebhookSubscription> q = db.WebhookSubscriptions.AsNoTracking();
        if (cursor is not null)
        {
            var parts = Paging.DecodeCursor(cursor, 1);
            if (!Guid.TryParse(parts[0], out var after)) throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(s => s.Id.CompareTo(after) > 0);
        }
        var rows = await q.OrderBy(s => s.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Id.ToString()) : null;
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new Page<WebhookDto>(rows.Take(size).Select(s => WebhookDto.From(s, now)).ToList(), next, size));
    }

    public static async Task<Results<Ok<WebhookDto>, NotFound>> Get(Guid id, RevLoopDb db, TimeProvider clock, CancellationToken ct)
    {
        var s = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        return s is null ? TypedResults.NotFound() : TypedResults.Ok(WebhookDto.From(s, clock.GetUtcNow()));
    }

    public static async Task<Created<WebhookCreatedDto>> Create(WebhookInput input, RevLoopDb db, TimeProvider clock, ClaimsPrincipal user, CancellationToken ct)
    {
        var url = ValidUrl(input.Url);
        var filter = EventFilter.Normalise(input.EventFilter);
        var secret = input.Secret is null ? WebhookSignature.NewSecret() : ValidSecret(input.Secret);
        var s = new WebhookSubscription
        {
            Url = url, EventFilter = filter, Secret = secret, CreatedAt = Now(clock),
            CreatedBy = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var uid) ? uid : null,
        };
        db.WebhookSubscriptions.Add(s);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/webhooks/{s.Id}", new WebhookCreatedDto(s.Id, s.Url, s.EventFilter, "active", s.CreatedAt, secret));
    }

    public static async Task<Results<NoContent, NotFound>> Delete(Guid id, RevLoopDb db, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var deliveries = db.WebhookDeliveries.Where(d => d.SubscriptionId == id).Select(d => d.Id);
        await db.WebhookAttempts.Where(a => deliveries.Contains(a.DeliveryId)).ExecuteDeleteAsync(ct);
        await db.WebhookDeliveries.Where(d => d.SubscriptionId == id).ExecuteDeleteAsync(ct);
        var n = await db.WebhookSubscriptions.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
        if (n == 0) return TypedResults.NotFound();
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>A new secret signs from now on; the previous one keeps signing too (a second v1) for 24 hours.</summary>
    public static async Task<Results<Ok<SecretRotatedDto>, NotFound>> RotateSecret(Guid id, RevLoopDb db, TimeProvider clock, WebhookOptions options, CancellationToken ct)
    {
        var s = await db.WebhookSubscriptions.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        var now = Now(clock);
        s.PreviousSecret = s.Secret;
        s.PreviousSecretExpiresAt = now + options.PreviousSecretLifetime;
        s.Secret = WebhookSignature.NewSecret();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new SecretRotatedDto(s.Id, s.Secret, s.PreviousSecretExpiresAt.Value));
    }

    /// <summary>Re-enables a disabled webhook; its pending deliveries are due again at once.</summary>
    public static async Task<Results<Ok<WebhookDto>, NotFound>> Enable(Guid id, RevLoopDb db, TimeProvider clock, CancellationToken ct)
    {
        var s = await db.WebhookSubscriptions.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        var now = Now(clock);
        if (s.DisabledAt is not null)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            s.DisabledAt = null;
            s.FailingSince = null;
            await db.SaveChangesAsync(ct);
            await db.WebhookDeliveries.Where(d => d.SubscriptionId == id && d.Status == WebhookDeliveryStatus.Pending)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.NextAttemptAt, now), ct);
            await tx.CommitAsync(ct);
        }
        return TypedResults.Ok(WebhookDto.From(s, now));
    }

    public sealed record DeliveriesQuery(string? Status, string? Cursor, int? PageSize);

    /// <summary>Newest first, with every attempt (time, status code, error, duration).</summary>
    public static async Task<Results<Ok<Page<WebhookDeliveryDto>>, NotFound>> Deliveries(Guid id, [AsParameters] DeliveriesQuery query, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, ct)) return TypedResults.NotFound();
        var size = Paging.Size(query.PageSize);
        var q = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (query.Status is { } status)
        {
            if (status is not (WebhookDeliveryStatus.Pending or WebhookDeliveryStatus.Delivered or WebhookDeliveryStatus.Failed))
                throw new InputException("status", "must be one of pending, delivered, failed");
            q = q.Where(d => d.Status == status);
        }
        if (query.Cursor is { } cursor)
        {
            var parts = Paging.DecodeCursor(cursor, 2);
            if (!long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) || !Guid.TryParse(parts[1], out var lastId))
                throw new InputException("cursor", "is not a cursor this list returned");
            var last = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            q = q.Where(d => d.CreatedAt < last || (d.CreatedAt == last && d.Id.CompareTo(lastId) < 0));
        }
        var rows = await (from d in q
                          join e in db.OutboxEvents on d.EventId equals e.Id
                          orderby d.CreatedAt descending, d.Id descending
                          select new { Delivery = d, e.Type }).Take(size + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > size)
        {
            rows.RemoveAt(size);
            var last = rows[^1].Delivery;
            next = Paging.EncodeCursor(last.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), last.Id.ToString());
        }
        var ids = rows.Select(r => r.Delivery.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.Id).ToListAsync(ct))
            .ToLookup(a => a.DeliveryId);
        return TypedResults.Ok(new Page<WebhookDeliveryDto>(rows.Select(r => ToDto(r.Delivery, r.Type, attempts[r.Delivery.Id])).ToList(), next, size));
    }

    private static WebhookDeliveryDto ToDto(WebhookDelivery d, string type, IEnumerable<WebhookAttempt> attempts) => new(
        d.Id, d.SubscriptionId, d.EventId, type, d.Status, d.Attempts, d.CreatedAt,
        d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt,
        attempts.Select(a => new WebhookAttemptDto(a.AttemptedAt, a.StatusCode, a.Error, a.DurationMs)).ToList());

    /// <summary>Queues a delivery for an immediate new attempt; only for deliveries created within the last 30 days.</summary>
    public static async Task<Results<Accepted<WebhookDeliveryDto>, NotFound, ProblemHttpResult>> Redeliver(Guid id, RevLoopDb db, TimeProvider clock, WebhookOptions options, CancellationToken ct)
    {
        var d = await db.WebhookDeliveries.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (d is null) return TypedResults.NotFound();
        var now = Now(clock);
        if (d.CreatedAt < now - options.RedeliveryWindow)
            return Problems.Status(409, "Delivery too old to redeliver",
                $"Deliveries can be redelivered for {options.RedeliveryWindow.TotalDays.ToString(CultureInfo.InvariantCulture)} days after they were created; "
                + $"this one was created on {d.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.");
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstAsync(s => s.Id == d.SubscriptionId, ct);
        if (subscription.DisabledAt is not null)
            return Problems.Status(409, "Webhook is disabled", $"Enable the webhook first: POST /api/v1/webhooks/{subscription.Id}/enable.");
        d.Status = WebhookDeliveryStatus.Pending;
        d.NextAttemptAt = now;
        d.LeasedUntil = null; // an attempt still in flight no longer counts; this one is sent afresh
        await db.SaveChangesAsync(ct);
        var type = await db.OutboxEvents.Where(e => e.Id == d.EventId).Select(e => e.Type).FirstOrDefaultAsync(ct) ?? "";
        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == id).OrderBy(a => a.Id).ToListAsync(ct);
        return TypedResults.Accepted($"/api/v1/webhooks/{d.SubscriptionId}/deliveries", ToDto(d, type, attempts));
    }

    private static string ValidUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) throw new InputException("url", "is required: the absolute http or https address that receives the events");
        url = url.Trim();
        if (url.Length > 2000) throw new InputException("url", "must be at most 2000 characters");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            throw new InputException("url", $"'{url}' is not an absolute http or https URL");
        if (!string.IsNullOrEmpty(uri.UserInfo)) throw new InputException("url", "must not contain a user name or password");
        if (!string.IsNullOrEmpty(uri.Fragment)) throw new InputException("url", "must not contain a fragment (#...)");
        return uri.AbsoluteUri;
    }

    private static string ValidSecret(string secret)
    {
        if (secret.Length is < 16 or > 200) throw new InputException("secret", "must be 16 to 200 characters (omit it to have one generated)");
        if (secret.Any(char.IsWhiteSpace)) throw new InputException("secret", "must not contain spaces");
        return secret;
    }
}
