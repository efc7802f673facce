using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Server.Tests.Demo;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;

namespace RevLoop.Server.Tests.Imports;

/// <summary>
/// A large all-or-nothing import from the command line holds a SQLite file that nothing else has open, writes it through a
/// rollback journal and gives it back in WAL mode (ADR 0020); a file another connection has open is imported as always.
/// </summary>
public class UnusedDatabaseTests
{
    private static string PathOf(DatabaseTarget database) => new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;

    private static async Task<string> StateAsync(DatabaseTarget database)
    {
        var state = string.Join(" | ", (await DemoBulkWriteTests.RowsAsync(database, "PRAGMA journal_mode"))
            .Concat(await DemoBulkWriteTests.RowsAsync(database, "PRAGMA integrity_check"))
            .Concat(await DemoBulkWriteTests.RowsAsync(database, "SELECT count(*) AS deals FROM \"Opportunities\"")));
        // The test's own connections would make the next import find the file in use.
        SqliteConnection.ClearAllPools();
        return state;
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_large_cli_import_holds_a_database_nothing_else_has_open_and_stores_the_file_in_one_transaction(string provider)
    {
        DatabaseTarget database;
        await using (var server = await IndexRebuildTests.StartAsync(provider)) database = server.Database;
        var sqlite = database.Provider == DatabaseProvider.Sqlite;
        if (sqlite) SqliteConnection.ClearAllPools();
        var nl = Environment.NewLine;
        var holding = sqlite ? $"holding the database alone (nothing else has it open)...{nl}" : "";
        using var dir = TempDir();
        var file = Path.Combine(dir, "opportunities.csv");
        await File.WriteAllTextAsync(file, IndexRebuildTests.Deals(15_000));

        // Without all-or-nothing: held, one transaction, so the file (which more than doubles the table) has its
        // indexes built after its rows.
        var result = await RevLoopProcess.RunAsync(database, "import", "opportunities", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(holding + (sqlite ? $"building 11 indexes of opportunities...{nl}" : "") + $"Read 15000 rows: 15000 created, 0 updated, 0 rejected{nl}", result.StdErr);
        await AssertStoredAsync(15_000, 5_000);

        // 12,000 more with a bad last row, all-or-nothing: held too, rolled back through the journal, nothing stored.
        var bad = Path.Combine(dir, "bad.csv");
        await File.WriteAllTextAsync(bad, IndexRebuildTests.Deals(12_000, first: 20_000) + "Deal X,,Proposal,5,2026-13-01,,OPP-X\n");
        var rejected = await RevLoopProcess.RunAsync(database, "import", "opportunities", bad, "--all-or-nothing");
        Assert.True(rejected.ExitCode == 2, rejected.ToString());
        Assert.Equal(holding + $"Imported nothing: 1 of 12001 rows are bad (--all-or-nothing); see {Path.Combine(dir, "bad.rejects.csv")}{nl}", rejected.StdErr);
        await AssertStoredAsync(15_000, 5_000);

        // The same file without all-or-nothing: the bad row goes to the reject file, the 12,000 others are stored.
        var kept = await RevLoopProcess.RunAsync(database, "import", "opportunities", bad);
        Assert.True(kept.ExitCode == 2, kept.ToString());
        Assert.Equal(holding + $"Read 12001 rows: 12000 created, 0 updated, 1 rejected (see {Path.Combine(dir, "bad.rejects.csv")}){nl}", kept.StdErr);
        await AssertStoredAsync(27_000, 9_000);

        async Task AssertStoredAsync(int deals, int inProposal)
        {
            if (sqlite)
            {
                // Back in WAL, no journal left behind, every index holding exactly the table's rows.
                Assert.Equal($"journal_mode=String:wal | integrity_check=String:ok | deals=Int64:{deals}", await StateAsync(database));
                Assert.False(File.Exists(PathOf(database) + "-journal"));
            }
            Assert.Equal((deals, inProposal), await RevLoopProcess.WithDbAsync(database, async db =>
                (await db.Opportunities.CountAsync(), await db.Opportunities.CountAsync(o => o.StageId == ImportKit.Proposal))));
            if (sqlite) SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task A_database_another_connection_has_open_stays_in_wal_and_readable_during_the_import()
    {
        DatabaseTarget database;
        await using (var server = await IndexRebuildTests.StartAsync("sqlite")) database = server.Database;
        SqliteConnection.ClearAllPools();
        using var dir = TempDir();
        var file = Path.Combine(dir, "opportunities.csv");
        await File.WriteAllTextAsync(file, IndexRebuildTests.Deals(15_000));
        // Another user of the file (as a server would be), open for the whole import.
        await using var reader = new SqliteConnection(database.ConnectionString);
        await reader.OpenAsync();
        await using var count = reader.CreateCommand();
        count.CommandText = "SELECT count(*) FROM \"Opportunities\"";
        Assert.Equal(0L, await count.ExecuteScalarAsync());

        var import = RevLoopProcess.RunAsync(database, "import", "opportunities", file, "--all-or-nothing");
        // The other connection keeps reading while the import runs: the table as it was, until the one commit.
        var seen = new List<long>();
        while (!import.IsCompleted)
        {
            var deals = (long)(await count.ExecuteScalarAsync())!;
            if (seen.Count == 0 || seen[^1] != deals) seen.Add(deals);
            await Task.Delay(20);
        }
        var result = await import;
        Assert.Contains(string.Join(",", seen), new[] { "0", "0,15000" });

        Assert.True(result.ExitCode == 0, result.ToString());
        var nl = Environment.NewLine;
        Assert.Equal($"building 11 indexes of opportunities...{nl}Read 15000 rows: 15000 created, 0 updated, 0 rejected{nl}", result.StdErr);
        Assert.Equal(15_000L, await count.ExecuteScalarAsync());
        await using var mode = reader.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await mode.ExecuteScalarAsync());
    }
}
