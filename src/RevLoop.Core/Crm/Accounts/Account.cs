using RevLoop.Crm.Configuration;
using RevLoop.Platform;

namespace RevLoop.Crm.Accounts;

public sealed class Account : IMergeableRecord, ITaggedRecord, IOwnedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The record's id in the system it was imported from (a Salesforce Id): re-importing matches it instead of duplicating.</summary>
    public string? ExternalId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The company-directory key of <see cref="Name"/> (<see cref="CompanyNames.Normalise"/>) for matching and duplicates.</summary>
    [NotTracked] public string? NormalizedName { get; set; }
    public string? Domain { get; set; }
    public string? Industry { get; set; }
    public int? Employees { get; set; }
    public string? Segment { get; set; }
    public string? Region { get; set; }
    public string? Country { get; set; }
    public Guid? ParentAccountId { get; set; }
    public Guid? OwnerId { get; set; }
    public Guid? OwnerTeamId { get; set; }
    /// <summary>Set when this account was merged into another one (and soft-deleted): the survivor.</summary>
    public Guid? MergedIntoId { get; set; }
    /// <summary>
    /// True when the segment was set by someone; null (never false, so a derived segment writes no history row) when it is
    /// derived from employees by the company's segment bands.
    /// </summary>
    public bool? SegmentExplicit { get; set; }
    public string? Tags { get; set; }
    /// <summary>Written to history per key (CustomFields.key) by the interceptor, not as one JSON blob.</summary>
    [NotTracked] public string? CustomFields { get; set; }
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    public static readonly IReadOnlyList<string> Segments = ["smb", "mid_market", "enterprise"];
}
