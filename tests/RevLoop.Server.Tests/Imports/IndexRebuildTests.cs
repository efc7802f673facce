using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Platform.Imports;
using RevLoop.Server.Tests.Demo;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;
using static RevLoop.Server.Tests.Imports.ImportKit;

namespace RevLoop.Server.Tests.Imports;

/// <summary>
/// A large all-or-nothing import into SQLite builds its secondary indexes after its rows (ADR 0019): same rows, same indexes,
/// lookups by external id or domain still answered meanwhile, everything back as it was when the import rolls back. PostgreSQL
/// imports the same files the same way, with its indexes untouched.
/// </summary>
public class IndexRebuildTests
{
    private const string Acme = "00000000-0000-7000-8000-0000000000a1";
    private const string Header = "name,account_id,stage,amount,close_date,owner_email,external_id";

    /// <summary>The 11 secondary indexes of Opportunities that no import lookup reads (all but the external id's).</summary>
    private static readonly string[] SetAside =
    [
        "IX_Opportunities_AccountId", "IX_Opportunities_CloseDate", "IX_Opportunities_CreatedAt", "IX_Opportunities_Name_Id",
        "IX_Opportunities_OwnerId_CloseDate", "IX_Opportunities_OwnerId_StageId_CloseDate_Id", "IX_Opportunities_OwnerTeamId_CloseDate",
        "IX_Opportunities_PipelineId_StageId", "IX_Opportunities_Region", "IX_Opportunities_Segment", "IX_Opportunities_StageId_CloseDate_Id",
    ];

