using RevLoop.Platform;

namespace RevLoop.Marketing;

/// <summary>
/// A marketing campaign: what it is (type, channel), when it runs, what it may cost (budget) and what it did cost
/// (<see cref="CampaignCost"/> lines over time). Everyone sees every campaign, so it carries an owner but is not an owned record.
/// </summary>
public sealed class Campaign : ITrackedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string Type { get; set; } = CampaignTypes.Other;
    public string Channel { get; set; } = CampaignChannels.Other;
    public string Status { get; set; } = CampaignStatus.Planned;
    public DateOnly? StartDate { get; set; }
    public DateOnly? EndDate { get; set; }
    public string Currency { get; set; } = "USD";
    public long? BudgetMinor { get; set; }
    public Guid? OwnerId { get; set; }
    public Guid? ParentCampaignId { get; set; }
    /// <summary>The utm_campaign value that attributes a website touch to this campaign (lower-case).</summary>
    public string? UtmCampaign { get; set; }
    public string? Description { get; set; }
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public static class CampaignTypes
{
    public const string Other = "other";
    public static readonly IReadOnlyList<string> All = ["webinar", "event", "paid", "content", "email", "abm", "partner", "referral", Other];
}

public static class CampaignChannels
{
    public const string Other = "other";
    public static readonly IReadOnlyList<string> All = ["email", "paid_search", "paid_social", "display", "organic_search", "social", "events", "partner", "direct", "content", Other];
}

public static class CampaignStatus
{
    public const string Planned = "planned";
    public static readonly IReadOnlyList<string> All = [Planned, "active", "completed", "aborted"];
}

/// <summary>One cost of a campaign on a day (an invoice, a month of ad spend), in the campaign's currency.</summary>
public sealed class CampaignCost
{
    public long Id { get; set; }
    public Guid CampaignId { get; set; }
    public DateOnly Date { get; set; }
    public long AmountMinor { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A contact or lead in a campaign and how far they got (invited, registered, attended...).</summary>
public sealed class CampaignMember
{
    public long Id { get; set; }
    public Guid CampaignId { get; set; }
    /// <summary>"contact" or "lead".</summary>
    public string PersonType { get; set; } = "";
    public Guid PersonId { get; set; }
    public string Status { get; set; } = CampaignMemberStatus.Targeted;
    public DateTimeOffset AddedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class CampaignMemberStatus
{
    public const string Targeted = "targeted", Invited = "invited", Registered = "registered", Attended = "attended", NoShow = "no_show", Responded = "responded";
    public static readonly IReadOnlyList<string> All = [Targeted, Invited, Registered, Attended, NoShow, Responded];

    /// <summary>How far along a status is: an event never moves a member backwards (an attendee who later opens an email stays attended).</summary>
    public static int Rank(string status) => status switch
    {
        Targeted => 0, Invited => 1, Registered => 2, NoShow => 3, Responded => 4, Attended => 5, _ => 0,
    };
}

public static class PersonTypes
{
    public const string Contact = "contact", Lead = "lead";
}
