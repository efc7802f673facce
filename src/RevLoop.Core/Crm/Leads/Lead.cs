using RevLoop.Crm.Configuration;
using RevLoop.Platform;

namespace RevLoop.Crm.Leads;

/// <summary>A person and company before conversion into contact, account and (optionally) opportunity.</summary>
public sealed class Lead : IMergeableRecord, ITaggedRecord, IOwnedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The record's id in the system it was imported from (a Salesforce Id): re-importing matches it instead of duplicating.</summary>
    public string? ExternalId { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? Title { get; set; }
    public string? Email { get; set; }
    [NotTracked] public string? NormalizedEmail { get; set; }
    public string? Phone { get; set; }
    /// <summary>Further email addresses besides <see cref="Email"/>, one per line, as given (trimmed).</summary>
    public string? ExtraEmails { get; set; }
    /// <summary>Further E.164 phone numbers besides <see cref="Phone"/>, one per line.</summary>
    public string? ExtraPhones { get; set; }
    public string? Company { get; set; }
    public string? Domain { get; set; }
    public int? Employees { get; set; }
    public string? Industry { get; set; }
    public string? Country { get; set; }
    public string? Region { get; set; }
    public string Status { get; set; } = LeadStatus.New;
    public string? Source { get; set; }
    /// <summary>The pool (queue) a lead waits in until a rep claims it.</summary>
    public string? Pool { get; set; }
    public string EmailConsent { get; set; } = Contacts.Consent.Unknown;
    public string PhoneConsent { get; set; } = Contacts.Consent.Unknown;
    public string SmsConsent { get; set; } = Contacts.Consent.Unknown;
    public Guid? OwnerId { get; set; }
    public Guid? OwnerTeamId { get; set; }
    /// <summary>When the lead became marketing-qualified (score crossed the threshold, or a demo request); kept when it moves on.</summary>
    public DateTimeOffset? MqlAt { get; set; }
    /// <summary>When sales accepted the lead (status sql).</summary>
    public DateTimeOffset? SqlAt { get; set; }
    /// <summary>When sales last rejected the lead back to nurture, and why.</summary>
    public DateTimeOffset? SqlRejectedAt { get; set; }
    public string? SqlRejectedReason { get; set; }
    /// <summary>
    /// The lead score (fit + decayed behaviour points, see ScoringRule) and its breakdown (JSON: rule, points, why). Derived
    /// from rules and events, so not field history: a page view is not a change someone made, and it must not make an open
    /// edit form stale (no version bump).
    /// </summary>
    [NotTracked] public int Score { get; set; }
    [NotTracked] public string? ScoreBreakdown { get; set; }
    [NotTracked] public DateTimeOffset? ScoredAt { get; set; }
    public DateTimeOffset? ConvertedAt { get; set; }
    public Guid? ConvertedAccountId { get; set; }
    /// <summary>The existing account this lead's company was matched to (normalised domain, then name) when it arrived.</summary>
    public Guid? MatchedAccountId { get; set; }
    public Guid? ConvertedContactId { get; set; }
    public Guid? ConvertedOpportunityId { get; set; }
    /// <summary>Set when this lead was merged into another one (and soft-deleted): the survivor.</summary>
    public Guid? MergedIntoId { get; set; }
    public string? Tags { get; set; }
    /// <summary>Written to history per key (CustomFields.key) by the interceptor, not as one JSON blob.</summary>
    [NotTracked] public string? CustomFields { get; set; }
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public static class LeadStatus
{
    public const string New = "new", Working = "working", Nurturing = "nurturing", Mql = "mql", Sql = "sql", Disqualified = "disqualified", Converted = "converted";
    public static readonly IReadOnlyList<string> All = [New, Working, Nurturing, Mql, Sql, Disqualified, Converted];
}

public static class LeadSources
{
    public static readonly IReadOnlyList<string> All = ["inbound", "outbound", "partner", "event", "referral", "paid", "organic", "other"];
}
