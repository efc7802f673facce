using Microsoft.Data.Sqlite;
using RevLoop.Data;

namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// A large load from the command line (an import of 10,000 rows or more, the demo company) into a SQLite file that
/// nothing else has open holds the file alone and writes it through a rollback journal instead of the WAL (ADR 0020).
/// Through the WAL every page is written twice: to the WAL, then into the file at a checkpoint (4 GB each way for
/// 1,000,000 deals); a rollback journal saves only the pages that existed before, and new pages are written once. Nobody
/// can read the file meanwhile, so it is taken only when no other connection has it open (a running server keeps one
/// open for this, <see cref="Hosting.SqliteFileInUse"/>), and without waiting for one: otherwise the load runs in WAL as
/// it always did. The file goes back to WAL when the load ends; after a crash, the next connection rolls the journal
/// back and a server sets WAL as it starts.
/// </summary>
public static class UnusedDatabase
{
    /// <summary>
    /// Switches the file to a rollback journal when no connection has it open; false (nothing changed) when one has. This
    /// process's connections to the file must be closed (its idle pooled ones are closed here): each counts as a user.
    /// </summary>
    public static bool TrySwitch(string connectionString)
    {
        SqliteConnection.ClearAllPools();
        // The last connection to close folds the WAL into the file and deletes it, so a WAL file means another connection
        // has the file open (or one crashed). Checked before trying: a failed attempt to leave WAL slowed the import that
        // followed from ~71-85 s to 102-120 s (1,000,000 deals next to another open connection), whichever connection made it.
        if (File.Exists(new SqliteConnectionStringBuilder(connectionString).DataSource + "-wal")) return false;
        using var probe = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        probe.Open();
        Run(probe, "PRAGMA busy_timeout=0");
        try
        {
            // Leaving WAL needs every other connection closed; SQLite says "database is locked" at once when one is open.
            return string.Equals(Run(probe, "PRAGMA journal_mode=DELETE") as string, "delete", StringComparison.OrdinalIgnoreCase);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED)
        {
            return false;
        }
    }

    /// <summary>
    /// Holds a file <see cref="TrySwitch"/> switched, on the connection that loads it, from its first write to the end;
    /// false when the file is in WAL again (a server that started in between switched it back).
    /// </summary>
    public static bool Hold(SqliteConnection connection)
    {
        if (!string.Equals(Run(connection, "PRAGMA journal_mode") as string, "delete", StringComparison.OrdinalIgnoreCase)) return false;
        Run(connection, "PRAGMA locking_mode=EXCLUSIVE");
        return true;
    }

    /// <summary>Gives the file back: shared locking and WAL again (nothing changes when it was not taken).</summary>
    public static void Release(SqliteConnection connection)
    {
        Run(connection, "PRAGMA locking_mode=NORMAL");
        // Switching to WAL takes the lock once more and then releases it, which ends the exclusive hold.
        Run(connection, "PRAGMA journal_mode=WAL");
    }

    private static object? Run(SqliteConnection connection, string pragma)
    {
        using var command = connection.CreateCommand();
        command.CommandText = pragma;
        return command.ExecuteScalar();
    }
}
