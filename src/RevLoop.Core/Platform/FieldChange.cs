namespace RevLoop.Platform;

/// <summary>One changed field of one record: the history that audit, as-of snapshots, time in stage and slips are read from.</summary>
public sealed class FieldChange
{
    public long Id { get; set; }
    public string EntityType { get; set; } = "";
    public Guid EntityId { get; set; }
    public string Field { get; set; } = "";
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public string ChangedBy { get; set; } = "";
    public string Source { get; set; } = "";
    /// <summary>Groups the rows written by one SaveChanges so a timeline can show one entry per edit.</summary>
    public Guid ChangeSetId { get; set; }
}

public static class ChangeSources
{
    public const string Ui = "ui", Api = "api", Import = "import", Sync = "sync", Cli = "cli", System = "system", Merge = "merge";
}
