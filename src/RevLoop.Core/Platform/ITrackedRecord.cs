namespace RevLoop.Platform;

/// <summary>
/// A business record: its field changes are written to history, its changes emit domain events,
/// it is soft-deleted and carries a version for optimistic concurrency (ETag / If-Match).
/// </summary>
public interface ITrackedRecord
{
    Guid Id { get; }
    long Version { get; set; }
    DateTimeOffset CreatedAt { get; set; }
    DateTimeOffset UpdatedAt { get; set; }
    DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>A record with an owner: visibility (own / team / all) is decided from these two fields.</summary>
public interface IOwnedRecord
{
    Guid? OwnerId { get; set; }
    Guid? OwnerTeamId { get; set; }
}

/// <summary>Marks a property that is not written to field history (derived or bookkeeping values).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotTrackedAttribute : Attribute;

/// <summary>A record that can be merged into a duplicate of itself: merged records are soft-deleted and point to the survivor.</summary>
public interface IMergeableRecord : ITrackedRecord
{
    Guid? MergedIntoId { get; set; }
}
