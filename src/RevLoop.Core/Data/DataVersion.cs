using Microsoft.Data.Sqlite;

namespace RevLoop.Data;

/// <summary>
/// A number that changes whenever anything commits to the database, through any connection of any process (a CLI import
/// next to the server included): SQLite's <c>PRAGMA data_version</c>, read on a connection of its own that never writes,
/// so every commit is another connection's. Reading it costs a few microseconds, which lets a per-process fact about the
/// data (is there any deal without a close date?) be trusted exactly, not for a maximum age. Null on PostgreSQL, which
/// has no counter this cheap: callers read what they need each time.
/// </summary>
public static class DataVersion
{
    private sealed class Watch(SqliteConnection connection, SqliteCommand command) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;
        public SqliteCommand Command { get; } = command;
        public void Dispose() { Command.Dispose(); Connection.Dispose(); }
    }

    // One watch connection per database file; a test run opens hundreds of databases, so only the latest few are kept open.
    private const int MaxWatches = 8;
    private static readonly Dictionary<string, Watch> Watches = [];
    private static readonly Lock Gate = new();

    public static long? Of(RevLoopDb db)
    {
        if (!db.IsSqlite || db.DatabaseKey.Length == 0) return null;
        lock (Gate)
        {
            if (!Watches.TryGetValue(db.DatabaseKey, out var watch))
            {
                var builder = new SqliteConnectionStringBuilder(db.DatabaseKey) { Pooling = false };
                // An in-memory database is private to its connection: another connection would watch another database.
                if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return null;
                if (Watches.Count >= MaxWatches)
                {
                    foreach (var old in Watches.Values) old.Dispose();
                    Watches.Clear();
                }
                var connection = new SqliteConnection(builder.ConnectionString);
                connection.Open();
                var command = connection.CreateCommand();
                command.CommandText = "PRAGMA data_version";
                command.Prepare();
                Watches[db.DatabaseKey] = watch = new Watch(connection, command);
            }
            return (long)watch.Command.ExecuteScalar()!;
        }
    }
}
