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
    /// <summary>The person clicked the unsubscribe link of an email.</summary>
    public const string Unsubscribe = "unsubscribe";
}

/// <summary>
/// The opportunity fields the pipeline analytics rebuild deals from (stage, amount, close date). A partial covering index
/// holds exactly these rows, so the funnel, as-of pipeline, waterfall, risks and the win model read the index alone; a
/// query must repeat <see cref="Fields"/> as written (an IN list of these constants, in this order) for SQLite to use it.
/// A deal's values at creation are not rows of their own: they are in its creation row (<c>CreationRecord</c>), and a
/// reader derives them (ADR 0020). The value a field had when the deal was created is the old value of the field's first
/// row at or after the deal's creation, or, when there is no such row, the deal's value now; empty, there is no first row.
/// A database written before ADR 0020 stores the creation as a row with no old value, so this gives nothing to add there.
/// </summary>
public static class OpportunityHistoryRows
{
    public const string IndexName = "IX_FieldChanges_OpportunityHistory";
    public static readonly string[] Fields = ["StageId", "AmountMinor", "CloseDate"];
    public const string IndexFilter = "\"EntityType\" = 'opportunity' AND \"Field\" IN ('StageId', 'AmountMinor', 'CloseDate')";
}
