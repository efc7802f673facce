using RevLoop.Crm.Configuration;
using RevLoop.Platform;

namespace RevLoop.Crm.Contacts;

public sealed class Contact : IMergeableRecord, ITaggedRecord, IOwnedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The record's id in the system it was imported from (a Salesforce Id): re-importing matches it instead of duplicating.</summary>
    public string? ExternalId { get; set; }
    public Guid? AccountId { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? Title { get; set; }
    /// <summary>decision_maker, champion, influencer, user or key_person: the default role in this contact's deals.</summary>
    public string? DealRole { get; set; }
    public string? Email { get; set; }
    /// <summary>Lower-case, trimmed email: what duplicate detection and lead matching compare.</summary>
    [NotTracked] public string? NormalizedEmail { get; set; }
    /// <summary>E.164 phone number (+4930123456).</summary>
    public string? Phone { get; set; }
    /// <summary>Further email addresses besides <see cref="Email"/>, one per line, as given (trimmed).</summary>
    public string? ExtraEmails { get; set; }
    /// <summary>Further E.164 phone numbers besides <see cref="Phone"/>, one per line.</summary>
    public string? ExtraPhones { get; set; }
    public string EmailConsent { get; set; } = Consent.Unknown;
    public string PhoneConsent { get; set; } = Consent.Unknown;
    public string SmsConsent { get; set; } = Consent.Unknown;
    public Guid? OwnerId { get; set; }
    public Guid? OwnerTeamId { get; set; }
    /// <summary>The score (fit from the contact's title and account, plus decayed behaviour points) and its breakdown; derived, so not field history.</summary>
    [NotTracked] public int Score { get; set; }
    [NotTracked] public string? ScoreBreakdown { get; set; }
    [NotTracked] public DateTimeOffset? ScoredAt { get; set; }
    /// <summary>Set when this contact was merged into another one (and soft-deleted): the survivor.</summary>
    public Guid? MergedIntoId { get; set; }
    public string? Tags { get; set; }
    /// <summary>Written to history per key (CustomFields.key) by the interceptor, not as one JSON blob.</summary>
    [NotTracked] public string? CustomFields { get; set; }
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    public static readonly IReadOnlyList<string> DealRoles = ["decision_maker", "champion", "influencer", "user", "key_person"];
}

/// <summary>Consent per channel; when and from where it was given lives in the field history (source and time of the change).</summary>
public static class Consent
{
    public const string OptedIn = "opted_in", OptedOut = "opted_out", Unknown = "unknown";
    public static readonly IReadOnlyList<string> All = [OptedIn, OptedOut, Unknown];
}
