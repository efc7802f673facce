using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Contacts;
using RevLoop.Data;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Crm.Duplicates;
using RevLoop.Server.Platform;
using RevLoop.Server.Platform.Imports;

namespace RevLoop.Server.Crm.Contacts;

/// <summary>Contacts as CSV: the account by id, external id, name or domain; duplicates by external id, then normalised email.</summary>
public sealed class ContactCsv : RecordCsv<Contact>
{
    public static readonly ContactCsv Instance = new();

    public override string Object => "contacts";
    public override DbSet<Contact> Set(RevLoopDb db) => db.Contacts;
    public override string? ExternalIdOf(Contact c) => c.ExternalId;

    public override IReadOnlyList<CsvColumn<Contact>> Columns { get; } =
    [
        CsvColumn<Contact>.Id("id", nameof(Contact.Id), c => c.Id, (c, v) => c.Id = v!.Value),
        CsvColumn<Contact>.Text("first_name", nameof(Contact.FirstName), c => c.FirstName, (c, v) => c.FirstName = v ?? "", 100),
        CsvColumn<Contact>.Text("last_name", nameof(Contact.LastName), c => c.LastName, (c, v) => c.LastName = v ?? "", 100),
        CsvColumn<Contact>.Id("account_id", nameof(Contact.AccountId), c => c.AccountId, (c, v) => c.AccountId = v),
        CsvColumn<Contact>.Text("title", nameof(Contact.Title), c => c.Title, (c, v) => c.Title = v, 200),
        CsvColumn<Contact>.OneOf("deal_role", nameof(Contact.DealRole), c => c.DealRole, (c, v) => c.DealRole = v, Contact.DealRoles),
        CsvColumn<Contact>.Text("email", nameof(Contact.Email), c => c.Email, (c, v) => c.Email = v, 320),
        CsvColumn<Contact>.Text("phone", nameof(Contact.Phone), c => c.Phone, (c, v) => c.Phone = v, 40),
        CsvColumn<Contact>.OneOf("email_consent", nameof(Contact.EmailConsent), c => c.EmailConsent, (c, v) => c.EmailConsent = v!, Consent.All),
        CsvColumn<Contact>.OneOf("phone_consent", nameof(Contact.PhoneConsent), c => c.PhoneConsent, (c, v) => c.PhoneConsent = v!, Consent.All),
        CsvColumn<Contact>.OneOf("sms_consent", nameof(Contact.SmsConsent), c => c.SmsConsent, (c, v) => c.SmsConsent = v!, Consent.All),
        OwnerEmail(),
        CsvColumn<Contact>.Text("external_id", nameof(Contact.ExternalId), c => c.ExternalId, (c, v) => c.ExternalId = v, 100),
        TagsColumn(),
        CustomFieldsColumn(),
        CsvColumn<Contact>.Deferred("account", null, nameof(Contact.AccountId)),
        CsvColumn<Contact>.Deferred("account_external_id", null, nameof(Contact.AccountId)),
    ];

    public override void Check(ImportRow<Contact> row, ImportContext context)
    {
        var c = row.Draft;
        (c.FirstName, c.LastName) = PersonRules.Names(c.FirstName, c.LastName);
        (c.Email, c.NormalizedEmail) = PersonRules.Email(c.Email);
        c.Phone = PersonRules.Phone("phone", c.Phone, context.CallingCode);
    }

    public override async Task ResolveAsync(ImportContext context, IReadOnlyList<ImportRow<Contact>> rows, CancellationToken ct)
    {
        foreach (var row in rows) ResolveOwner(context, row);
        await AccountReferences.ResolveAsync(context.Db, rows, (c, a) => c.AccountId = a, c => c.AccountId, required: false, ct);
    }

    // The duplicate rule of the API warning and the duplicates page (DuplicateFinder): external id, then any normalised
    // email or E.164 phone, primary or extra.
    public override IEnumerable<(string Column, string Key)> Keys(Contact c)
    {
        if (c.ExternalId is { } e) yield return ("external_id", e);
        foreach (var key in DuplicateFinder.PersonKeys(c.NormalizedEmail, c.ExtraEmails, c.Phone, c.ExtraPhones)) yield return key;
    }

    public override async Task<List<Contact>> FindAsync(RevLoopDb db, IReadOnlyCollection<(string Column, string Key)> keys, CancellationToken ct)
    {
        var externals = keys.Where(k => k.Column == "external_id").Select(k => k.Key).ToList();
        var ids = await DuplicateFinder.PeopleAsync(db, "contact", keys.Where(k => k.Column == "email").Select(k => k.Key).ToList(),
            keys.Where(k => k.Column == "phone").Select(k => k.Key).ToList(), ct);
        var found = new List<Contact>();
        if (externals.Count > 0) found.AddRange(await db.Contacts.Where(x => x.ExternalId != null && externals.Contains(x.ExternalId)).ToListAsync(ct));
        if (ids.Count > 0) found.AddRange(await db.Contacts.Where(x => ids.Contains(x.Id)).ToListAsync(ct));
        return found.Distinct().ToList();
    }

    public override void Finish(Contact c, ImportRow<Contact> row, ImportContext context)
    {
        base.Finish(c, row, context);
        c.NormalizedEmail = c.Email?.ToLowerInvariant();
    }
}
