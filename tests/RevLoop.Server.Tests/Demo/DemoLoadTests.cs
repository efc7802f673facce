using System.Reflection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Activities;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Metrics;
using RevLoop.Platform;
using RevLoop.Server.Analytics;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Demo;
using RevLoop.Server.Platform;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Demo;

public class DemoLoadTests
{
    private static readonly DemoOptions Small = new() { Seed = 7, Opportunities = 1500 };

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Same_seed_gives_identical_data_and_another_seed_differs(string provider)
    {
        await using var first = await DemoDatabase.LoadAsync(provider, Small);
        await using var second = await DemoDatabase.LoadAsync(provider, Small);
        await using var other = await DemoDatabase.LoadAsync(provider, Small with { Seed = 8 });
        var a = await first.UseAsync(DemoFingerprint.OfAsync);
        var b = await second.UseAsync(DemoFingerprint.OfAsync);
        var c = await other.UseAsync(DemoFingerprint.OfAsync);

        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(a.Hash, b.Hash);
        Assert.NotEqual(a.Hash, c.Hash);
        Assert.Equal(1500, a.Counts["opportunities"]);
        Assert.Equal(1500, c.Counts["opportunities"]);
        Assert.Equal(250, a.Counts["accounts"]);
        Assert.Equal(1000, a.Counts["leads"]);
        Assert.Equal(a.Counts["field_changes"], first.Summary.FieldChanges);
    }

