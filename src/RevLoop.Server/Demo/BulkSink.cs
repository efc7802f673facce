using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;
using RevLoop.Data;

namespace RevLoop.Server.Demo;

/// <summary>
/// Writes entities straight into their tables, bypassing EF change tracking, inside one transaction: multi-row
/// prepared INSERTs on SQLite, binary COPY on PostgreSQL. Tables, columns and value conversions (SQLite instants as
/// Unix milliseconds, Guids as text) come from the EF model of the same provider, so a row looks exactly like one
/// SaveChanges would have written. Rows are buffered per table and flushed in batches: memory stays constant.
/// </summary>
public abstract class BulkSink : IDisposable
{
    private readonly Dictionary<Type, object> tables = [];
    private readonly List<IFlushable> order = [];
    private readonly List<TableShape> shapes = [];
    protected readonly IModel Model;

    protected BulkSink(IModel model) => Model = model;

    public long RowsWritten { get; protected set; }
    public TimeSpan WriteTime { get; set; }

    public static BulkSink Open(RevLoopDb db, DatabaseTarget target) => target.Provider == DatabaseProvider.Sqlite
        ? new SqliteSink(db.Model, target.ConnectionString)
        : new PostgresSink(db.Model, target.ConnectionString);

    public IEntityType ModelOf(Type type) => Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model");

    public TableWriter<T> Table<T>() where T : class
    {
        if (tables.TryGetValue(typeof(T), out var existing)) return (TableWriter<T>)existing;
        var entity = Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var table = new TableWriter<T>(this, entity);
        tables[typeof(T)] = table;
        order.Add(table);
        return table;
    }

    private List<(string Name, string Create)> dropped = [];

    /// <summary>
    /// Drops the secondary indexes of these (empty) tables for the load, inside the transaction; <see cref="Commit"/>
    /// builds them again from their own definitions, which is much faster than maintaining them row by row.
    /// </summary>
    public void DeferIndexes(params Type[] types)
    {
        var tables = types.Select(t => ModelOf(t).GetTableName()!).ToList();
        dropped = SecondaryIndexes(tables);
        foreach (var (name, _) in dropped) Execute($"DROP INDEX \"{name}\"");
    }

    protected abstract List<(string Name, string Create)> SecondaryIndexes(IReadOnlyList<string> tables);

    protected virtual void BeforeIndexBuild() { }

    /// <summary>Flushes every buffered row (tables in the order they were first used), rebuilds deferred indexes and commits.</summary>
    public void Commit()
    {
        FlushAll();
        if (dropped.Count > 0) BeforeIndexBuild();
        foreach (var (_, create) in dropped) Execute(create);
        CommitTransaction();
    }

    public void FlushAll()
    {
        foreach (var t in order) t.Flush();
    }

    /// <summary>Runs a statement inside the load transaction (settings updates and the like).</summary>
    public abstract int Execute(string sql, params object?[] args);

    public abstract long Scalar(string sql);

    internal abstract void Write(TableShape shape, object?[] values, int rows);

    protected abstract void CommitTransaction();

    public abstract void Dispose();

    internal interface IFlushable { void Flush(); }

    internal sealed class TableShape
    {
        public required string Table { get; init; }
        public required string[] Columns { get; init; }
        public required NpgsqlDbType[] PgTypes { get; init; }
        public required Type[] ProviderTypes { get; init; }
        public int BatchRows { get; set; }
        public object? Cache { get; set; }
    }

    /// <summary>The rows of one table waiting to be written.</summary>
    public sealed class TableWriter<T> : IFlushable where T : class
    {
        private readonly BulkSink sink;
        private readonly Func<T, object?>[] getters;
        private readonly TableShape shape;
        private readonly object?[] buffer;
        private int rows;

