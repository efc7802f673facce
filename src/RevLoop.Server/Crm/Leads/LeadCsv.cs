using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Crm.Duplicates;
using RevLoop.Server.Platform;
using RevLoop.Server.Platform.Imports;

namespace RevLoop.Server.Crm.Leads;

/// <summary>
/// Leads as CSV; duplicates by external id, then normalised email. Converted leads keep their status and links, so an
/// export of a CRM's history imports back as it was (a conversion made in RevLoop goes through POST /leads/{id}/convert).
/// </summary>
public sealed class LeadCsv : RecordCsv<Lead>
{
    public static readonly LeadCsv Instance = new();

    public override string Object => "leads";
    public override DbSet<Lead> Set(RevLoopDb db) => db.Leads;
    public override string? ExternalIdOf(Lead l) => l.ExternalId;

    public override IReadOnlyList<CsvColumn<Lead>> Columns { get; } =
    [
        CsvColumn<Lead>.Id("id", nameof(Lead.Id), l => l.Id, (l, v) => l.Id = v!.Value),
        CsvColumn<Lead>.Text("first_name", nameof(Lead.FirstName), l => l.FirstName, (l, v) => l.FirstName = v ?? "", 100),
        CsvColumn<Lead>.Text("last_name", nameof(Lead.LastName), l => l.LastName, (l, v) => l.LastName = v ?? "", 100),
        CsvColumn<Lead>.Text("title", nameof(Lead.Title), l => l.Title, (l, v) => l.Title = v, 200),
        CsvColumn<Lead>.Text("email", nameof(Lead.Email), l => l.Email, (l, v) => l.Email = v, 320),
        CsvColumn<Lead>.Text("phone", nameof(Lead.Phone), l => l.Phone, (l, v) => l.Phone = v, 40),
        CsvColumn<Lead>.Text("company", nameof(Lead.Company), l => l.Company, (l, v) => l.Company = v, 300),
        CsvColumn<Lead>.Text("domain", nameof(Lead.Domain), l => l.Domain, (l, v) => l.Domain = AccountRules.NormaliseDomain(v!), 253),
        CsvColumn<Lead>.Int("employees", nameof(Lead.Employees), l => l.Employees, (l, v) => l.Employees = v is < 0 ? throw new InputException("employees", "must not be negative") : v),
        CsvColumn<Lead>.Text("industry", nameof(Lead.Industry), l => l.Industry, (l, v) => l.Industry = v, 100),
        CsvColumn<Lead>.Text("country", nameof(Lead.Country), l => l.Country, (l, v) => l.Country = v is { Length: 2 } c && c.All(char.IsAsciiLetter) ? c.ToUpperInvariant()
            : throw new InputException("country", "must be an ISO 3166 two-letter code such as DE"), 60),
        CsvColumn<Lead>.Text("region", nameof(Lead.Region), l => l.Region, (l, v) => l.Region = v, 60),
        CsvColumn<Lead>.OneOf("status", nameof(Lead.Status), l => l.Status, (l, v) => l.Status = v!, LeadStatus.All),
        CsvColumn<Lead>.OneOf("source", nameof(Lead.Source), l => l.Source, (l, v) => l.Source = v, LeadSources.All),
        CsvColumn<Lead>.Text("pool", nameof(Lead.Pool), l => l.Pool, (l, v) => l.Pool = v, 100),
        CsvColumn<Lead>.OneOf("email_consent", nameof(Lead.EmailConsent), l => l.EmailConsent, (l, v) => l.EmailConsent = v!, Consent.All),
        CsvColumn<Lead>.OneOf("phone_consent", nameof(Lead.PhoneConsent), l => l.PhoneConsent, (l, v) => l.PhoneConsent = v!, Consent.All),
        CsvColumn<Lead>.OneOf("sms_consent", nameof(Lead.SmsConsent), l => l.SmsConsent, (l, v) => l.SmsConsent = v!, Consent.All),
        OwnerEmail(),
        CsvColumn<Lead>.Instant("converted_at", nameof(Lead.ConvertedAt), l => l.ConvertedAt, (l, v) => l.ConvertedAt = v),
        CsvColumn<Lead>.Id("converted_account_id", nameof(Lead.ConvertedAccountId), l => l.ConvertedAccountId, (l, v) => l.ConvertedAccountId = v),
        CsvColumn<Lead>.Id("converted_contact_id", nameof(Lead.ConvertedContactId), l => l.ConvertedContactId, (l, v) => l.ConvertedContactId = v),
        CsvColumn<Lead>.Id("converted_opportunity_id", nameof(Lead.ConvertedOpportunityId), l => l.ConvertedOpportunityId, (l, v) => l.ConvertedOpportunityId = v),
        CsvColumn<Lead>.Text("external_id", nameof(Lead.ExternalId), l => l.ExternalId, (l, v) => l.ExternalId = v, 100),
        TagsColumn(),
        CustomFieldsColumn(),
    ];

    public override void Check(ImportRow<Lead> row, ImportContext context)
    {
        var l = row.Draft;
        (l.FirstName, l.LastName) = PersonRules.Names(l.FirstName, l.LastName);
        (l.Email, l.NormalizedEmail) = PersonRules.Email(l.Email);
        l.Phone = PersonRules.Phone("phone", l.Phone, context.CallingCode);
    }

    public override Task ResolveAsync(ImportContext context, IReadOnlyList<ImportRow<Lead>> rows, CancellationToken ct)
    {
        foreach (var row in rows) ResolveOwner(context, row);
        return Task.CompletedTask;
    }

    // The duplicate rule of the API warning and the duplicates page (DuplicateFinder): external id, then any normalised
    // email or E.164 phone, primary or extra.
    public override IEnumerable<(string Column, string Key)> Keys(Lead l)
    {
        if (l.ExternalId is { } e) yield return ("external_id", e);
        foreach (var key in DuplicateFinder.PersonKeys(l.NormalizedEmail, l.ExtraEmails, l.Phone, l.ExtraPhones)) yield return key;
    }

    public override async Task<List<Lead>> FindAsync(RevLoopDb db, IReadOnlyCollection<(string Column, string Key)> keys, CancellationToken ct)
    {
        var externals = keys.Where(k => k.Column == "external_id").Select(k => k.Key).ToList();
        var ids = await DuplicateFinder.PeopleAsync(db, "lead", keys.Where(k => k.Column == "email").Select(k => k.Key).ToList(),
            keys.Where(k => k.Column == "phone").Select(k => k.Key).ToList(), ct);
        var found = new List<Lead>();
        if (externals.Count > 0) found.AddRange(await db.Leads.Where(x => x.ExternalId != null && externals.Contains(x.ExternalId)).ToListAsync(ct));
        if (ids.Count > 0) found.AddRange(await db.Leads.Where(x => ids.Contains(x.Id)).ToListAsync(ct));
        return found.Distinct().ToList();
    }

    public override void Finish(Lead l, ImportRow<Lead> row, ImportContext context)
    {
        base.Finish(l, row, context);
        l.NormalizedEmail = l.Email?.ToLowerInvariant();
    }
}