    [Fact]
    public async Task Sqlite_and_postgres_get_identical_data()
    {
        await using var sqlite = await DemoDatabase.LoadAsync("sqlite", Small);
        await using var postgres = await DemoDatabase.LoadAsync("postgres", Small);
        var a = await sqlite.UseAsync(DemoFingerprint.OfAsync);
        var b = await postgres.UseAsync(DemoFingerprint.OfAsync);
        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(a.Hash, b.Hash);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Demo_company_has_every_role_full_deal_histories_and_plausible_rates(string provider)
    {
        var options = new DemoOptions { Opportunities = 2000 };
        await using var demo = await DemoDatabase.LoadAsync(provider, options);
        using var scope = demo.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var s = demo.Summary;

        // Sizes scale from --opportunities; the fixed seed gives exactly these numbers on both providers.
        Assert.Equal(2000, await db.Opportunities.IgnoreQueryFilters().CountAsync());
        Assert.Equal(333, await db.Accounts.IgnoreQueryFilters().CountAsync());
        Assert.Equal(1332, await db.Leads.IgnoreQueryFilters().CountAsync());
        Assert.Equal(s.Contacts, await db.Contacts.IgnoreQueryFilters().CountAsync());
        Assert.Equal((s.Won, s.Lost, s.Open), (ExpectedWon, ExpectedLost, ExpectedOpen));
        Assert.Equal((s.NewBusiness, s.Expansions, s.Renewals), (ExpectedNewBusiness, ExpectedExpansions, ExpectedRenewals));

        await PeopleAndTeams(db);
        var opportunities = await db.Opportunities.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        var stages = await db.Stages.AsNoTracking().ToDictionaryAsync(x => x.Id);
        // A deal's creation (its first stage included) is in its creation row: read as the per-field changes it stands for.
        var history = CreationRecord.Expand(await db.FieldChanges.AsNoTracking().Where(c => c.EntityType == "opportunity").ToListAsync())
            .OrderBy(c => c.ChangedAt).ThenBy(c => c.Id).GroupBy(c => c.EntityId).ToDictionary(g => g.Key, g => g.ToList());

        Assert.Equal(s.Won, opportunities.Count(o => o.WonAt is not null));
        Assert.Equal(s.Lost, opportunities.Count(o => o.LostAt is not null));
        foreach (var o in opportunities)
        {
            var stageRows = history[o.Id].Where(c => c.Field == nameof(Opportunity.StageId)).ToList();
            var created = stageRows[0];
            Assert.Null(created.OldValue);
            Assert.Equal(0, stages[Guid.Parse(created.NewValue!)].SortOrder);
            Assert.Equal(o.PipelineId, stages[Guid.Parse(created.NewValue!)].PipelineId);
            Assert.Equal(o.CreatedAt, created.ChangedAt);
            Assert.All(history[o.Id], c => { Assert.Equal($"user:{o.OwnerId}", c.ChangedBy); Assert.Equal("demo", c.Source); });
            var last = stageRows[^1];
            Assert.Equal(o.StageId, Guid.Parse(last.NewValue!));
            var type = stages[o.StageId].Type;
            if (o.WonAt is { } won) { Assert.Equal(StageTypes.Won, type); Assert.Equal(won, last.ChangedAt); Assert.Equal(ForecastCategories.Closed, o.ForecastCategory); }
            else if (o.LostAt is { } lost) { Assert.Equal(StageTypes.Lost, type); Assert.Equal(lost, last.ChangedAt); Assert.NotNull(o.LostReason); }
            else Assert.Equal(StageTypes.Open, type);
            Assert.True(o.UpdatedAt < options.Horizon && o.CreatedAt >= options.Start);
        }

        // As-of: between its second and third stage change a deal sits in the second stage; before creation it did not exist.
        var moved = opportunities.Where(o => history[o.Id].Count(c => c.Field == nameof(Opportunity.StageId)) >= 3).OrderBy(o => o.Id).Take(25).ToList();
        Assert.Equal(25, moved.Count);
        foreach (var o in moved)
        {
            var rows = history[o.Id].Where(c => c.Field == nameof(Opportunity.StageId)).ToList();
            var mid = rows[1].ChangedAt + (rows[2].ChangedAt - rows[1].ChangedAt) / 2;
            var then = await History.AsOf<Opportunity>(db, o.Id, mid);
            Assert.NotNull(then);
            Assert.Equal(Guid.Parse(rows[1].NewValue!), then.StageId);
            Assert.Equal(o.CreatedAt, then.CreatedAt);
            Assert.Null(await History.AsOf<Opportunity>(db, o.Id, o.CreatedAt.AddMilliseconds(-1)));
        }

        // Rates and cycle lengths (new business, by segment) are within what B2B SaaS companies see.
        var newBusiness = opportunities.Where(o => o.Type == OpportunityTypes.NewBusiness && (o.WonAt ?? o.LostAt) is not null).ToList();
        var winRate = newBusiness.Count(o => o.WonAt is not null) / (double)newBusiness.Count;
        Assert.InRange(winRate, 0.15, 0.40);
        foreach (var (segment, low, high) in new[] { ("smb", 20.0, 45.0), ("mid_market", 40.0, 90.0), ("enterprise", 80.0, 170.0) })
        {
            var cycles = newBusiness.Where(o => o.Segment == segment && o.WonAt is not null).Select(o => (o.WonAt!.Value - o.CreatedAt).TotalDays).Order().ToList();
            Assert.InRange(cycles[cycles.Count / 2], low, high);
        }
        Assert.InRange(s.Slips / (double)s.Opportunities, 0.1, 0.5);
        Assert.InRange(s.Open / (double)s.Opportunities, 0.03, 0.2);

        await LeadsActivitiesAndSubscriptions(db, options);
        await HistoryReplaysToTheStoredRecords(db);
    }

    // The fixed seed's numbers at --opportunities 2000 (seed 1): a change to the generator shows up here first.
    private const long ExpectedWon = 677, ExpectedLost = 1183, ExpectedOpen = 140, ExpectedNewBusiness = 1236, ExpectedExpansions = 619, ExpectedRenewals = 145;

    private static async Task PeopleAndTeams(RevLoopDb db)
    {
        var users = await db.Users.AsNoTracking().ToListAsync();
        Assert.All(Roles.All, role => Assert.Contains(users, u => u.Role == role));
        foreach (var role in Roles.All.Where(r => r != Roles.Admin))
            Assert.Equal(role, users.Single(u => u.Email == $"{role.Replace('_', '-')}@{DemoOptions.EmailDomain}").Role);
        var admin = users.Single(u => u.NormalizedEmail == DemoOptions.AdminEmail.ToUpperInvariant());
        Assert.Equal(Roles.Admin, admin.Role);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<User>().VerifyHashedPassword(admin, admin.PasswordHash!, DemoOptions.Password));
        Assert.All(users, u => Assert.Equal(admin.PasswordHash, u.PasswordHash));

        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Name);
        Assert.Null(teams["Global"].ParentTeamId);
        foreach (var (region, team) in new[] { ("EMEA", "DACH"), ("EMEA", "Nordics"), ("EMEA", "UKI"), ("Americas", "NA East"), ("Americas", "NA West"), ("Americas", "LATAM"), ("APAC", "ANZ"), ("APAC", "SEA"), ("APAC", "Greater China") })
        {
            Assert.Equal(teams[region].Id, teams[team].ParentTeamId);
            Assert.Equal(teams["Global"].Id, teams[region].ParentTeamId);
        }
        Assert.All(teams.Values, t => Assert.Contains(users, u => u.Id == t.ManagerUserId));

