using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace RevLoop.Data;

/// <summary>
/// Appends rows with prepared multi-row INSERTs inside the context's current transaction, using the model's table,
/// column names and type mappings (value converters included), so the rows are stored exactly as EF would store them,
/// at a fraction of the cost of tracking each one. Only for append-only rows nobody reads back in the same save.
/// </summary>
public static class BulkInsert
{
    public static async Task WriteAsync<T>(RevLoopDb db, IReadOnlyList<T> rows, bool async, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        // SQLite runs in-process (no round trips) and binds parameters by name with a linear search, so one row per
        // execution of the prepared statement is cheapest; PostgreSQL pays a round trip per statement, so 100 rows.
        var rowsPerStatement = db.IsSqlite ? 1 : 100;
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Bulk inserts need an explicit transaction, so the rows commit together with the change they describe.");
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        // Every stored column but a key the database generates (an identity Id).
        var columns = entityType.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd && (p.ClrType == typeof(long) || p.ClrType == typeof(int))))
            .Select(p => (Property: p, Mapping: (RelationalTypeMapping)p.GetRelationalTypeMapping(), Getter: p.GetGetter()))
            .ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)))}) VALUES ";

        var connection = transaction.Connection!;
        DbCommand? full = null, tail = null;
        try
        {
            for (var start = 0; start < rows.Count; start += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, rows.Count - start);
                DbCommand command;
                if (count == rowsPerStatement) command = full ??= Create(rowsPerStatement);
                else { tail?.Dispose(); command = tail = Create(count); }
                var i = 0;
                for (var r = start; r < start + count; r++)
                    foreach (var c in columns)
                    {
                        var value = c.Getter.GetClrValueUsingContainingEntity(rows[r]);
                        if (value is not null && c.Mapping.Converter is { } converter) value = converter.ConvertToProvider(value);
                        command.Parameters[i++].Value = value ?? DBNull.Value;
                    }
                if (async) await command.ExecuteNonQueryAsync(ct);
                else command.ExecuteNonQuery();
            }
        }
        finally
        {
            full?.Dispose();
            tail?.Dispose();
        }

        DbCommand Create(int rowCount)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            var text = new System.Text.StringBuilder(head);
            var n = 0;
            for (var r = 0; r < rowCount; r++)
            {
                text.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = "p" + n++;
                    text.Append(c == 0 ? "" : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
                    // The mapping sets the provider's parameter type (for example TEXT for a Guid on SQLite, uuid on PostgreSQL).
                    command.Parameters.Add(columns[c].Mapping.CreateParameter(command, sql.GenerateParameterName(name), null, columns[c].Property.IsNullable));
                }
                text.Append(')');
            }
            command.CommandText = text.ToString();
            command.Prepare(); // PostgreSQL: parsed and planned once per import batch, not once per statement
            return command;
        }
    }
}
