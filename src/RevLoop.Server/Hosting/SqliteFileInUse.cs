using Microsoft.Data.Sqlite;
using RevLoop.Data;

namespace RevLoop.Server.Hosting;

/// <summary>
/// A running server keeps one connection open to its SQLite file for as long as it runs. SQLite lets a connection leave
/// WAL only while no other connection has the file open, so a command-line import never takes for itself a file a server
/// is using (ADR 0020). The server's pooled connections would not do: the pool closes the ones it does not need.
/// </summary>
internal sealed class SqliteFileInUse(DatabaseTarget target) : IHostedService
{
    private SqliteConnection? connection;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (target.Provider != DatabaseProvider.Sqlite) return;
        // Outside the pool, so clearing pools never closes it.
        connection = new SqliteConnection(new SqliteConnectionStringBuilder(target.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        // A first read opens the WAL, which is what marks the file in use.
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT count(*) FROM sqlite_master";
        await read.ExecuteScalarAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (connection is not null) await connection.DisposeAsync();
        connection = null;
    }
}