    /// <summary>Deals 0..count-1: every third in Proposal, every second owned, close dates over 200 days.</summary>
    internal static string Deals(int count, int first = 0)
    {
        var text = new StringBuilder(Header).Append('\n');
        for (var i = first; i < first + count; i++)
        {
            var close = new DateOnly(2026, 1, 1).AddDays(i % 200).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"Deal {i:D5},{Acme},{(i % 3 == 0 ? "Proposal" : "Discovery")},{i + 1},{close},{(i % 2 == 0 ? "owner@example.com" : "")},OPP-{i:D5}\n");
        }
        return text.ToString();
    }

    internal static async Task<RunningServer> StartAsync(string provider)
    {
        var server = await RunningServer.StartAsync(provider);
        await server.CreateUserAsync("owner@example.com", Roles.Ae, "Sales");
        await SeedPipelinesAsync(server);
        using var dir = TempDir();
        var accounts = Path.Combine(dir, "accounts.csv");
        await File.WriteAllTextAsync(accounts, Lines("id,name,domain", $"{Acme},Acme Inc,acme.com"));
        await ImportAsync(server, 0, "accounts", accounts);
        return server;
    }

    /// <summary>A table's indexes as the database defines them.</summary>
    private static Task<List<string>> IndexesAsync(RunningServer server, string table = "Opportunities") => DemoBulkWriteTests.RowsAsync(server.Database,
        server.Database.Provider == DatabaseProvider.Sqlite
            ? $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}' ORDER BY name"
            : $"SELECT indexname, indexdef FROM pg_indexes WHERE tablename = '{table}' ORDER BY indexname");

    /// <summary>SQLite's own check that every index holds exactly the table's rows (PostgreSQL's indexes are not touched).</summary>
    private static async Task<string> IntegrityAsync(RunningServer server) => server.Database.Provider == DatabaseProvider.Sqlite
        ? string.Join(" | ", await DemoBulkWriteTests.RowsAsync(server.Database, "PRAGMA integrity_check"))
        : "integrity_check=String:ok";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_large_all_or_nothing_import_builds_the_deal_indexes_after_its_rows(string provider)
    {
        await using var server = await StartAsync(provider);
        var sqlite = server.Database.Provider == DatabaseProvider.Sqlite;
        var indexes = await IndexesAsync(server);
        Assert.Equal(13, indexes.Count);
        using var dir = TempDir();
        var file = Path.Combine(dir, "opportunities.csv");
        // 15,000 new deals, then a row that merges into deal 7 of the first batch: found by its external id, whose index
        // stays in place while the others wait.
        await File.WriteAllTextAsync(file, Deals(15_000) + $"Deal 00007 renamed,{Acme},Proposal,99,2026-03-01,,OPP-00007\n");

        var result = await ImportAsync(server, 0, "opportunities", file, "--all-or-nothing", "--dedupe", "merge");

        Assert.Equal((sqlite ? "building 11 indexes of opportunities..." + Environment.NewLine : "")
            + "Read 15001 rows: 15000 created, 1 updated, 0 rejected" + Environment.NewLine, result.StdErr);
        Assert.Equal(indexes, await IndexesAsync(server));
        Assert.Equal("integrity_check=String:ok", await IntegrityAsync(server));
        var (count, renamed, proposalOwned, firstOwnedProposal, created) = await server.WithDbAsync(async db =>
        {
            var owner = await db.Users.Where(u => u.Email == "owner@example.com").Select(u => u.Id).SingleAsync();
            return (await db.Opportunities.CountAsync(),
                await db.Opportunities.Where(o => o.ExternalId == "OPP-00007").Select(o => new { o.Name, o.AmountMinor, o.StageId, o.CloseDate }).SingleAsync(),
                await db.Opportunities.CountAsync(o => o.OwnerId == owner && o.StageId == Proposal),
                await db.Opportunities.Where(o => o.OwnerId == owner && o.StageId == Proposal).OrderByDescending(o => o.CloseDate).ThenBy(o => o.Name).Select(o => o.Name).FirstAsync(),
                await db.OutboxEvents.CountAsync(e => e.EntityType == "opportunity" && e.Type == "opportunity.created"));
        });
        Assert.Equal(15_000, count);
        Assert.Equal(new { Name = "Deal 00007 renamed", AmountMinor = 9_900L, StageId = Proposal, CloseDate = (DateOnly?)new DateOnly(2026, 3, 1) }, renamed);
        // Owned (even) and in Proposal (a multiple of 3): every sixth deal. The latest close date, day 198, first: deal 0198.
        Assert.Equal(2_500, proposalOwned);
        Assert.Equal("Deal 00198", firstOwnedProposal);
        Assert.Equal(15_000, created);

        // 11,000 more deals into a table of 15,000: the file does not double the table, so the indexes stay in place.
        var more = Path.Combine(dir, "more.csv");
        await File.WriteAllTextAsync(more, Deals(11_000, first: 20_000));
        var second = await ImportAsync(server, 0, "opportunities", more, "--all-or-nothing");
        Assert.Equal("Read 11000 rows: 11000 created, 0 updated, 0 rejected" + Environment.NewLine, second.StdErr);
        Assert.Equal(indexes, await IndexesAsync(server));
        Assert.Equal("integrity_check=String:ok", await IntegrityAsync(server));
        Assert.Equal(26_000, await server.WithDbAsync(db => db.Opportunities.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_large_all_or_nothing_accounts_import_keeps_the_indexes_its_matching_reads(string provider)
    {
        await using var server = await StartAsync(provider);
        var sqlite = server.Database.Provider == DatabaseProvider.Sqlite;
        var indexes = await IndexesAsync(server, "Accounts");
        using var dir = TempDir();
        var file = Path.Combine(dir, "accounts.csv");
        var text = new StringBuilder("name,domain,owner_email\n");
        for (var i = 0; i < 12_000; i++) text.Append(CultureInfo.InvariantCulture, $"Company {i:D5},c{i}.example,{(i % 2 == 0 ? "owner@example.com" : "")}\n");
        // Matched by its domain to account 7 of the first batch (the domain's index stays in place), and merged.
        text.Append("Company 00007 Renamed,WWW.C7.EXAMPLE,\n");
        await File.WriteAllTextAsync(file, text.ToString());

        var result = await ImportAsync(server, 0, "accounts", file, "--all-or-nothing", "--dedupe", "merge");

        Assert.Equal((sqlite ? "building 7 indexes of accounts..." + Environment.NewLine : "")
            + "Read 12001 rows: 12000 created, 1 updated, 0 rejected" + Environment.NewLine, result.StdErr);
        Assert.Equal(indexes, await IndexesAsync(server, "Accounts"));
        Assert.Equal("integrity_check=String:ok", await IntegrityAsync(server));
        Assert.Equal((12_001, "Company 00007 Renamed", 6_000), await server.WithDbAsync(async db =>
        {
            var owner = await db.Users.Where(u => u.Email == "owner@example.com").Select(u => u.Id).SingleAsync();
            return (await db.Accounts.CountAsync(), await db.Accounts.Where(a => a.Domain == "c7.example").Select(a => a.Name).SingleAsync(),
                await db.Accounts.CountAsync(a => a.OwnerId == owner));
        }));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_large_import_with_a_bad_row_rolls_back_with_its_indexes_in_place(string provider)
    {
        await using var server = await StartAsync(provider);
        var indexes = await IndexesAsync(server);
        var before = await Counts(server);
        using var dir = TempDir();
        var file = Path.Combine(dir, "opportunities.csv");
        await File.WriteAllTextAsync(file, Deals(15_000) + $"Deal 99999,{Acme},Nowhere,1,2026-03-01,,OPP-99999\n");

        var result = await ImportAsync(server, 2, "opportunities", file, "--all-or-nothing");

        Assert.Equal($"Imported nothing: 1 of 15001 rows are bad (--all-or-nothing); see {Path.Combine(dir, "opportunities.rejects.csv")}{Environment.NewLine}", result.StdErr);
        Assert.Equal(Lines("line,field,reason," + Header,
            $"15002,stage,\"pipeline 'New business' has no stage named 'Nowhere' (stages: Discovery, Proposal, Closed won, Closed lost)\",Deal 99999,{Acme},Nowhere,1,2026-03-01,,OPP-99999"),
            await File.ReadAllTextAsync(Path.Combine(dir, "opportunities.rejects.csv")));
        Assert.Equal(0, await server.WithDbAsync(db => db.Opportunities.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(before, await Counts(server));
        Assert.Equal(indexes, await IndexesAsync(server));
        Assert.Equal("integrity_check=String:ok", await IntegrityAsync(server));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Only_a_large_enough_SQLite_import_in_one_transaction_sets_indexes_aside(string provider)
    {
        await using var server = await StartAsync(provider);
        var sqlite = server.Database.Provider == DatabaseProvider.Sqlite;
        var indexes = await IndexesAsync(server);
        var lookups = RevLoop.Server.Crm.Opportunities.OpportunityCsv.Instance.LookupColumns;
        var deal = typeof(Opportunity);

        await server.WithDbAsync(async db =>
        {
            // Outside a transaction (an import that commits as it goes), below the threshold, or without stated lookups: nothing.
            Assert.Null(await IndexRebuild.BeginAsync(db, deal, lookups, 1_000_000, CancellationToken.None));
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.Null(await IndexRebuild.BeginAsync(db, deal, lookups, IndexRebuild.FromRows - 1, CancellationToken.None));
            Assert.Null(await IndexRebuild.BeginAsync(db, deal, null, 1_000_000, CancellationToken.None));

            var rebuild = await IndexRebuild.BeginAsync(db, deal, lookups, IndexRebuild.FromRows, CancellationToken.None);
            if (!sqlite)
            {
                Assert.Null(rebuild);
                return 0;
            }
            Assert.NotNull(rebuild);
            Assert.Equal(SetAside.Select(n => indexes.Single(i => i.StartsWith($"name=String:{n}; ", StringComparison.Ordinal)).Split("; sql=String:")[1]),
                rebuild.Definitions);
            // Inside the transaction only the primary key's and the external id's remain.
            Assert.Equal(["IX_Opportunities_ExternalId", "sqlite_autoindex_Opportunities_1"], await db.Database
                .SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Opportunities' ORDER BY name").ToListAsync());
            await rebuild.FinishAsync(db, CancellationToken.None);
            await transaction.CommitAsync();
            return 0;
        });
        Assert.Equal(indexes, await IndexesAsync(server));

        // Rolled back after setting them aside: they are all back.
        await server.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var rebuild = await IndexRebuild.BeginAsync(db, deal, lookups, 50_000, CancellationToken.None);
            Assert.Equal(sqlite, rebuild is not null);
            await transaction.RollbackAsync();
            return 0;
        });
        Assert.Equal(indexes, await IndexesAsync(server));
    }
}
