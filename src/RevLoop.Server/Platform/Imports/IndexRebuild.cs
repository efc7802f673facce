using Microsoft.EntityFrameworkCore;
using RevLoop.Data;

namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// A large import into SQLite that is one transaction (all-or-nothing, or a command-line import holding a file nothing
/// else has open, ADR 0020) sets aside the secondary indexes of the table it fills and builds them again just before it
/// commits (ADR 0019). SQLite enters each new row into every index at a random
/// place; CREATE INDEX sorts the finished table once instead. 1,000,000 deals into an empty table: 97.6-114.4 s → 80.8-93.5 s.
/// Readers keep seeing the table as it was, indexes included, until the commit; the write lock is held for the whole
/// import either way; a rollback (a rejected row, a failure) brings the indexes back with everything else.
/// Kept: unique indexes (they enforce a rule row by row) and every index on a column the import's lookups read
/// (<see cref="RecordCsv{T}.LookupColumns"/>). Only when the file at least doubles the table: below that, entering the
/// rows costs less than sorting the whole table again.
/// </summary>
public sealed class IndexRebuild
{
    /// <summary>Smaller imports gain nothing measurable.</summary>
    public const long FromRows = 10_000;

    private IndexRebuild(IReadOnlyList<string> definitions) => Definitions = definitions;

    /// <summary>The indexes set aside, by their CREATE statements as stored.</summary>
    public IReadOnlyList<string> Definitions { get; }

    /// <summary>Drops the indexes that can wait when this import qualifies; null when it does not.</summary>
    public static async Task<IndexRebuild?> BeginAsync(RevLoopDb db, Type record, IReadOnlyList<string>? lookupProperties, long expectedRows,
        CancellationToken ct)
    {
        if (!db.IsSqlite || lookupProperties is null || expectedRows < FromRows || db.Database.CurrentTransaction is null) return null;
        var entity = db.Model.FindEntityType(record) ?? throw new InvalidOperationException($"{record.Name} is not in the model");
        var table = entity.GetTableName()!;
        var keep = lookupProperties.Select(p => entity.FindProperty(p)?.GetColumnName() ?? throw new InvalidOperationException($"{record.Name} has no property {p}")).ToList();
        // The table's name comes from the model, not from input.
        var count = $"SELECT count(*) AS \"Value\" FROM \"{table}\"";
        var stored = await db.Database.SqlQueryRaw<long>(count).SingleAsync(ct);
        if (expectedRows < stored) return null;

        // Raw SQL runs in the context's current transaction (the import's).
        var indexes = await db.Database.SqlQueryRaw<StoredIndex>(
            "SELECT l.name AS \"Name\", m.sql AS \"Sql\" FROM pragma_index_list({0}) l JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name "
            + "WHERE l.origin = 'c' AND l.\"unique\" = 0 AND m.sql IS NOT NULL "
            + "AND NOT EXISTS (SELECT 1 FROM pragma_index_info(l.name) c, json_each({1}) k WHERE c.name = k.value) ORDER BY l.name",
            table, System.Text.Json.JsonSerializer.Serialize(keep)).ToListAsync(ct);
        if (indexes.Count == 0) return null;
        foreach (var index in indexes) await db.Database.ExecuteSqlRawAsync(Literal($"DROP INDEX \"{index.Name.Replace("\"", "\"\"", StringComparison.Ordinal)}\""), ct);
        return new IndexRebuild(indexes.Select(i => i.Sql).ToList());
    }

    /// <summary>Builds the indexes again, exactly as they were defined, in the import's transaction.</summary>
    public async Task FinishAsync(RevLoopDb db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("the import's transaction is gone");
        // SQLite sorts with a helper thread when allowed to; this connection only, put back afterwards.
        await db.Database.ExecuteSqlRawAsync("PRAGMA threads=2", ct);
        try
        {
            foreach (var definition in Definitions) await db.Database.ExecuteSqlRawAsync(Literal(definition), ct);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA threads=0", CancellationToken.None);
        }
    }

    /// <summary>SQL run as written: EF formats raw SQL as a format string ({0} placeholders) even without parameters, and
    /// a definition may hold braces (a JSON path in a partial index).</summary>
    private static string Literal(string sql) => sql.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);

    private sealed record StoredIndex(string Name, string Sql);
}