        internal TableWriter(BulkSink sink, IEntityType entity)
        {
            this.sink = sink;
            var properties = entity.GetProperties()
                .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd && (p.ClrType == typeof(long) || p.ClrType == typeof(int))))
                .Where(p => p.PropertyInfo is not null)
                .ToList();
            var mappings = properties.Select(p => (RelationalTypeMapping)p.GetTypeMapping()).ToList();
            getters = properties.Select((p, i) => Getter(p, mappings[i])).ToArray();
            shape = new TableShape
            {
                Table = entity.GetTableName()!,
                Columns = properties.Select(p => p.GetColumnName()).ToArray(),
                ProviderTypes = properties.Select((p, i) => Nullable.GetUnderlyingType(mappings[i].Converter?.ProviderClrType ?? p.ClrType) ?? mappings[i].Converter?.ProviderClrType ?? p.ClrType).ToArray(),
                PgTypes = properties.Select((p, i) => PgType(Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType)).ToArray(),
            };
            shape.BatchRows = sink is SqliteSink ? 512 : 20_000;
            buffer = new object?[shape.BatchRows * shape.Columns.Length];
            sink.shapes.Add(shape);
        }

        public long Count { get; private set; }

        public void Add(T row)
        {
            var offset = rows * getters.Length;
            for (var i = 0; i < getters.Length; i++) buffer[offset + i] = getters[i](row);
            rows++;
            Count++;
            if (rows == shape.BatchRows) Flush();
        }

        public void Flush()
        {
            if (rows == 0) return;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            sink.Write(shape, buffer, rows);
            sink.WriteTime += sw.Elapsed;
            sink.RowsWritten += rows;
            Array.Clear(buffer, 0, rows * getters.Length);
            rows = 0;
        }

        private static Func<T, object?> Getter(IProperty property, RelationalTypeMapping mapping)
        {
            var e = Expression.Parameter(typeof(T), "e");
            var body = Expression.Convert(Expression.Property(e, property.PropertyInfo!), typeof(object));
            var get = Expression.Lambda<Func<T, object?>>(body, e).Compile();
            var convert = mapping.Converter?.ConvertToProvider;
            return convert is null ? get : row => get(row) is { } v ? convert(v) : null;
        }
    }

    private static NpgsqlDbType PgType(Type clr) =>
        clr == typeof(Guid) ? NpgsqlDbType.Uuid
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
        : throw new NotSupportedException($"no COPY type for {clr.Name}");

    private sealed class SqliteSink : BulkSink
    {
        private readonly SqliteConnection connection;
        private SqliteTransaction? transaction;

        public SqliteSink(IModel model, string connectionString) : base(model)
        {
            // Pooled connections (from the migration) keep the file open; the journal mode can only change without them.
            SqliteConnection.ClearAllPools();
            connection = new SqliteConnection(connectionString);
            connection.Open();
            // A fresh database: a rollback journal only has to save the few pages that existed before, where WAL would
            // write every new page twice. WAL is switched back on after the commit.
            Pragma("PRAGMA journal_mode=DELETE;");
            // A bounded page cache (256 MB); index builds sort through temporary files, so memory does not grow with the data.
            Pragma("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144; PRAGMA threads=2; PRAGMA busy_timeout=30000;");
            transaction = connection.BeginTransaction();
        }

        protected override List<(string Name, string Create)> SecondaryIndexes(IReadOnlyList<string> tables)
        {
            using var c = connection.CreateCommand();
            c.Transaction = transaction;
            c.CommandText = $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({string.Join(", ", tables.Select(t => $"'{t}'"))}) ORDER BY name";
            using var r = c.ExecuteReader();
            var list = new List<(string, string)>();
            while (r.Read()) list.Add((r.GetString(0), r.GetString(1)));
            return list;
        }

        private void Pragma(string sql)
        {
            using var c = connection.CreateCommand();
            c.CommandText = sql;
            c.ExecuteNonQuery();
        }

        public override int Execute(string sql, params object?[] args)
        {
            using var c = connection.CreateCommand();
            c.Transaction = transaction;
            c.CommandText = sql;
            for (var i = 0; i < args.Length; i++) c.Parameters.AddWithValue($"@p{i}", args[i] ?? DBNull.Value);
            return c.ExecuteNonQuery();
        }

        public override long Scalar(string sql)
        {
            using var c = connection.CreateCommand();
            c.Transaction = transaction;
            c.CommandText = sql;
            return Convert.ToInt64(c.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        internal override void Write(TableShape shape, object?[] values, int rows)
        {
            // Raw SQLite statements bound by position: Microsoft.Data.Sqlite binds each parameter by name lookup, which
            // is what a bulk load cannot afford. Values are bound as Microsoft.Data.Sqlite (and so EF) would bind them.
            var db = connection.Handle!;
            var statement = (SqliteStatement)(shape.Cache ??= new SqliteStatement(db,
                $"INSERT INTO \"{shape.Table}\" ({string.Join(", ", shape.Columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", shape.Columns.Select(_ => "?"))})"));
            var stmt = statement.Handle;
            var cols = shape.Columns.Length;
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    var i = c + 1;
                    var rc = values[r * cols + c] switch
                    {
                        null => raw.sqlite3_bind_null(stmt, i),
                        string v => raw.sqlite3_bind_text(stmt, i, v),
                        long v => raw.sqlite3_bind_int64(stmt, i, v),
                        int v => raw.sqlite3_bind_int64(stmt, i, v),
                        bool v => raw.sqlite3_bind_int64(stmt, i, v ? 1 : 0),
                        Guid v => BindGuid(stmt, i, v),
                        decimal v => raw.sqlite3_bind_text(stmt, i, v.ToString("0.0###########################", System.Globalization.CultureInfo.InvariantCulture)),
                        DateOnly v => raw.sqlite3_bind_text(stmt, i, v.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                        double v => raw.sqlite3_bind_double(stmt, i, v),
                        byte[] v => raw.sqlite3_bind_blob(stmt, i, v),
                        var v => throw new NotSupportedException($"{shape.Table}.{shape.Columns[c]}: no SQLite binding for {v.GetType().Name}"),
                    };
                    if (rc != raw.SQLITE_OK) throw Error(db, rc, shape);
                }
                var step = raw.sqlite3_step(stmt);
                if (step != raw.SQLITE_DONE) throw Error(db, step, shape);
                raw.sqlite3_reset(stmt);
            }
        }

        private readonly byte[] guidText = new byte[36];

        /// <summary>A Guid as Microsoft.Data.Sqlite stores it (upper-case text), formatted without allocating.</summary>
        private int BindGuid(sqlite3_stmt stmt, int index, Guid value)
        {
            value.TryFormat(guidText, out _, "D");
            for (var k = 0; k < guidText.Length; k++) if (guidText[k] is >= (byte)'a' and <= (byte)'f') guidText[k] -= 32;
            return raw.sqlite3_bind_text(stmt, index, guidText);
        }

        private static SqliteException Error(sqlite3 db, int rc, TableShape shape) =>
            new($"bulk insert into {shape.Table} failed: {raw.sqlite3_errmsg(db).utf8_to_string()}", rc);

        private sealed class SqliteStatement : IDisposable
        {
            public SqliteStatement(sqlite3 db, string sql)
            {
                var rc = raw.sqlite3_prepare_v2(db, sql, out var stmt);
                if (rc != raw.SQLITE_OK) throw new SqliteException($"{sql}: {raw.sqlite3_errmsg(db).utf8_to_string()}", rc);
                Handle = stmt;
            }

            public sqlite3_stmt Handle { get; }

            public void Dispose() => Handle.Dispose();
        }

        protected override void CommitTransaction()
        {
            transaction!.Commit();
            transaction.Dispose();
            transaction = null;
            Pragma("PRAGMA journal_mode=WAL;");
            Pragma("PRAGMA optimize;");
        }

        public override void Dispose()
        {
            foreach (var shape in shapes) (shape.Cache as IDisposable)?.Dispose();
            transaction?.Dispose();
            if (transaction is not null)
            {
                // Rolled back: still put the database back into WAL mode.
                try { Pragma("PRAGMA journal_mode=WAL;"); } catch (SqliteException) { }
            }
            connection.Dispose();
        }
    }

    private sealed class PostgresSink : BulkSink
    {
        private readonly NpgsqlConnection connection;
        private NpgsqlTransaction? transaction;

        // No command timeout: at a million deals the index builds at commit take minutes, and a timeout would throw away the whole load.
        public PostgresSink(IModel model, string connectionString) : base(model)
        {
            connection = new NpgsqlConnection(connectionString);
            connection.Open();
            transaction = connection.BeginTransaction();
        }

        // More sort memory for this transaction's index builds than the 64 MB default (a server-side, bounded setting).
        protected override void BeforeIndexBuild() => Execute("SET LOCAL maintenance_work_mem = '256MB'");

        public override int Execute(string sql, params object?[] args)
        {
            using var c = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            for (var i = 0; i < args.Length; i++) c.Parameters.Add(new NpgsqlParameter($"p{i}", args[i] ?? DBNull.Value));
            return c.ExecuteNonQuery();
        }

        public override long Scalar(string sql)
        {
            using var c = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            return Convert.ToInt64(c.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        internal override void Write(TableShape shape, object?[] values, int rows)
        {
            var cols = shape.Columns.Length;
            var copy = (string)(shape.Cache ??= $"COPY \"{shape.Table}\" ({string.Join(", ", shape.Columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)");
            using var importer = connection.BeginBinaryImport(copy);
            for (var r = 0; r < rows; r++)
            {
                importer.StartRow();
                for (var c = 0; c < cols; c++)
                {
                    var v = values[r * cols + c];
                    if (v is null) { importer.WriteNull(); continue; }
                    switch (v)
                    {
                        case Guid g: importer.Write(g, NpgsqlDbType.Uuid); break;
                        case string s: importer.Write(s, NpgsqlDbType.Text); break;
                        case long l: importer.Write(l, NpgsqlDbType.Bigint); break;
                        case int i: importer.Write(i, NpgsqlDbType.Integer); break;
                        case bool b: importer.Write(b, NpgsqlDbType.Boolean); break;
                        case DateTimeOffset d: importer.Write(d, NpgsqlDbType.TimestampTz); break;
                        case DateOnly d: importer.Write(d, NpgsqlDbType.Date); break;
                        case decimal m: importer.Write(m, NpgsqlDbType.Numeric); break;
                        case byte[] bytes: importer.Write(bytes, NpgsqlDbType.Bytea); break;
                        default: importer.Write(v, shape.PgTypes[c]); break;
                    }
                }
            }
            importer.Complete();
        }

        protected override void CommitTransaction()
        {
            transaction!.Commit();
            transaction.Dispose();
            transaction = null;
            using var analyze = new NpgsqlCommand("ANALYZE", connection) { CommandTimeout = 0 };
            analyze.ExecuteNonQuery();
        }

        protected override List<(string Name, string Create)> SecondaryIndexes(IReadOnlyList<string> tables)
        {
            // Plain indexes only: the ones behind primary keys and unique constraints stay.
            const string sql = "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = ANY(@tables) "
                + "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname) ORDER BY i.indexname";
            using var c = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            c.Parameters.AddWithValue("tables", tables.ToArray());
            using var r = c.ExecuteReader();
            var list = new List<(string, string)>();
            while (r.Read()) list.Add((r.GetString(0), r.GetString(1)));
            return list;
        }

        public override void Dispose()
        {
            transaction?.Dispose();
            connection.Dispose();
        }
    }
}
