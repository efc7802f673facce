using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace RevLoop.Data;

/// <summary>
/// One table's stored shape for bulk writes, taken from the EF model of the provider in use: table, columns (all but a
/// key the database generates) and a getter per column that returns the value as the provider stores it (value
/// converters applied: SQLite instants as Unix milliseconds, enums as text), so a bulk row equals a SaveChanges row.
/// </summary>
public sealed class BulkTable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<IEntityType, BulkTable> Shapes = new();

    private BulkTable(IEntityType entity)
    {
        var properties = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd && (p.ClrType == typeof(long) || p.ClrType == typeof(int))))
            .Where(p => p.PropertyInfo is not null)
            .ToList();
        var mappings = properties.Select(p => (RelationalTypeMapping)p.GetTypeMapping()).ToList();
        Name = entity.GetTableName()!;
        Columns = properties.Select(p => p.GetColumnName()).ToArray();
        Getters = properties.Select((p, i) => Getter(entity.ClrType, p, mappings[i])).ToArray();
        PgTypes = properties.Select((p, i) => PgType(mappings[i].Converter?.ProviderClrType ?? p.ClrType)).ToArray();
    }

    public static BulkTable For(IEntityType entity) => Shapes.GetOrAdd(entity, e => new BulkTable(e));

    public string Name { get; }
    public string[] Columns { get; }
    /// <summary>Per column: the record's value as stored (null for NULL).</summary>
    public Func<object, object?>[] Getters { get; }
    internal NpgsqlDbType?[] PgTypes { get; }

    /// <summary>Copies the stored values of rows [start, start + count) into a row-major buffer.</summary>
    public void Fill<T>(IReadOnlyList<T> rows, int start, int count, object?[] buffer) where T : class
    {
        var n = Getters.Length;
        for (var r = 0; r < count; r++)
        {
            var row = rows[start + r];
            for (var c = 0; c < n; c++) buffer[r * n + c] = Getters[c](row);
        }
    }

    private static Func<object, object?> Getter(Type type, IProperty property, RelationalTypeMapping mapping)
    {
        var e = Expression.Parameter(typeof(object), "e");
        var body = Expression.Convert(Expression.Property(Expression.Convert(e, type), property.PropertyInfo!), typeof(object));
        var get = Expression.Lambda<Func<object, object?>>(body, e).Compile();
        var convert = mapping.Converter?.ConvertToProvider;
        return convert is null ? get : row => get(row) is { } v ? convert(v) : null;
    }

    private static NpgsqlDbType? PgType(Type type)
    {
        var clr = Nullable.GetUnderlyingType(type) ?? type;
        return clr == typeof(Guid) ? NpgsqlDbType.Uuid
            : clr == typeof(string) ? NpgsqlDbType.Text
            : clr == typeof(long) ? NpgsqlDbType.Bigint
            : clr == typeof(int) ? NpgsqlDbType.Integer
            : clr == typeof(bool) ? NpgsqlDbType.Boolean
            : clr == typeof(DateTimeOffset) ? NpgsqlDbType.TimestampTz
            : clr == typeof(DateOnly) ? NpgsqlDbType.Date
            : clr == typeof(decimal) ? NpgsqlDbType.Numeric
            : clr == typeof(byte[]) ? NpgsqlDbType.Bytea
            : clr == typeof(short) ? NpgsqlDbType.Smallint
            : clr == typeof(double) ? NpgsqlDbType.Double
            : null;
    }
}

/// <summary>
/// The one bulk row writer (demo loader and imports): raw SQLite statements bound by position, binary COPY on
/// PostgreSQL, both on the caller's connection and so inside its open transaction.
/// </summary>
public static class BulkRows
{
    /// <summary>Writes <paramref name="rows"/> rows of a row-major value buffer (see <see cref="BulkTable.Fill"/>).</summary>
    public static void Write(System.Data.Common.DbConnection connection, BulkTable table, object?[] values, int rows)
    {
        if (rows == 0) return;
        switch (connection)
        {
            case SqliteConnection sqlite: Sqlite(sqlite, table, values, rows); break;
            case NpgsqlConnection npgsql: Postgres(npgsql, table, values, rows); break;
            default: throw new NotSupportedException($"no bulk writer for {connection.GetType().Name}");
        }
    }

