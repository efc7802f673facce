using System.Text;
using Microsoft.EntityFrameworkCore;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;

namespace RevLoop.Server.Tests.Cli;

/// <summary>`revloop export accounts` and re-import of its output, run as real processes.</summary>
public class CliExportTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Export_and_import_round_trip_and_unchanged_rows_write_no_history(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        await server.CreateUserAsync("owner@example.com", Roles.Ae, "Sales");
        using var dir = TempDir();
        var input = Path.Combine(dir, "in.csv");
        const string p = "00000000-0000-7000-8000-000000000001", c = "00000000-0000-7000-8000-000000000002", t = "00000000-0000-7000-8000-000000000003";
        await File.WriteAllTextAsync(input, Lines(
            "name,id,owner_email,country,domain,employees,parent_account_id,region,industry",
            $"\"Parent, Inc.\",{p},owner@example.com,de,https://www.Parent.com,5000,,EMEA,Software",
            $"\"Child \"\"Two\"\"\nLine\",{c},,,,,{p},,",
            $"Third,{t},owner@example.com,JP,third.io,45,,APAC,"));
        var imported = await RevLoopProcess.RunAsync(server.Database, "import", "accounts", input);
        Assert.True(imported.ExitCode == 0, imported.ToString());
        Assert.Equal($"Read 3 rows: 3 created, 0 updated, 0 rejected{Environment.NewLine}", imported.StdErr);

        var expected = Lines(
            ExportHeader,
            $"{p},\"Parent, Inc.\",parent.com,Software,5000,enterprise,EMEA,DE,,owner@example.com,,,",
            $"{c},\"Child \"\"Two\"\"\nLine\",,,,,,,{p},,,,",
            $"{t},Third,third.io,,45,smb,APAC,JP,,owner@example.com,,,");
        var output = Path.Combine(dir, "out.csv");
        var exported = await RevLoopProcess.RunAsync(server.Database, "export", "accounts", "--out", output);
        Assert.True(exported.ExitCode == 0, exported.ToString());
        Assert.Equal(("", $"Exported 3 accounts{Environment.NewLine}"), (exported.StdOut, exported.StdErr));
        Assert.Equal(expected, await File.ReadAllTextAsync(output));
        var toStdout = await RevLoopProcess.RunAsync(server.Database, "export", "accounts");
        Assert.True(toStdout.ExitCode == 0, toStdout.ToString());
        Assert.Equal(expected, toStdout.StdOut);

        // Importing the export again updates the rows by id: the two unchanged ones write no history and no events, the
        // one edited cell is exactly one history row from the import.
        var before = await Counts(server);
        await File.WriteAllTextAsync(output, expected.Replace(",APAC,JP,", ",EMEA,JP,"));
        var again = await RevLoopProcess.RunAsync(server.Database, "import", "accounts", output);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal($"Read 3 rows: 0 created, 3 updated, 0 rejected{Environment.NewLine}", again.StdErr);
        Assert.Equal((before.Accounts, before.Changes + 1, before.Events + 1), await Counts(server));
        var change = await server.WithDbAsync(db => db.FieldChanges.OrderByDescending(x => x.Id).FirstAsync());
        Assert.Equal((Guid.Parse(t), "Region", "APAC", "EMEA", "import", Actor), (change.EntityId, change.Field, change.OldValue, change.NewValue, change.Source, change.ChangedBy));
        Assert.Equal([1L, 1L, 2L], await server.WithDbAsync(db => db.Accounts.OrderBy(a => a.Id).Select(a => a.Version).ToListAsync()));
    }
}
