using System.Text;
using Microsoft.EntityFrameworkCore;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;

namespace RevLoop.Server.Tests.Cli;

/// <summary>`revloop migrate` and `revloop backup` run as real processes.</summary>
public class CliBackupTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrate_and_backup(string provider)
    {
        var fresh = Providers.NewDatabase(provider);
        var migrated = await RevLoopProcess.RunAsync(fresh, "migrate");
        Assert.True(migrated.ExitCode == 0, migrated.ToString());
        Assert.Equal($"Migrated {fresh.Display}{Environment.NewLine}", migrated.StdErr);
        var (defined, applied) = await RevLoopProcess.WithDbAsync(fresh, async db => (db.Database.GetMigrations().ToList(), (await db.Database.GetAppliedMigrationsAsync()).ToList()));
        Assert.Equal("20261123000001_Platform", defined[0]);
        Assert.Equal(defined, applied);

        await using var server = await RunningServer.StartAsync(provider);
        using var client = await server.AdminClientAsync();
        foreach (var name in new[] { "Kept One", "Kept Two", "Deleted" }) await client.CreateAccountIdAsync($$"""{"name":"{{name}}"}""");
        var deleted = await server.WithDbAsync(db => db.Accounts.Where(a => a.Name == "Deleted").Select(a => a.Id).SingleAsync());
        using (var r = await client.DeleteAsync($"/api/v1/accounts/{deleted}")) Assert.True(r.IsSuccessStatusCode);

        using var dir = TempDir();
        var backup = Path.Combine(dir, "backup.db");
        var result = await RevLoopProcess.RunAsync(server.Database, "backup", "--out", backup);
        Assert.True(result.ExitCode == 0, result.ToString());
        if (provider == "sqlite")
        {
            Assert.Equal($"Backed up {server.Database.Display} to {backup}{Environment.NewLine}", result.StdErr);
            var copy = RevLoop.Data.DatabaseTarget.Parse(backup);
            // History: each account's creation is one row (name, segment), the deletion one more.
            Assert.Equal(("Kept One|Kept Two", 3, 4), await RevLoopProcess.WithDbAsync(copy, async db =>
                (string.Join("|", await db.Accounts.OrderBy(a => a.Name).Select(a => a.Name).ToListAsync()), await db.Accounts.IgnoreQueryFilters().CountAsync(), await db.FieldChanges.CountAsync())));
            var length = new FileInfo(backup).Length;
            var twice = await RevLoopProcess.RunAsync(server.Database, "backup", "--out", backup);
            Assert.True(twice.ExitCode == 2, twice.ToString());
            Assert.Equal($"error: --out: {backup} already exists; choose a new file{Environment.NewLine}", twice.StdErr);
            Assert.Equal(length, new FileInfo(backup).Length);
        }
        else
        {
            var cs = new Npgsql.NpgsqlConnectionStringBuilder(server.Database.ConnectionString);
            Assert.Equal($"pg_dump --format=custom --host={cs.Host} --port={cs.Port} --username={cs.Username} --file={backup} {cs.Database}{Environment.NewLine}", result.StdOut);
            Assert.False(File.Exists(backup));
        }
    }
}