    /// <summary>Writes records through the context's connection, in its current transaction (required).</summary>
    public static void Write<T>(DbContext db, IReadOnlyList<T> records) where T : class
    {
        if (records.Count == 0) return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Bulk writes need an explicit transaction, so the rows commit together with the change they describe.");
        var table = BulkTable.For(db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model"));
        // Bounded buffers: a few thousand rows at a time, whatever the caller hands over. Pooled: a buffer this size is a
        // large object, and a new one per call made an import of 200,000 deals run 48 full collections (bench/imports).
        var chunk = Math.Min(records.Count, 4096);
        var buffer = System.Buffers.ArrayPool<object?>.Shared.Rent(chunk * table.Columns.Length);
        try
        {
            var connection = db.Database.GetDbConnection();
            for (var start = 0; start < records.Count; start += chunk)
            {
                var count = Math.Min(chunk, records.Count - start);
                table.Fill(records, start, count, buffer);
                Write(connection, table, buffer, count);
            }
        }
        finally
        {
            // Cleared, so the pool does not keep the rows' values alive.
            System.Buffers.ArrayPool<object?>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>Rows per SQLite INSERT statement: one statement per row re-opens a cursor on the table and on every one
    /// of its indexes (13 on opportunities) and, for an AUTOINCREMENT key, reads and writes sqlite_sequence, each time;
    /// a multi-row VALUES list does that once per statement. Bounded by the variable limit (32,766).</summary>
    internal const int SqliteRowsPerStatement = 128;

    // Microsoft.Data.Sqlite binds each parameter by a name lookup, which is what a bulk load cannot afford; values are
    // bound here by position exactly as it (and so EF) would bind them. OR FAIL: a failing row fails the whole write
    // (the caller's transaction rolls back), so SQLite need not keep a statement journal to undo a partial statement.
    private static void Sqlite(SqliteConnection connection, BulkTable table, object?[] values, int rows)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("the SQLite connection is not open");
        var cols = table.Columns.Length;
        var perStatement = Math.Max(1, Math.Min(SqliteRowsPerStatement, 32766 / cols));
        var full = rows / perStatement;
        var rest = rows % perStatement;
        if (full > 0) Insert(perStatement, 0, full);
        if (rest > 0) Insert(rest, full * perStatement, 1);

        // Runs `statements` INSERTs of `count` rows each, from row `first` on, with one prepared statement.
        void Insert(int count, int first, int statements)
        {
            var one = $"({string.Join(", ", Enumerable.Repeat("?", cols))})";
            var sql = $"INSERT OR FAIL INTO \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c}\""))}) VALUES {string.Join(", ", Enumerable.Repeat(one, count))}";
            var rc = raw.sqlite3_prepare_v2(db, sql, out var stmt);
            if (rc != raw.SQLITE_OK) throw Error(db, rc, table.Name);
            using (stmt)
            {
                Span<byte> guid = stackalloc byte[36];
                // Text is bound from one UTF-8 buffer (SQLite copies it): the string overload allocates an array per value.
                var utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(1024);
                try
                {
                    for (var s = 0; s < statements; s++)
                    {
                        var offset = (first + s * count) * cols;
                        for (var k = 0; k < count * cols; k++)
                        {
                            var i = k + 1;
                            rc = values[offset + k] switch
                            {
                                null => raw.sqlite3_bind_null(stmt, i),
                                string v => BindText(stmt, i, v, ref utf8),
                                long v => raw.sqlite3_bind_int64(stmt, i, v),
                                int v => raw.sqlite3_bind_int64(stmt, i, v),
                                short v => raw.sqlite3_bind_int64(stmt, i, v),
                                bool v => raw.sqlite3_bind_int64(stmt, i, v ? 1 : 0),
                                Guid v => BindGuid(stmt, i, v, guid),
                                decimal v => raw.sqlite3_bind_text(stmt, i, v.ToString("0.0###########################", CultureInfo.InvariantCulture)),
                                DateOnly v => raw.sqlite3_bind_text(stmt, i, v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                                DateTimeOffset v => raw.sqlite3_bind_text(stmt, i, v.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
                                double v => raw.sqlite3_bind_double(stmt, i, v),
                                byte[] v => raw.sqlite3_bind_blob(stmt, i, v),
                                var v => throw new NotSupportedException($"{table.Name}.{table.Columns[k % cols]}: no SQLite binding for {v.GetType().Name}"),
                            };
                            if (rc != raw.SQLITE_OK) throw Error(db, rc, table.Name);
                        }
                        var step = raw.sqlite3_step(stmt);
                        if (step != raw.SQLITE_DONE) throw Error(db, step, table.Name);
                        raw.sqlite3_reset(stmt);
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
                }
            }
        }
    }

    /// <summary>A string as Microsoft.Data.Sqlite binds it (UTF-8 text), encoded into a reused buffer ("" stays "", not
    /// NULL: <c>BulkCreateTests</c>).</summary>
    private static int BindText(sqlite3_stmt stmt, int index, string value, ref byte[] buffer)
    {
        var most = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (most > buffer.Length)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(most);
        }
        var length = Encoding.UTF8.GetBytes(value, buffer);
        return raw.sqlite3_bind_text(stmt, index, buffer.AsSpan(0, length));
    }

