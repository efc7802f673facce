using RevLoop.Platform;

namespace RevLoop.Crm.Accounts;

public sealed class Account : IMergeableRecord, IOwnedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
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
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    public static readonly IReadOnlyList<string> Segments = ["smb", "mid_market", "enterprise"];
}
