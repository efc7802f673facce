namespace RevLoop.Server.Platform.Imports;

/// <summary>What to do with a row that matches a stored record by its natural key (domain, name, email, external id).</summary>
public enum Dedupe
{
    /// <summary>The row goes to the reject file as a duplicate (the default).</summary>
    Skip,
    /// <summary>The row's non-blank cells overwrite the stored record's fields (with history).</summary>
    Merge,
    /// <summary>The row becomes a new record anyway.</summary>
    Create,
}

/// <param name="TakeUnusedDatabase">A large import may hold a SQLite file that nothing else has open and write it as one
/// transaction (<see cref="UnusedDatabase"/>): the command line's imports, never the server's.</param>
public sealed record ImportOptions(Dedupe Dedupe = Dedupe.Skip, bool AllOrNothing = false, ColumnMap? Map = null, bool TakeUnusedDatabase = false)
{
    public static Dedupe ParseDedupe(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "skip" => Dedupe.Skip,
        "merge" => Dedupe.Merge,
        "create" => Dedupe.Create,
        _ => throw new InputException("--dedupe", $"'{value}' is not one of skip, merge, create"),
    };
}

/// <summary>Rows read, what became of them, and where the rejected ones are.</summary>
public sealed record ImportResult(long Read, long Created, long Updated, long Rejected, bool RolledBack, string RejectPath, long Unchanged = 0)
{
    public string Summary => RolledBack
        ? $"Imported nothing: {Rejected} of {Read} rows are bad (--all-or-nothing); see {RejectPath}"
        : $"Read {Read} rows: {Created} created, {Updated} updated, " + (Unchanged > 0 ? $"{Unchanged} unchanged, " : "") + $"{Rejected} rejected" + (Rejected > 0 ? $" (see {RejectPath})" : "");
}

/// <summary>How far an import is: rows read and bytes of the file consumed (for a percentage), and the step it is on
/// once the rows are read, when that takes a while (building indexes, ADR 0019).</summary>
public readonly record struct ImportProgress(long Rows, long Bytes, long TotalBytes, string? Step = null);
