namespace RevLoop.Marketing;

/// <summary>
/// One behavioural touch (page view, form submit, webinar attended...), append-only. The person is resolved at ingestion
/// (contact, lead, or only an anonymous visitor id until that visitor is identified; see docs/decisions/0011).
/// </summary>
public sealed class MarketingEvent
{
    public long Id { get; set; }
    /// <summary>The sender's id for the event: a second delivery with the same id is a duplicate, not a new touch.</summary>
    public string EventId { get; set; } = "";
    public string Type { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>"contact" or "lead", with <see cref="PersonId"/>; null while only the visitor is known.</summary>
    public string? PersonType { get; set; }
    public Guid? PersonId { get; set; }
    public string? VisitorId { get; set; }
    /// <summary>The lower-case email the event named, kept even when it matched nobody.</summary>
    public string? Email { get; set; }
    public Guid? CampaignId { get; set; }
    public string? Url { get; set; }
    public string? Feature { get; set; }
    public string? UtmSource { get; set; }
    public string? UtmMedium { get; set; }
    public string? UtmCampaign { get; set; }
}

public static class MarketingEventTypes
{
    public const string PageView = "page_view", FormSubmit = "form_submit", ContentDownload = "content_download", WebinarAttended = "webinar_attended",
        EmailOpen = "email_open", EmailClick = "email_click", DemoRequest = "demo_request", ProductUsage = "product_usage";
    public static readonly IReadOnlyList<string> All = [PageView, FormSubmit, ContentDownload, WebinarAttended, EmailOpen, EmailClick, DemoRequest, ProductUsage];
}

/// <summary>An anonymous visitor id that has been identified as a person: later events with only the visitor id go to that person.</summary>
public sealed class VisitorIdentity
{
    public string VisitorId { get; set; } = "";
    public string PersonType { get; set; } = "";
    public Guid PersonId { get; set; }
    public DateTimeOffset IdentifiedAt { get; set; }
}

/// <summary>A key a website embeds to send events: it can only add events (no reads), so it may be public.</summary>
public sealed class TrackingKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Key { get; set; } = "";
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
