using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;
using static RevLoop.Server.Tests.Imports.ImportKit;

namespace RevLoop.Server.Tests.Imports;

/// <summary>
/// A Salesforce export (our own five-file fixture with the standard column names, CRLF and a BOM as Salesforce writes
/// them) through the built-in map, found by the header or asked for with --map salesforce; and a user's own map.json.
/// </summary>
public class SalesforceImportTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Imports", "Salesforce", name);

    private static readonly Guid Prospecting = Guid.Parse("00000000-0000-7000-8000-00000000d001"), Qualification = Guid.Parse("00000000-0000-7000-8000-00000000d002"),
        Negotiation = Guid.Parse("00000000-0000-7000-8000-00000000d003"), Won = Guid.Parse("00000000-0000-7000-8000-00000000d004"), Lost = Guid.Parse("00000000-0000-7000-8000-00000000d005");

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Salesforce_export_imports_all_five_files_with_stage_history_and_again_idempotently(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        await server.WithDbAsync(db =>
        {
            // The default pipeline has none of Salesforce's stage names, so the Salesforce stages find their own pipeline.
            db.Pipelines.Add(new Pipeline
            {
                Name = "New business", IsDefault = true, SortOrder = 0,
                Stages = [new Stage { Name = "Discovery", Probability = 10 }, new Stage { Name = "Won", SortOrder = 1, Probability = 100, Type = StageTypes.Won }],
            });
            db.Pipelines.Add(new Pipeline
            {
                Name = "Salesforce", SortOrder = 2,
                Stages =
                [
                    new Stage { Id = Prospecting, Name = "Prospecting", SortOrder = 0, Probability = 10 },
                    new Stage { Id = Qualification, Name = "Qualification", SortOrder = 1, Probability = 20 },
                    new Stage { Id = Negotiation, Name = "Negotiation/Review", SortOrder = 2, Probability = 90 },
                    new Stage { Id = Won, Name = "Closed Won", SortOrder = 3, Probability = 100, Type = StageTypes.Won },
                    new Stage { Id = Lost, Name = "Closed Lost", SortOrder = 4, Probability = 0, Type = StageTypes.Lost },
                ],
            });
            return db.SaveChangesAsync();
        });
        using var dir = TempDir();
        foreach (var f in new[] { "Account.csv", "Contact.csv", "Lead.csv", "Opportunity.csv", "OpportunityHistory.csv" }) File.Copy(Fixture(f), Path.Combine(dir, f));
        string In(string f) => Path.Combine(dir, f);

        var accounts = await ImportAsync(server, 2, "accounts", In("Account.csv"));
        Assert.Equal($"Read 3 rows: 2 created, 0 updated, 1 rejected (see {In("Account.rejects.csv")}){Environment.NewLine}", accounts.StdErr);
        var accountLines = File.ReadAllLines(In("Account.csv"));
        Assert.Equal(Lines("line,field,reason," + accountLines[0].TrimStart('\uFEFF'), "4,BillingCountry,must be an ISO 3166 two-letter code such as DE," + accountLines[3]),
            await File.ReadAllTextAsync(In("Account.rejects.csv")));
        var stored = await server.WithDbAsync(db => db.Accounts.AsNoTracking().OrderBy(a => a.Name).ToListAsync());
        Assert.Equal([
            ("Acme Europe GmbH", "acme.de", "Technology", (int?)80, "smb", "DE", "0015g00000AcmeEUA", (Guid?)stored[1].Id),
            ("Acme, Inc.", "acme.com", "Technology", 320, "mid_market", "US", "0015g00000AcmeAAA", null),
        ], stored.Select(a => (a.Name, a.Domain!, a.Industry!, a.Employees, a.Segment!, a.Country!, a.ExternalId!, a.ParentAccountId)));
        var (acmeEu, acme) = (stored[0].Id, stored[1].Id);

        var contacts = await ImportAsync(server, 2, "contacts", In("Contact.csv"), "--map", "salesforce");
        Assert.Equal($"Read 3 rows: 2 created, 0 updated, 1 rejected (see {In("Contact.rejects.csv")}){Environment.NewLine}", contacts.StdErr);
        Assert.Equal(Lines("line,field,reason," + File.ReadAllLines(In("Contact.csv"))[0], "4,AccountId,no account has external id 0015g00000NoneAAA," + File.ReadAllLines(In("Contact.csv"))[3]),
            await File.ReadAllTextAsync(In("Contact.rejects.csv")));
        Assert.Equal([
            ("Ada", "Lovelace", (Guid?)acme, "CTO", (string?)"+15125550101", "ada@acme.com", "unknown", "opted_out", "0035g00000AdaAAA"),
            ("Hans", "Muster", acmeEu, "Einkauf", null, "hans@acme.de", "opted_out", "unknown", "0035g00000HansAAA"),
        ], (await server.WithDbAsync(db => db.Contacts.AsNoTracking().OrderBy(c => c.FirstName).ToListAsync()))
            .Select(c => (c.FirstName, c.LastName, c.AccountId, c.Title!, c.Phone, c.Email!, c.EmailConsent, c.PhoneConsent, c.ExternalId!)));

        var leads = await ImportAsync(server, 0, "leads", In("Lead.csv"));
        Assert.Equal($"Read 2 rows: 2 created, 0 updated, 0 rejected{Environment.NewLine}", leads.StdErr);
        Assert.Equal([
            ("Bo", "Li", (string?)null, "Hooli", (string?)null, (int?)null, (string?)null, "new", "event", "opted_out", (string?)null),
            ("Lin", "Ng", "VP Sales", "Initech", "initech.io", 120, "SG", "working", "inbound", "unknown", "+6565550100"),
        ], (await server.WithDbAsync(db => db.Leads.AsNoTracking().OrderBy(l => l.FirstName).ToListAsync()))
            .Select(l => (l.FirstName, l.LastName, l.Title, l.Company!, l.Domain, l.Employees, l.Country, l.Status, l.Source!, l.EmailConsent, l.Phone)));

        var opportunities = await ImportAsync(server, 0, "opportunities", In("Opportunity.csv"));
        Assert.Equal($"Read 3 rows: 3 created, 0 updated, 0 rejected{Environment.NewLine}", opportunities.StdErr);
        var opps = await server.WithDbAsync(db => db.Opportunities.AsNoTracking().OrderBy(o => o.ExternalId).ToListAsync());
        Assert.Equal([
            ("Acme - Platform", acme, Negotiation, 12000000L, "USD", new DateOnly(2024, 6, 30), "new_business", "commit", (string?)"Send contract", (string?)"Web", (DateTimeOffset?)null, (DateTimeOffset?)null),
            ("Acme Europe - Expansion", acmeEu, Won, 4500050L, "EUR", new DateOnly(2024, 5, 15), "expansion", "closed", null, "Partner Referral", DateTimeOffset.Parse("2024-05-15T00:00:00Z"), null),
            ("Acme - Pilot", acme, Lost, 800000L, "USD", new DateOnly(2024, 4, 1), "new_business", "omitted", null, null, null, DateTimeOffset.Parse("2024-04-01T00:00:00Z")),
        ], opps.Select(o => (o.Name, o.AccountId, o.StageId, o.AmountMinor, o.Currency, o.CloseDate!.Value, o.Type, o.ForecastCategory, o.NextStep, o.Source, o.WonAt, o.LostAt)));

        var history = await ImportAsync(server, 2, "opportunities", In("OpportunityHistory.csv"));
        Assert.Equal($"Read 7 rows: 5 created, 0 updated, 1 unchanged, 1 rejected (see {In("OpportunityHistory.rejects.csv")}){Environment.NewLine}", history.StdErr);
        Assert.Equal(Lines("line,field,reason," + File.ReadAllLines(In("OpportunityHistory.csv"))[0],
            "8,OpportunityId,no opportunity has external id 0065g00000OppXAAA," + File.ReadAllLines(In("OpportunityHistory.csv"))[7]), await File.ReadAllTextAsync(In("OpportunityHistory.rejects.csv")));
        var platform = await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityId == opps[0].Id && c.Field == "StageId").OrderBy(c => c.ChangedAt).ToListAsync());
        Assert.Equal([
            (DateTimeOffset.Parse("2024-03-01T09:00:00Z"), (string?)null, Prospecting.ToString()),
            (DateTimeOffset.Parse("2024-03-20T14:15:00Z"), Prospecting.ToString(), Qualification.ToString()),
            (DateTimeOffset.Parse("2024-05-02T16:45:00Z"), Qualification.ToString(), Negotiation.ToString()),
        ], platform.Take(3).Select(c => (c.ChangedAt, c.OldValue, c.NewValue!)));
        // The deal's stage when the import created it is in its creation row (CreationRecord), not a stage row.
        Assert.Equal(3, platform.Count);
        Assert.Equal([Prospecting.ToString(), Won.ToString()], await server.WithDbAsync(db => db.FieldChanges.Where(c => c.EntityId == opps[1].Id && c.Field == "StageId"
            && c.ChangedAt < DateTimeOffset.Parse("2025-01-01T00:00:00Z")).OrderBy(c => c.ChangedAt).Select(c => c.NewValue!).ToListAsync()));

        // The same export again: the Salesforce ids match, so nothing is duplicated; merge finds nothing to change.
        var changes = await server.WithDbAsync(db => db.FieldChanges.CountAsync());
        var skip = await ImportAsync(server, 2, "opportunities", In("Opportunity.csv"));
        Assert.Equal($"Read 3 rows: 0 created, 0 updated, 3 rejected (see {In("Opportunity.rejects.csv")}){Environment.NewLine}", skip.StdErr);
        Assert.StartsWith($"2,Id,duplicate of opportunity {opps[0].Id} (same external id);", File.ReadAllLines(In("Opportunity.rejects.csv"))[1]);
        var merge = await ImportAsync(server, 0, "opportunities", In("Opportunity.csv"), "--dedupe", "merge");
        Assert.Equal($"Read 3 rows: 0 created, 3 updated, 0 rejected{Environment.NewLine}", merge.StdErr);
        Assert.Equal((3, changes), await server.WithDbAsync(async db => (await db.Opportunities.CountAsync(), await db.FieldChanges.CountAsync())));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_map_json_renames_and_drops_columns(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var dir = TempDir();
        var file = Path.Combine(dir, "crm.csv");
        await File.WriteAllTextAsync(file, Lines("Company Name,Web Site,Headcount,Notes", "Initech,www.initech.io,50,call back", "Hooli,hooli.xyz,many,"));
        var map = Path.Combine(dir, "map.json");
        await File.WriteAllTextAsync(map, """{ "Company Name": "name", "Web Site": "domain", "Headcount": "employees", "Notes": null }""");
        var result = await ImportAsync(server, 2, "accounts", file, "--map", map);
        Assert.Equal($"Read 2 rows: 1 created, 0 updated, 1 rejected (see {Path.Combine(dir, "crm.rejects.csv")}){Environment.NewLine}", result.StdErr);
        Assert.Equal(Lines("line,field,reason,Company Name,Web Site,Headcount,Notes", "3,Headcount,'many' is not a whole number,Hooli,hooli.xyz,many,"),
            await File.ReadAllTextAsync(Path.Combine(dir, "crm.rejects.csv")));
        Assert.Equal(new AccountView("Initech", "initech.io", null, 50, "smb", null, null, null, null),
            AccountView.From(await server.WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync())));

        await File.WriteAllTextAsync(map, """{ "Company Name": "company", "Web Site": "domain" }""");
        var unknown = await ImportAsync(server, 2, "accounts", file, "--map", map);
        Assert.Equal("error: line 1: unknown column(s) Company Name, Headcount, Notes (after map map.json); allowed: id, name, domain, industry, employees, segment, region, country, parent_account_id, owner_email, external_id, tags, custom_fields, parent_account_external_id"
            + Environment.NewLine, unknown.StdErr);
        await File.WriteAllTextAsync(map, """{ "Company Name": 1 }""");
        var bad = await ImportAsync(server, 2, "accounts", file, "--map", map);
        Assert.Equal($"error: --map: the value of \"Company Name\" must be a column name (string) or null{Environment.NewLine}", bad.StdErr);
        Assert.Equal(1, await server.WithDbAsync(db => db.Accounts.CountAsync()));
    }
}
