using Microsoft.Data.Sqlite;
using RevLoop.Data;
using SQLitePCL;

namespace RevLoop.Server.Tests.Platform;

/// <summary>SQLite keeps no memory statistics (a process-wide mutex on every allocation, which a hundred concurrent list
/// requests queued on): the setting is applied before the first connection, because every database is a DatabaseTarget first.</summary>
public class SqliteLibraryTests
{
    [Fact]
    public void Sqlite_runs_without_memory_statistics()
    {
        var target = DatabaseTarget.Parse(Path.Combine(Path.GetTempPath(), $"sqlite-library-{Guid.NewGuid():N}.db"));
        Assert.Equal(raw.SQLITE_OK, SqliteLibrary.Configure());
        using (var connection = new SqliteConnection(target.ConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE t (x TEXT); INSERT INTO t VALUES (randomblob(100000)); SELECT length(x) FROM t;";
            Assert.Equal(100000L, command.ExecuteScalar());
            // With statistics on, this counts the bytes SQLite holds (the page cache, the statement): at least the blob.
            Assert.Equal(0, raw.sqlite3_memory_used());
        }
        SqliteConnection.ClearAllPools();
        File.Delete(new SqliteConnectionStringBuilder(target.ConnectionString).DataSource);
    }
}
