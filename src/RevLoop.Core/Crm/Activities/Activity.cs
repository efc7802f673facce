using RevLoop.Platform;

namespace RevLoop.Crm.Activities;

/// <summary>A call, email, meeting, note or task on a record's timeline; tasks have a due time, an assignee (owner) and a status.</summary>
public sealed class Activity : ITrackedRecord, IOwnedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Type { get; set; } = ActivityTypes.Note;
    public string Subject { get; set; } = "";
    public string? Body { get; set; }
    /// <summary>When the call, email or meeting happened (or was created, for notes and tasks).</summary>
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string Status { get; set; } = ActivityStatus.Open;
    public Guid? AccountId { get; set; }
    public Guid? ContactId { get; set; }
    public Guid? LeadId { get; set; }
    public Guid? OpportunityId { get; set; }
    /// <summary>The assignee of a task, the author of anything else.</summary>
    public Guid? OwnerId { get; set; }
    public Guid? OwnerTeamId { get; set; }
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public static class ActivityTypes
{
    public const string Call = "call", Email = "email", Meeting = "meeting", Note = "note", Task = "task";
    public static readonly IReadOnlyList<string> All = [Call, Email, Meeting, Note, Task];
}

public static class ActivityStatus
{
    public const string Open = "open", Done = "done", Cancelled = "cancelled";
    public static readonly IReadOnlyList<string> All = [Open, Done, Cancelled];
}
