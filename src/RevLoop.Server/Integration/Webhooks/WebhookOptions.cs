namespace RevLoop.Server.Integration.Webhooks;

/// <summary>Timings of webhook delivery. The defaults are the production values; tests shorten them.</summary>
public sealed class WebhookOptions
{
    /// <summary>How often the worker looks for new outbox events and due deliveries when it is idle.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a node holds a claimed delivery. After a crash the delivery is sent again once the lease ran out.
    /// The HTTP timeout is at most half of it, so a lease never runs out while its request is still in flight.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest a receiver may take to answer (capped at half the lease).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay; the n-th retry waits base * 2^(n-1), ±20% jitter, at most <see cref="BackoffCap"/>.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A delivery is retried until this long after it was created, then it is marked failed.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(72);

    /// <summary>A subscription whose deliveries failed without a single success for this long is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromHours(72);

    /// <summary>After a secret rotation the previous secret keeps signing for this long.</summary>
    public TimeSpan PreviousSecretLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Deliveries created longer ago than this cannot be redelivered by hand.</summary>
    public TimeSpan RedeliveryWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Deliveries one node sends at the same time.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Outbox events fanned out per transaction.</summary>
    public int FanOutBatchSize { get; set; } = 200;

    public TimeSpan EffectiveRequestTimeout => RequestTimeout < LeaseDuration / 2 ? RequestTimeout : LeaseDuration / 2;

    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentException("webhook poll interval must be positive");
        if (LeaseDuration < TimeSpan.FromSeconds(1)) throw new ArgumentException("webhook lease must be at least 1 second");
        if (RequestTimeout <= TimeSpan.Zero || BackoffBase <= TimeSpan.Zero || BackoffCap < BackoffBase) throw new ArgumentException("webhook timeout and backoff must be positive (cap >= base)");
        if (MaxConcurrency < 1 || FanOutBatchSize < 1) throw new ArgumentException("webhook concurrency and batch size must be at least 1");
    }
}
