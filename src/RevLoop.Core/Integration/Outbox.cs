namespace RevLoop.Integration;

/// <summary>A domain event written in the same transaction as the change that caused it.</summary>
public sealed class OutboxEvent
{
    public Guid Id { get; set; } = EventId.Next();
    public string Type { get; set; } = "";
    public string EntityType { get; set; } = "";
    public Guid EntityId { get; set; }
    public string Payload { get; set; } = "{}";
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>Set once deliveries were created for every matching webhook subscription.</summary>
    public DateTimeOffset? FannedOutAt { get; set; }
}

public sealed class WebhookSubscription
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Url { get; set; } = "";
    /// <summary>Comma-separated event types; "*" or "account.*" style wildcards.</summary>
    public string EventFilter { get; set; } = "*";
    public string Secret { get; set; } = "";
    /// <summary>The previous secret, still signed with until it expires, so receivers can rotate.</summary>
    public string? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTimeOffset? FailingSince { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
}

public sealed class WebhookDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid SubscriptionId { get; set; }
    public Guid EventId { get; set; }
    public string Status { get; set; } = WebhookDeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>A node that claimed the delivery holds it until then; after a crash the lease runs out and another try happens.</summary>
    public DateTimeOffset? LeasedUntil { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

public static class WebhookDeliveryStatus
{
    public const string Pending = "pending", Delivered = "delivered", Failed = "failed";
}

public sealed class WebhookAttempt
{
    public long Id { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public int DurationMs { get; set; }
}

/// <summary>The first response to a POST with an Idempotency-Key, replayed for the same key and body.</summary>
public sealed class IdempotencyRecord
{
    public long Id { get; set; }
    public string Principal { get; set; } = "";
    public string Key { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public int StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public byte[] Body { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}
