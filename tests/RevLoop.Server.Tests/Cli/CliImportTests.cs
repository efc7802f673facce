using System.Text;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;
using RevLoop.Crm.Accounts;
using static RevLoop.Server.Tests.Cli.CliFiles;

namespace RevLoop.Server.Tests.Cli;

/// <summary>`revloop import accounts` run as a real process: reject files, all-or-nothing.</summary>
public class CliImportTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Import_rejects_bad_rows_by_line_and_reason_and_imports_the_rest(string provider)
    {
        const string Acme = "00000000-0000-7000-8000-0000000000ac";
        await using var server = await RunningServer.StartAsync(provider);
        var owner = await server.CreateUserAsync("owner@example.com", Roles.Ae, "Sales");
        using var dir = TempDir();
        var file = Path.Combine(dir, "accounts.csv");
        await File.WriteAllTextAsync(file, Lines(
            Header,
            $"{Acme},Acme,acme.com,Software,250,,EMEA,de,,owner@example.com",
            ",Broken Domain,not a domain,,,,,,,",
            ",\"Globex, \"\"East\"\"\nDivision\",globex.com,,12,,,US,,",
            ",Bad Employees,,,many,,,,,",
            ",Hooli,hooli.com,,,enterprise,,,,OWNER@EXAMPLE.COM",
            $"{Acme},Acme Again,,,,,,,,"));

        var result = await RevLoopProcess.RunAsync(server.Database, "import", "accounts", file);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.StdOut);
        var rejects = Path.Combine(dir, "accounts.rejects.csv");
        Assert.Equal($"Read 6 rows: 3 created, 0 updated, 3 rejected (see {rejects}){Environment.NewLine}", result.StdErr);
        Assert.Equal(Lines(
            "line,field,reason," + Header,
            "3,domain,'not a domain' is not a domain name like example.com,,Broken Domain,not a domain,,,,,,,",
            "6,employees,'many' is not a whole number,,Bad Employees,,,many,,,,,",
            $"8,id,line 2 already has id {Acme}; one row per account,{Acme},Acme Again,,,,,,,,"), await File.ReadAllTextAsync(rejects));

        var accounts = await server.WithDbAsync(db => db.Accounts.AsNoTracking().OrderBy(a => a.Name).ToListAsync());
        Assert.Equal(
        [
            new AccountView("Acme", "acme.com", "Software", 250, "mid_market", "EMEA", "DE", null, owner.Id),
            new AccountView("Globex, \"East\"\nDivision", "globex.com", null, 12, "smb", null, "US", null, null),
            new AccountView("Hooli", "hooli.com", null, null, "enterprise", null, null, null, owner.Id),
        ], accounts.Select(AccountView.From));
        Assert.Equal([owner.TeamId, null, owner.TeamId], accounts.Select(a => a.OwnerTeamId));

        var stored = await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().ToListAsync());
        Assert.Equal(3, stored.Count); // one creation row per account (CreationRecord)
        var changes = CreationRecord.Expand(stored).ToList();
        Assert.Equal(9 + 5 + 6, changes.Count); // Hooli's segment is set in the file, so SegmentExplicit is recorded too
        Assert.All(changes, c => Assert.Equal(("import", Actor, (string?)null), (c.Source, c.ChangedBy, c.OldValue)));
        Assert.Equal(["Country", "Domain", "Employees", "Name", "Segment"], changes.Where(c => c.EntityId == accounts[1].Id).Select(c => c.Field).Order(StringComparer.Ordinal));
        Assert.Equal(["account.created", "account.created", "account.created"], await server.WithDbAsync(db => db.OutboxEvents.Select(e => e.Type).ToListAsync()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task All_or_nothing_imports_nothing_when_one_row_is_bad(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var dir = TempDir();
        var file = Path.Combine(dir, "big.csv");
        var rejects = Path.Combine(dir, "bad-rows.csv");
        // 1,001 rows: a whole batch of 1,000 is written before the bad last row is read.
        var csv = new StringBuilder("name,country,employees\n");
        for (var i = 1; i <= 1000; i++) csv.Append($"Company {i:D4},DE,{i}\n");
        csv.Append("Company 1001,Germany,1001\n");
        await File.WriteAllTextAsync(file, csv.ToString());

        var result = await RevLoopProcess.RunAsync(server.Database, "import", "accounts", file, "--rejects", rejects, "--all-or-nothing");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"Imported nothing: 1 of 1001 rows are bad (--all-or-nothing); see {rejects}{Environment.NewLine}", result.StdErr);
        Assert.Equal(Lines("line,field,reason,name,country,employees", "1002,country,must be an ISO 3166 two-letter code such as DE,Company 1001,Germany,1001"), await File.ReadAllTextAsync(rejects));
        Assert.False(File.Exists(Path.Combine(dir, "big.rejects.csv")));
        Assert.Equal((0, 0, 0), await server.WithDbAsync(async db =>
            (await db.Accounts.IgnoreQueryFilters().CountAsync(), await db.FieldChanges.CountAsync(), await db.OutboxEvents.CountAsync())));

        // Fixed, the same file imports whole.
        await File.WriteAllTextAsync(file, csv.ToString().Replace("Company 1001,Germany", "Company 1001,DE"));
        var fixedRun = await RevLoopProcess.RunAsync(server.Database, "import", "accounts", file, "--rejects", rejects, "--all-or-nothing");
        Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
        Assert.Equal($"Read 1001 rows: 1001 created, 0 updated, 0 rejected{Environment.NewLine}", fixedRun.StdErr);
        Assert.Equal((1001, 1001, 1001), await server.WithDbAsync(async db =>
            (await db.Accounts.CountAsync(), await db.FieldChanges.CountAsync(), await db.OutboxEvents.CountAsync())));
        Assert.Equal(new AccountView("Company 0999", null, null, 999, "mid_market", null, "DE", null, null),
            AccountView.From(await server.WithDbAsync(db => db.Accounts.SingleAsync(a => a.Name == "Company 0999"))));
    }
}
