using RevLoop.Platform;

namespace RevLoop.Marketing;

/// <summary>
/// A target account list (account-based marketing): the accounts marketing and sales work together, optionally for one
/// campaign. Everyone sees every list, like campaigns; which member accounts a viewer sees follows account visibility.
/// </summary>
public sealed class TargetAccountList : ITrackedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public Guid? OwnerId { get; set; }
    public Guid? CampaignId { get; set; }
    public string? Description { get; set; }
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>An account on a target list, since when: pipeline "since added" counts the deals created from then on.</summary>
public sealed class TargetListAccount
{
    public long Id { get; set; }
    public Guid ListId { get; set; }
    public Guid AccountId { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}

/// <summary>The default points of one touch per event type in the account engagement score (documented in README.md).</summary>
public static class EngagementWeights
{
    public static readonly IReadOnlyDictionary<string, int> Defaults = new Dictionary<string, int>
    {
        [MarketingEventTypes.DemoRequest] = 30,
        [MarketingEventTypes.WebinarAttended] = 15,
        [MarketingEventTypes.ContentDownload] = 10,
        [MarketingEventTypes.FormSubmit] = 10,
        [MarketingEventTypes.EmailClick] = 5,
        [MarketingEventTypes.ProductUsage] = 5,
        [MarketingEventTypes.PageView] = 1,
        [MarketingEventTypes.EmailOpen] = 1,
    };
}
