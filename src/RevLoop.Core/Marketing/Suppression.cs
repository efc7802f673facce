namespace RevLoop.Marketing;

/// <summary>An email address or a whole domain nobody in RevLoop may email, whatever a person's consent says.</summary>
public sealed class SuppressionEntry
{
    public long Id { get; set; }
    /// <summary>"email" or "domain".</summary>
    public string Kind { get; set; } = "";
    /// <summary>Lower-case email or domain.</summary>
    public string Value { get; set; } = "";
    public string? Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
}

/// <summary>A time RevLoop did not contact someone because consent or the suppression list said no: who, which channel, why.</summary>
public sealed class ContactBlock
{
    public long Id { get; set; }
    public string PersonType { get; set; } = "";
    public Guid PersonId { get; set; }
    public string Channel { get; set; } = "";
    /// <summary>What was about to happen (send_email, call_task, sms, or what the caller named).</summary>
    public string Action { get; set; } = "";
    public string Reason { get; set; } = "";
    public DateTimeOffset BlockedAt { get; set; }
    public string Actor { get; set; } = "";
}
