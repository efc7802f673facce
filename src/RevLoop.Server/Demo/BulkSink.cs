using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using RevLoop.Data;

namespace RevLoop.Server.Demo;

/// <summary>
/// Writes entities straight into their tables, bypassing EF change tracking, inside one transaction, with the bulk
/// row writer imports use too (<see cref="BulkRows"/>: raw prepared INSERTs on SQLite, binary COPY on PostgreSQL). Tables, columns and value conversions (SQLite instants as
/// Unix milliseconds, Guids as text) come from the EF model of the same provider, so a row looks exactly like one
/// SaveChanges would have written. Rows are buffered per table and flushed in batches: memory stays constant.
/// </summary>
public abstract class BulkSink : IDisposable
{
    private readonly Dictionary<Type, object> tables = [];
    private readonly List<IFlushable> order = [];
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

    /// <summary>The load's connection, its transaction open.</summary>
    internal abstract System.Data.Common.DbConnection Connection { get; }

    protected abstract void CommitTransaction();

    public abstract void Dispose();

    internal interface IFlushable { void Flush(); }

    /// <summary>The rows of one table waiting to be written.</summary>
    public sealed class TableWriter<T> : IFlushable where T : class
    {
        private readonly BulkSink sink;
        private readonly BulkTable table;
        private readonly int batchRows;
        private readonly object?[] buffer;
        private int rows;

        internal TableWriter(BulkSink sink, IEntityType entity)
        {
            this.sink = sink;
            table = BulkTable.For(entity);
            batchRows = sink is SqliteSink ? 512 : 20_000;
            buffer = new object?[batchRows * table.Columns.Length];
        }

        public long Count { get; private set; }

        public void Add(T row)
        {
            var offset = rows * table.Getters.Length;
            for (var i = 0; i < table.Getters.Length; i++) buffer[offset + i] = table.Getters[i](row);
            rows++;
            Count++;
            if (rows == batchRows) Flush();
        }

        public void Flush()
        {
            if (rows == 0) return;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            BulkRows.Write(sink.Connection, table, buffer, rows);
            sink.WriteTime += sw.Elapsed;
            sink.RowsWritten += rows;
            Array.Clear(buffer, 0, rows * table.Getters.Length);
            rows = 0;
        }
    }

    private sealed class SqliteSink : BulkSink
    {
        private readonly SqliteConnection connection;
        private SqliteTransaction? transaction;

        internal override System.Data.Common.DbConnection Connection => connection;

        public SqliteSink(IModel model, string connectionString) : base(model)
        {
            // A fresh database: a rollback journal only has to save the few pages that existed before, where WAL would
            // write every new page twice; only when nothing else has the file open (a running server), and WAL again after.
            var switched = Platform.Imports.UnusedDatabase.TrySwitch(connectionString);
            connection = new SqliteConnection(connectionString);
            connection.Open();
            if (switched) Platform.Imports.UnusedDatabase.Hold(connection);
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

        protected override void CommitTransaction()
        {
            transaction!.Commit();
            transaction.Dispose();
            transaction = null;
            Platform.Imports.UnusedDatabase.Release(connection);
            Pragma("PRAGMA optimize;");
        }

        public override void Dispose()
        {
            transaction?.Dispose();
            if (transaction is not null)
            {
                // Rolled back: still put the database back into WAL mode.
                try { Platform.Imports.UnusedDatabase.Release(connection); } catch (SqliteException) { }
            }
            connection.Dispose();
        }
    }

    private sealed class PostgresSink : BulkSink
    {
        private readonly NpgsqlConnection connection;
        private NpgsqlTransaction? transaction;

        internal override System.Data.Common.DbConnection Connection => connection;

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
