using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using RevLoop.Data;

namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// A large all-or-nothing import into SQLite sets aside the secondary indexes of the table it fills and builds them again
/// just before it commits, in its one transaction (ADR 0019). SQLite enters each new row into every index at a random
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
        if (!db.IsSqlite || lookupProperties is null || expectedRows < FromRows || db.Database.CurrentTransaction is not { } transaction) return null;
        var entity = db.Model.FindEntityType(record) ?? throw new InvalidOperationException($"{record.Name} is not in the model");
        var table = entity.GetTableName()!;
        var keep = lookupProperties.Select(p => entity.FindProperty(p)?.GetColumnName() ?? throw new InvalidOperationException($"{record.Name} has no property {p}")).ToList();
        var connection = db.Database.GetDbConnection();
        if (expectedRows < await CountAsync(connection, transaction, table, ct)) return null;

        var names = new List<string>();
        var definitions = new List<string>();
        await using (var command = Command(connection, transaction,
            "SELECT l.name, m.sql FROM pragma_index_list($table) l JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name "
            + "WHERE l.origin = 'c' AND l.\"unique\" = 0 AND m.sql IS NOT NULL "
            + "AND NOT EXISTS (SELECT 1 FROM pragma_index_info(l.name) c, json_each($keep) k WHERE c.name = k.value) ORDER BY l.name"))
        {
            Parameter(command, "$table", table);
            Parameter(command, "$keep", System.Text.Json.JsonSerializer.Serialize(keep));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                names.Add(reader.GetString(0));
                definitions.Add(reader.GetString(1));
            }
        }
        if (names.Count == 0) return null;
        foreach (var name in names) await Execute(connection, transaction, $"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", ct);
        return new IndexRebuild(definitions);
    }

    /// <summary>Builds the indexes again, exactly as they were defined, in the import's transaction.</summary>
    public async Task FinishAsync(RevLoopDb db, CancellationToken ct)
    {
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("the import's transaction is gone");
        var connection = db.Database.GetDbConnection();
        // SQLite sorts with a helper thread when allowed to; this connection only, put back afterwards.
        await Execute(connection, transaction, "PRAGMA threads=2", ct);
        try
        {
            foreach (var definition in Definitions) await Execute(connection, transaction, definition, ct);
        }
        finally
        {
            await Execute(connection, transaction, "PRAGMA threads=0", CancellationToken.None);
        }
    }

    private static DbCommand Command(DbConnection connection, IDbContextTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        return command;
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private static async Task Execute(DbConnection connection, IDbContextTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> CountAsync(DbConnection connection, IDbContextTransaction transaction, string table, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, $"SELECT count(*) FROM \"{table}\"");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