        // Owners sit in the territory team of the account's country, within the account's region.
        var byId = users.ToDictionary(u => u.Id);
        var teamById = teams.Values.ToDictionary(t => t.Id);
        var accounts = await db.Accounts.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        foreach (var a in accounts)
        {
            var owner = byId[a.OwnerId!.Value];
            Assert.Equal(Roles.Ae, owner.Role);
            Assert.Equal(owner.TeamId, a.OwnerTeamId);
            var team = teamById[owner.TeamId!.Value];
            Assert.Equal(a.Region, teamById[team.ParentTeamId!.Value].Name);
            Assert.Contains(DemoWorld.Countries, c => c.Code == a.Country && c.Team == team.Name);
            Assert.Equal(RevLoop.Platform.SegmentBands.Default.SegmentFor(a.Employees), a.Segment);
            Assert.Null(a.SegmentExplicit);
            Assert.True(owner.CreatedAt <= a.CreatedAt, "an account is owned by someone hired by then");
        }
        Assert.Contains(accounts, a => a.ParentAccountId is not null);
        Assert.All(accounts.Where(a => a.ParentAccountId is not null), a => Assert.Contains(accounts, p => p.Id == a.ParentAccountId && p.Segment == "enterprise"));
    }

    private static async Task LeadsActivitiesAndSubscriptions(RevLoopDb db, DemoOptions options)
    {
        var leads = await db.Leads.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        Assert.All(LeadStatus.All, status => Assert.Contains(leads, l => l.Status == status));
        var converted = leads.Where(l => l.Status == LeadStatus.Converted).ToList();
        Assert.InRange(converted.Count / (double)leads.Count, 0.05, 0.35);
        var opportunityIds = converted.Select(l => l.ConvertedOpportunityId!.Value).ToList();
        var fromLeads = await db.Opportunities.IgnoreQueryFilters().AsNoTracking().Where(o => opportunityIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id);
        foreach (var l in converted)
        {
            var o = fromLeads[l.ConvertedOpportunityId!.Value];
            Assert.Equal(o.AccountId, l.ConvertedAccountId);
            Assert.Equal(o.PrimaryContactId, l.ConvertedContactId);
            Assert.Equal(o.CreatedAt, l.ConvertedAt);
            Assert.True(l.CreatedAt < l.ConvertedAt);
        }
        var contacts = await db.Contacts.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        Assert.All(contacts.Where(c => c.Phone is not null), c => Assert.Matches(@"^\+[1-9][0-9]{7,14}$", c.Phone!));
        Assert.All(Consent.All, v => Assert.Contains(contacts, c => c.EmailConsent == v));

        // "My tasks today": open tasks due on the last day, for the account executives among others.
        var day = DemoTime.Midnight(options.AsOf);
        var today = await db.Activities.IgnoreQueryFilters().AsNoTracking()
            .Where(a => a.Type == ActivityTypes.Task && a.Status == ActivityStatus.Open && a.DueAt >= day && a.DueAt < day.AddDays(1)).ToListAsync();
        Assert.True(today.Count >= 20, $"{today.Count} tasks due on {options.AsOf}");
        var aes = await db.Users.Where(u => u.Role == Roles.Ae).Select(u => u.Id).ToListAsync();
        Assert.Contains(today, t => aes.Contains(t.OwnerId!.Value));
        Assert.All(ActivityTypes.All, t => Assert.True(db.Activities.IgnoreQueryFilters().Any(a => a.Type == t)));

        // Subscriptions: a growing company, churning about one to two percent of MRR a month.
        var result = MetricsEngine.Compute(StoredSubscriptions.Load(db), new MetricsQuery { To = new YearMonth(options.AsOf.Year, options.AsOf.Month) });
        var october = new YearMonth(2026, 10);
        Assert.True(result.Month(october).MrrEnd > result.Month(new YearMonth(2025, 10)).MrrEnd);
        Assert.True(result.Month(new YearMonth(2025, 10)).MrrEnd > result.Month(new YearMonth(2024, 10)).MrrEnd);
        var lastTwoYears = result.Months.Where(m => m.Month.CompareTo(new YearMonth(2024, 10)) > 0 && m.Month.CompareTo(october) <= 0).ToList();
        var churn = lastTwoYears.Average(m => (double)((m.Churn + m.Contraction) / m.MrrStart));
        Assert.InRange(churn, 0.003, 0.04);
        Assert.Contains(lastTwoYears, m => m.Reactivation > 0);
        Assert.Contains(lastTwoYears, m => m.Expansion > 0);
        var periods = await db.SubscriptionPeriods.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        Assert.All(periods, p => Assert.True(p.End is null || p.End >= p.Start));
        Assert.All(periods, p => Assert.Equal("USD", p.Currency));
    }

    /// <summary>Replaying every record's history gives the stored record: each field, CreatedAt, UpdatedAt and Version.</summary>
    private static async Task HistoryReplaysToTheStoredRecords(RevLoopDb db)
    {
        // Creations are stored as one row per record (CreationRecord): replay what the readers see.
        var changes = CreationRecord.Expand(await db.FieldChanges.AsNoTracking().ToListAsync()).OrderBy(c => c.ChangedAt).ThenBy(c => c.Id).GroupBy(c => (c.EntityType, c.EntityId))
            .ToDictionary(g => g.Key, g => g.ToList());
        Replay(changes, await db.Accounts.IgnoreQueryFilters().AsNoTracking().ToListAsync());
        Replay(changes, await db.Contacts.IgnoreQueryFilters().AsNoTracking().ToListAsync());
        Replay(changes, await db.Leads.IgnoreQueryFilters().AsNoTracking().ToListAsync());
        Replay(changes, await db.Opportunities.IgnoreQueryFilters().AsNoTracking().ToListAsync());
        Replay(changes, await db.Activities.IgnoreQueryFilters().AsNoTracking().ToListAsync());
        Replay(changes, await db.SubscriptionPeriods.IgnoreQueryFilters().AsNoTracking().ToListAsync());
    }

    private static void Replay<T>(Dictionary<(string, Guid), List<FieldChange>> changes, List<T> records) where T : class, ITrackedRecord, new()
    {
        var type = RecordTypes.NameOf(typeof(T));
        var tracked = typeof(T).GetProperties().Where(p => p.GetCustomAttribute<NotTrackedAttribute>() is null && p.Name != nameof(ITrackedRecord.Id)).ToList();
        Assert.NotEmpty(records);
        foreach (var record in records)
        {
            var rows = changes[(type, record.Id)];
            var replayed = new T();
            foreach (var c in rows) typeof(T).GetProperty(c.Field)!.SetValue(replayed, History.Parse(c.NewValue, typeof(T).GetProperty(c.Field)!.PropertyType));
            foreach (var p in tracked)
                Assert.True(Equals(Normal(p.GetValue(record)), Normal(p.GetValue(replayed))), $"{type} {record.Id}.{p.Name}: stored {p.GetValue(record)}, history says {p.GetValue(replayed)}");
            Assert.Equal(rows[0].ChangedAt, record.CreatedAt);
            Assert.Equal(rows[^1].ChangedAt, record.UpdatedAt);
            Assert.Equal(rows.Select(r => r.ChangeSetId).Distinct().Count(), record.Version);
            // Every change of a change set carries its time and actor; old values chain onto the previous new value.
            foreach (var field in rows.GroupBy(r => r.Field))
            {
                string? previous = null;
                foreach (var r in field) { Assert.Equal(previous, r.OldValue); previous = r.NewValue; }
            }
        }
    }

    private static object? Normal(object? v) => v is decimal d ? d / 1.0000000000000000000000000000m : v;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Refuses_a_database_with_data_but_loads_next_to_users_and_settings(string provider)
    {
        var target = Providers.NewDatabase(provider);
        var database = target.Provider == DatabaseProvider.Sqlite ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(target.ConnectionString).DataSource : target.ConnectionString;
        Assert.Equal(0, await RevLoop.Server.Cli.RevLoopCli.RunAsync(["user", "create", "--email", "owner@example.com", "--password", "correct horse battery", "--role", "admin", "--team", "Owners", "--database", database]));
        Assert.Equal(0, await RevLoop.Server.Cli.RevLoopCli.RunAsync(["demo", "--opportunities", "300", "--seed", "3", "--database", database]));
        Assert.Equal(2, await RevLoop.Server.Cli.RevLoopCli.RunAsync(["demo", "--opportunities", "300", "--database", database]));
        Assert.Equal(2, await RevLoop.Server.Cli.RevLoopCli.RunAsync(["demo", "--as-of", "01/11/2026", "--database", database]));

        await using var services = await DemoDatabase.ServicesFor(target);
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
        var error = await Assert.ThrowsAsync<InputException>(() => DemoLoader.LoadAsync(db, target, new DemoOptions { Opportunities = 300 }, _ => { }, CancellationToken.None));
        Assert.Equal("--database", error.Field);
        Assert.Contains("already holds accounts", error.Reason);
        Assert.Equal(300, await db.Opportunities.IgnoreQueryFilters().CountAsync());
        Assert.True(await db.Users.AnyAsync(u => u.Email == "owner@example.com"));
        Assert.Equal(DemoCatalog.CompanyName, (await db.CompanySettings.SingleAsync()).CompanyName);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Serve_demo_loads_an_empty_database_once_and_the_demo_login_works(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var options = new DemoOptions { Opportunities = 300 };
        await DemoServe.LoadIfEmptyAsync(server.Services, server.App.Logger, CancellationToken.None, options);
        await DemoServe.LoadIfEmptyAsync(server.Services, server.App.Logger, CancellationToken.None, options);
        Assert.Equal(300, server.Scoped(db => db.Opportunities.IgnoreQueryFilters().Count()));

        using var scope = server.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var admin = await users.FindByEmailAsync(DemoOptions.AdminEmail);
        Assert.NotNull(admin);
        Assert.True(await users.CheckPasswordAsync(admin, DemoOptions.Password));
        var ae = await users.FindByEmailAsync($"ae@{DemoOptions.EmailDomain}");
        Assert.True(await users.CheckPasswordAsync(ae!, DemoOptions.Password));

        // The API sees the demo data like any other (an AE sees their own deals).
        var client = await server.ClientForAsync(ae!);
        var page = await (await client.GetAsync("/api/v1/opportunities?pageSize=5")).ReadJsonAsync();
        Assert.NotEmpty(page.GetProperty("items").EnumerateArray());
        Assert.All(page.GetProperty("items").EnumerateArray(), o => Assert.Equal(ae!.Id.ToString(), o.GetProperty("ownerId").GetString()));
    }
}
