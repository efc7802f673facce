using RevLoop.Platform;

namespace RevLoop.Crm.Opportunities;

/// <summary>
/// A contact's role in one deal (decision_maker, champion, influencer, user, key_person). Which contact is primary is
/// the opportunity's <see cref="Opportunity.PrimaryContactId"/>, so there is one answer to that question.
/// </summary>
public sealed class OpportunityContactRole : ITrackedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OpportunityId { get; set; }
    public Guid ContactId { get; set; }
    public string Role { get; set; } = "";
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}
