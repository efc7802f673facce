using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;
using static RevLoop.Server.Tests.Imports.ImportKit;

namespace RevLoop.Server.Tests.Imports;

/// <summary>`revloop import contacts`: account references by domain, name and id, rejects in file order, and the three dedupe policies.</summary>
public class ContactImportTests
{
    private const string Acme = "00000000-0000-7000-8000-0000000000a1", Globex = "00000000-0000-7000-8000-0000000000a2";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Contacts_resolve_accounts_and_owners_and_reject_bad_rows_by_line(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var owner = await server.CreateUserAsync("owner@example.com", Roles.Ae, "Sales");
        using var dir = TempDir();
        var accounts = Path.Combine(dir, "accounts.csv");
        await File.WriteAllTextAsync(accounts, Lines("id,name,domain", $"{Acme},Acme Inc,acme.com", $"{Globex},Globex,globex.com"));
        await ImportAsync(server, 0, "accounts", accounts);

        const string header = "first_name,last_name,email,account,account_id,title,phone,deal_role,email_consent,owner_email";
        var file = Path.Combine(dir, "contacts.csv");
        await File.WriteAllTextAsync(file, Lines(header,
            "Ada,Lovelace,Ada@Acme.com,www.acme.com,,CTO,+49 30 1234567,decision_maker,opted_in,owner@example.com",
            "Grace,Hopper,grace@globex.com,\"Globex, Inc.\",,,,champion,,",
            "Alan,Turing,alan@example.com,Initech,,,,,,",
            "Bad,Mail,not-an-email,,,,,,,",
            ",,nobody@example.com,,,,,,,",
            "Tim,Owner,tim@example.com,,,,,,,ghost@example.com",
            $"Edsger,Dijkstra,edsger@example.com,,{Globex},,0049 201 5550,user,OPTED_OUT,"));
        var result = await ImportAsync(server, 2, "contacts", file);
        var rejects = Path.Combine(dir, "contacts.rejects.csv");
        Assert.Equal($"Read 7 rows: 3 created, 0 updated, 4 rejected (see {rejects}){Environment.NewLine}", result.StdErr);
        Assert.Equal(Lines("line,field,reason," + header,
            "4,account,no account has the name 'Initech',Alan,Turing,alan@example.com,Initech,,,,,,",
            "5,email,'not-an-email' is not an email address,Bad,Mail,not-an-email,,,,,,,",
            "6,last_name,a first or last name is required,,,nobody@example.com,,,,,,,",
            "7,owner_email,no user has email ghost@example.com,Tim,Owner,tim@example.com,,,,,,,ghost@example.com"), await File.ReadAllTextAsync(rejects));

        var contacts = await server.WithDbAsync(db => db.Contacts.AsNoTracking().OrderBy(c => c.LastName).ToListAsync());
        Assert.Equal(
        [
            ("Edsger", "Dijkstra", "edsger@example.com", "edsger@example.com", (Guid?)Guid.Parse(Globex), (string?)null, "+492015550", "user", "opted_out", (Guid?)null, (Guid?)null),
            ("Grace", "Hopper", "grace@globex.com", "grace@globex.com", Guid.Parse(Globex), null, null, "champion", "unknown", null, null),
            ("Ada", "Lovelace", "Ada@Acme.com", "ada@acme.com", Guid.Parse(Acme), "CTO", "+49301234567", "decision_maker", "opted_in", owner.Id, owner.TeamId),
        ], contacts.Select(c => (c.FirstName, c.LastName, c.Email!, c.NormalizedEmail!, c.AccountId, c.Title, c.Phone, c.DealRole!, c.EmailConsent, c.OwnerId, c.OwnerTeamId)));
        Assert.All(contacts, c => Assert.Equal(("unknown", "unknown", 1L), (c.PhoneConsent, c.SmsConsent, c.Version)));
        var ada = contacts[2];
        Assert.Equal(["AccountId", "DealRole", "Email", "EmailConsent", "FirstName", "LastName", "OwnerId", "OwnerTeamId", "Phone", "PhoneConsent", "SmsConsent", "Title"],
            CreationRecord.Expand(await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityId == ada.Id && c.Source == "import").ToListAsync()))
                .Select(c => c.Field).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Dedupe_skip_rejects_merge_fills_and_create_adds(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        using var dir = TempDir();
        var first = Path.Combine(dir, "first.csv");
        await File.WriteAllTextAsync(first, Lines("first_name,last_name,email,title,phone", "Ada,Lovelace,ada@acme.com,CTO,+49 30 1234567"));
        await ImportAsync(server, 0, "contacts", first);
        var adaId = await server.WithDbAsync(db => db.Contacts.Select(c => c.Id).SingleAsync());

        // The same person again with a new last name and title but no phone, and a new person.
        var again = Path.Combine(dir, "again.csv");
        await File.WriteAllTextAsync(again, Lines("first_name,last_name,email,title,phone", "Ada,King,ADA@Acme.com,CEO,", "Alan,Turing,alan@example.com,,"));
        var skip = await ImportAsync(server, 2, "contacts", again);
        Assert.Equal($"Read 2 rows: 1 created, 0 updated, 1 rejected (see {Path.Combine(dir, "again.rejects.csv")}){Environment.NewLine}", skip.StdErr);
        Assert.Equal(Lines("line,field,reason,first_name,last_name,email,title,phone",
            $"2,email,duplicate of contact {adaId} (same email); use --dedupe merge to update it or --dedupe create to add it anyway,Ada,King,ADA@Acme.com,CEO,"),
            await File.ReadAllTextAsync(Path.Combine(dir, "again.rejects.csv")));
        Assert.Equal(2, await server.WithDbAsync(db => db.Contacts.CountAsync()));

        // Merge: the row's non-blank cells overwrite, the blank phone keeps the stored one; Alan (now stored) is merged unchanged.
        var merge = await ImportAsync(server, 0, "contacts", again, "--dedupe", "merge");
        Assert.Equal($"Read 2 rows: 0 created, 2 updated, 0 rejected{Environment.NewLine}", merge.StdErr);
        var ada = await server.WithDbAsync(db => db.Contacts.AsNoTracking().SingleAsync(c => c.Id == adaId));
        Assert.Equal(("Ada", "King", "ADA@Acme.com", "ada@acme.com", "CEO", "+49301234567", 2L), (ada.FirstName, ada.LastName, ada.Email, ada.NormalizedEmail, ada.Title, ada.Phone, ada.Version));
        var changes = await server.WithDbAsync(db => db.FieldChanges.AsNoTracking().Where(c => c.EntityId == adaId && c.OldValue != null).OrderBy(c => c.Field).ToListAsync());
        Assert.Equal([("Email", "ada@acme.com", "ADA@Acme.com"), ("LastName", "Lovelace", "King"), ("Title", "CTO", "CEO")],
            changes.Select(c => (c.Field, c.OldValue!, c.NewValue!)));
        Assert.All(changes, c => Assert.Equal(("import", Actor), (c.Source, c.ChangedBy)));

        // Create: both rows become new contacts although their emails are stored.
        var create = await ImportAsync(server, 0, "contacts", again, "--dedupe", "create");
        Assert.Equal($"Read 2 rows: 2 created, 0 updated, 0 rejected{Environment.NewLine}", create.StdErr);
        Assert.Equal([("ada@acme.com", 2), ("alan@example.com", 2)], await server.WithDbAsync(async db =>
            (await db.Contacts.GroupBy(c => c.NormalizedEmail!).Select(g => new { g.Key, Count = g.Count() }).OrderBy(g => g.Key).ToListAsync()).Select(g => (g.Key, g.Count)).ToList()));

        var bad = await ImportAsync(server, 2, "contacts", again, "--dedupe", "sometimes");
        Assert.Equal($"error: --dedupe: 'sometimes' is not one of skip, merge, create{Environment.NewLine}", bad.StdErr);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Dedupe_uses_the_duplicate_rule_extra_emails_and_E164_phones(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.MergePatchAsync("/api/v1/settings", """{"defaultCallingCode":"+49"}""")).StatusCode);
        var created = await api.PostAsJsonAsync("/api/v1/contacts", new
        {
            firstName = "Ann", lastName = "Lee", email = "ann@acme.com", phone = "030 1234567", emails = new[] { "Ann.Lee@acme.com" }, phones = new[] { "0171 2345678" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var annId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("contact").GetProperty("id").GetString();

        // An extra email in another case, the extra phone written nationally, the primary phone formatted otherwise: all Ann,
        // as the API's warning and the duplicates page say. A national number takes the company's calling code as in the API.
        using var dir = TempDir();
        var file = Path.Combine(dir, "contacts.csv");
        await File.WriteAllTextAsync(file, Lines("first_name,last_name,email,phone",
            "Ann,Lee-Smith,ANN.LEE@ACME.COM,",
            "Mobile,Ann,,0171 2345678",
            "Desk,Ann,,+49 (30) 123-4567",
            "New,Person,new@example.com,030 7654321"));
        var skip = await ImportAsync(server, 2, "contacts", file);
        var rejects = Path.Combine(dir, "contacts.rejects.csv");
        Assert.Equal($"Read 4 rows: 1 created, 0 updated, 3 rejected (see {rejects}){Environment.NewLine}", skip.StdErr);
        const string advice = "use --dedupe merge to update it or --dedupe create to add it anyway";
        Assert.Equal(Lines("line,field,reason,first_name,last_name,email,phone",
            $"2,email,duplicate of contact {annId} (same email); {advice},Ann,Lee-Smith,ANN.LEE@ACME.COM,",
            $"3,phone,duplicate of contact {annId} (same phone); {advice},Mobile,Ann,,0171 2345678",
            $"4,phone,duplicate of contact {annId} (same phone); {advice},Desk,Ann,,+49 (30) 123-4567"), await File.ReadAllTextAsync(rejects));
        Assert.Equal("+49307654321", await server.WithDbAsync(db => db.Contacts.Where(c => c.LastName == "Person").Select(c => c.Phone).SingleAsync()));

        // Merge: the row matched by Ann's extra phone updates Ann with its non-blank cells (the phone included).
        var mobile = Path.Combine(dir, "mobile.csv");
        await File.WriteAllTextAsync(mobile, Lines("first_name,last_name,title,phone", "Ann,Lee,CFO,+49 171 2345678"));
        Assert.Equal($"Read 1 rows: 0 created, 1 updated, 0 rejected{Environment.NewLine}", (await ImportAsync(server, 0, "contacts", mobile, "--dedupe", "merge")).StdErr);
        Assert.Equal(("CFO", "+491712345678", 2L), await server.WithDbAsync(async db =>
        {
            var ann = await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == Guid.Parse(annId!));
            return (ann.Title, ann.Phone, ann.Version);
        }));
    }
}
