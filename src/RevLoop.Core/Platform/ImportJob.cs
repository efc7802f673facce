namespace RevLoop.Platform;

/// <summary>
/// A CSV import started from the UI or API: it runs in the background and writes its progress here, so the upload page
/// can poll it and anyone can see what was imported, by whom, and with how many rejected rows.
/// </summary>
public sealed class ImportJob
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>accounts, contacts, leads or opportunities.</summary>
    public string Object { get; set; } = "";
    public string FileName { get; set; } = "";
    public string Dedupe { get; set; } = "skip";
    public bool AllOrNothing { get; set; }
    /// <summary>queued, running, done or failed.</summary>
    public string Status { get; set; } = ImportJobStatus.Queued;
    public long BytesTotal { get; set; }
    public long BytesRead { get; set; }
    public long Read { get; set; }
    public long Created { get; set; }
    public long Updated { get; set; }
    public long Rejected { get; set; }
    public bool RolledBack { get; set; }
    /// <summary>Why the whole file was refused (a bad header, an unreadable map); row errors go to the reject file.</summary>
    public string? Error { get; set; }
    public string CreatedBy { get; set; } = "";
    public Guid? CreatedByUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

public static class ImportJobStatus
{
    public const string Queued = "queued", Running = "running", Done = "done", Failed = "failed";
}