    /// <summary>A Guid as Microsoft.Data.Sqlite stores it (upper-case text), formatted without allocating.</summary>
    private static int BindGuid(sqlite3_stmt stmt, int index, Guid value, Span<byte> text)
    {
        value.TryFormat(text, out _, "D");
        for (var k = 0; k < text.Length; k++) if (text[k] is >= (byte)'a' and <= (byte)'f') text[k] -= 32;
        return raw.sqlite3_bind_text(stmt, index, text);
    }

    private static SqliteException Error(sqlite3 db, int rc, string table) =>
        new($"bulk insert into {table} failed: {raw.sqlite3_errmsg(db).utf8_to_string()}", rc);

    private static void Postgres(NpgsqlConnection connection, BulkTable table, object?[] values, int rows)
    {
        var cols = table.Columns.Length;
        using var importer = connection.BeginBinaryImport($"COPY \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)");
        for (var r = 0; r < rows; r++)
        {
            importer.StartRow();
            for (var c = 0; c < cols; c++)
            {
                var v = values[r * cols + c];
                switch (v)
                {
                    case null: importer.WriteNull(); break;
                    case Guid g: importer.Write(g, NpgsqlDbType.Uuid); break;
                    case string s: importer.Write(s, NpgsqlDbType.Text); break;
                    case long l: importer.Write(l, NpgsqlDbType.Bigint); break;
                    case int i: importer.Write(i, NpgsqlDbType.Integer); break;
                    case bool b: importer.Write(b, NpgsqlDbType.Boolean); break;
                    case DateTimeOffset d: importer.Write(d, NpgsqlDbType.TimestampTz); break;
                    case DateOnly d: importer.Write(d, NpgsqlDbType.Date); break;
                    case decimal m: importer.Write(m, NpgsqlDbType.Numeric); break;
                    case byte[] bytes: importer.Write(bytes, NpgsqlDbType.Bytea); break;
                    default:
                        importer.Write(v, table.PgTypes[c] ?? throw new NotSupportedException($"{table.Name}.{table.Columns[c]}: no COPY type for {v.GetType().Name}"));
                        break;
                }
            }
        }
        importer.Complete();
    }
}
