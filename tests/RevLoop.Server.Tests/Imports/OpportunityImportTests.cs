using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;
using static RevLoop.Server.Tests.Imports.ImportKit;

namespace RevLoop.Server.Tests.Imports;

/// <summary>`revloop import opportunities` and `import leads`: references by name, amounts per currency, stage types, all-or-nothing, stage history.</summary>
public class OpportunityImportTests
{
    private const string Acme = "00000000-0000-7000-8000-0000000000a1";
    private const string Header = "name,account,account_id,pipeline,stage,amount,currency,close_date,owner_email,type,forecast_category,lost_reason,primary_contact_id,external_id";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Opportunities_import_with_stages_amounts_and_references_all_or_nothing_first(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var owner = await server.CreateUserAsync("owner@example.com", Roles.Ae, "Sales");
        await SeedPipelinesAsync(server);
        using var dir = TempDir();
        var accounts = Path.Combine(dir, "accounts.csv");
        await File.WriteAllTextAsync(accounts, Lines("id,name,domain", $"{Acme},Acme Inc,acme.com"));
        await ImportAsync(server, 0, "accounts", accounts);
        var contacts = Path.Combine(dir, "contacts.csv");
        await File.WriteAllTextAsync(contacts, Lines("first_name,last_name,email,account_id", $"Ada,Lovelace,ada@acme.com,{Acme}"));
        await ImportAsync(server, 0, "contacts", contacts);
        var ada = await server.WithDbAsync(db => db.Contacts.Select(c => c.Id).SingleAsync());
        var stranger = Guid.Parse("00000000-0000-7000-8000-0000000000ff");

        var file = Path.Combine(dir, "opportunities.csv");
        await File.WriteAllTextAsync(file, Lines(Header,
            $"Acme platform,acme.com,,,Proposal,12000.50,,2026-12-31,owner@example.com,,commit,,{ada},OPP-1",
            $"Acme renewal,,{Acme},,Closed won,5000,eur,2026-06-30,,renewal,,,,",
            "Partner deal,Acme Inc,,partner,Won,300000,JPY,,,expansion,,,,",
            "Lost one,acme.com,,,Closed lost,10,,,,,,Too expensive,,",
            "Bad stage,acme.com,,,Negotiation,,,,,,,,,",
            "Bad amount,acme.com,,,,12.345,,,,,,,,",
            "No account,,,,,,,,,,,,,",
            "Bad pipeline,acme.com,,Enterprise,,,,,,,,,,",
            $"Wrong contact,acme.com,,,,,,,,,,,{stranger},"));
        var expectedRejects = Lines("line,field,reason," + Header,
            "6,stage,\"pipeline 'New business' has no stage named 'Negotiation' (stages: Discovery, Proposal, Closed won, Closed lost)\",Bad stage,acme.com,,,Negotiation,,,,,,,,,",
            "7,amount,'12.345' has more decimals than USD allows,Bad amount,acme.com,,,,12.345,,,,,,,,",
            "8,account_id,\"is required (or account: a name or domain, or account_external_id)\",No account,,,,,,,,,,,,,",
            "9,pipeline,no pipeline is named 'Enterprise',Bad pipeline,acme.com,,Enterprise,,,,,,,,,,",
            $"10,primary_contact_id,no contact of this account has id {stranger},Wrong contact,acme.com,,,,,,,,,,,{stranger},");

        // All or nothing: five bad rows, so none of the four good ones is written, nor their history or events.
        var before = await server.WithDbAsync(async db => (await db.FieldChanges.CountAsync(), await db.OutboxEvents.CountAsync()));
        var none = await ImportAsync(server, 2, "opportunities", file, "--all-or-nothing");
        Assert.Equal($"Imported nothing: 5 of 9 rows are bad (--all-or-nothing); see {Path.Combine(dir, "opportunities.rejects.csv")}{Environment.NewLine}", none.StdErr);
        Assert.Equal(expectedRejects, await File.ReadAllTextAsync(Path.Combine(dir, "opportunities.rejects.csv")));
        Assert.Equal((0, before.Item1, before.Item2), await server.WithDbAsync(async db =>
            (await db.Opportunities.IgnoreQueryFilters().CountAsync(), await db.FieldChanges.CountAsync(), await db.OutboxEvents.CountAsync())));

        var started = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        var result = await ImportAsync(server, 2, "opportunities", file);
        var finished = TimeProvider.System.GetUtcNow();
        Assert.Equal($"Read 9 rows: 4 created, 0 updated, 5 rejected (see {Path.Combine(dir, "opportunities.rejects.csv")}){Environment.NewLine}", result.StdErr);
        Assert.Equal(expectedRejects, await File.ReadAllTextAsync(Path.Combine(dir, "opportunities.rejects.csv")));
        var opps = await server.WithDbAsync(db => db.Opportunities.AsNoTracking().OrderBy(o => o.Name).ToListAsync());
        var acme = Guid.Parse(Acme);
        Assert.Equal(
        [
            ("Acme platform", acme, Sales, Proposal, 1200050L, "USD", (DateOnly?)new DateOnly(2026, 12, 31), (Guid?)owner.Id, "new_business", "commit", (string?)null, (Guid?)ada, (string?)"OPP-1"),
            ("Acme renewal", acme, Sales, ClosedWon, 500000L, "EUR", new DateOnly(2026, 6, 30), null, "renewal", "closed", null, null, null),
            ("Lost one", acme, Sales, ClosedLost, 1000L, "USD", null, null, "new_business", "omitted", "Too expensive", null, null),
            ("Partner deal", acme, Partner, PartnerWon, 300000L, "JPY", null, null, "expansion", "closed", null, null, null),
        ], opps.Select(o => (o.Name, o.AccountId, o.PipelineId, o.StageId, o.AmountMinor, o.Currency, o.CloseDate, o.OwnerId, o.Type, o.ForecastCategory, o.LostReason, o.PrimaryContactId, o.ExternalId)));
        // Won or lost: at the close date when there is one, else at the time of the import.
        Assert.Equal([null, DateTimeOffset.Parse("2026-06-30T00:00:00Z"), null, null], opps.Select(o => o.WonAt is { } t && t >= started ? null : o.WonAt));
        Assert.Equal([false, false, false, true], opps.Select(o => o.WonAt is { } t && t >= started && t <= finished));
        Assert.Equal([false, false, true, false], opps.Select(o => o.LostAt is { } t && t >= started && t <= finished));
        Assert.Equal(owner.TeamId, opps[0].OwnerTeamId);

        // Stage history: historical stage changes at their own times, chained old -> new; a repeated stage is no change.
        var history = Path.Combine(dir, "history.csv");
        await File.WriteAllTextAsync(history, Lines("opportunity_external_id,stage,changed_at",
            "OPP-1,Proposal,2026-02-11T12:30:00Z", "OPP-1,Discovery,2026-01-05T09:00:00Z", "OPP-1,Proposal,2026-02-10T12:30:00.250+01:00", "OPP-404,Discovery,2026-01-01"));
        var written = await ImportAsync(server, 2, "opportunities", history);
        Assert.Equal($"Read 4 rows: 2 created, 0 updated, 1 unchanged, 1 rejected (see {Path.Combine(dir, "history.rejects.csv")}){Environment.NewLine}", written.StdErr);
        Assert.Equal(Lines("line,field,reason,opportunity_external_id,stage,changed_at", "5,opportunity_external_id,no opportunity has external id OPP-404,OPP-404,Discovery,2026-01-01"),
            await File.ReadAllTextAsync(Path.Combine(dir, "history.rejects.csv")));
        var stages = await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityId == opps[0].Id && c.Field == "StageId").OrderBy(c => c.ChangedAt).ToListAsync());
        Assert.Equal(
        [
            (DateTimeOffset.Parse("2026-01-05T09:00:00Z"), (string?)null, Discovery.ToString(), "import"),
            (DateTimeOffset.Parse("2026-02-10T11:30:00.250Z"), Discovery.ToString(), Proposal.ToString(), "import"),
        ], stages.Take(2).Select(c => (c.ChangedAt, c.OldValue, c.NewValue!, c.Source)));
        Assert.Equal(2, stages.Count);
        // The creation by the import, after them, is in the deal's creation row (CreationRecord).
        var creation = CreationRecord.Expand(await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityId == opps[0].Id && c.Field == CreationRecord.Field).ToListAsync()))
            .Single(c => c.Field == "StageId");
        Assert.Equal((null, Proposal.ToString()), (creation.OldValue, creation.NewValue));
        Assert.True(creation.ChangedAt >= started);

        // The same file again is idempotent: the stored changes are duplicates.
        var again = await ImportAsync(server, 2, "opportunities", history);
        Assert.Equal($"Read 4 rows: 0 created, 0 updated, 1 unchanged, 3 rejected (see {Path.Combine(dir, "history.rejects.csv")}){Environment.NewLine}", again.StdErr);
        Assert.Equal(2, await server.WithDbAsync(db => db.FieldChanges.CountAsync(c => c.EntityId == opps[0].Id && c.Field == "StageId")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Leads_import_with_normalised_values(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var owner = await server.CreateUserAsync("owner@example.com", Roles.Sdr, "Sales");
        using var dir = TempDir();
        var file = Path.Combine(dir, "leads.csv");
        const string header = "first_name,last_name,email,company,domain,employees,country,status,source,pool,owner_email";
        await File.WriteAllTextAsync(file, Lines(header,
            "Lin,Ng,lin@initech.io,Initech,https://www.Initech.io/about,120,sg,MQL,Inbound,APAC queue,owner@example.com",
            "Bo,Li,bo@example.com,,,,,hot,,,",
            "Cy,Ray,cy@example.com,,,-5,,,,,"));
        var result = await ImportAsync(server, 2, "leads", file);
        Assert.Equal($"Read 3 rows: 1 created, 0 updated, 2 rejected (see {Path.Combine(dir, "leads.rejects.csv")}){Environment.NewLine}", result.StdErr);
        Assert.Equal(Lines("line,field,reason," + header,
            "3,status,\"'hot' is not one of new, working, nurturing, mql, sql, disqualified, converted\",Bo,Li,bo@example.com,,,,,hot,,,",
            "4,employees,must not be negative,Cy,Ray,cy@example.com,,,-5,,,,,"), await File.ReadAllTextAsync(Path.Combine(dir, "leads.rejects.csv")));
        var lead = await server.WithDbAsync(db => db.Leads.AsNoTracking().SingleAsync());
        Assert.Equal(("Lin", "Ng", "lin@initech.io", "lin@initech.io", "Initech", "initech.io", 120, "SG", "mql", "inbound", "APAC queue", owner.Id, owner.TeamId),
            (lead.FirstName, lead.LastName, lead.Email, lead.NormalizedEmail, lead.Company, lead.Domain, lead.Employees, lead.Country, lead.Status, lead.Source!, lead.Pool, lead.OwnerId, lead.OwnerTeamId));
    }
}
