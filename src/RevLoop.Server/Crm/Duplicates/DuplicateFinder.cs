using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Data;

namespace RevLoop.Server.Crm.Duplicates;

/// <summary>What two records share: field is domain or name (accounts), email or phone (contacts, leads); value is the normalised key.</summary>
public sealed record DuplicateMatch(string Field, string Value);

/// <summary>A visible record that looks like the same company or person. Type is account, contact or lead.</summary>
public sealed record DuplicateDto(string Type, Guid Id, string Name, IReadOnlyList<DuplicateMatch> MatchedOn);

/// <summary>
/// Duplicate rules: accounts share a normalised domain or a normalised company name; contacts and leads share any
/// normalised email or any E.164 phone (primary or extra); a lead is also checked against contacts. Only visible records
/// are candidates, so a warning never leaks a record its reader may not see. Every rule seeks an index.
/// </summary>
public static class DuplicateFinder
{
    public const int Limit = 20;

    public static async Task<List<DuplicateDto>> ForAccountAsync(RevLoopDb db, Guid self, string? normalizedName, string? domain, CancellationToken ct)
    {
        if (normalizedName is null && domain is null) return [];
        var rows = await db.Accounts.AsNoTracking()
            .Where(a => a.Id != self && ((domain != null && a.Domain == domain) || (normalizedName != null && a.NormalizedName == normalizedName)))
            .OrderBy(a => a.Id).Take(Limit).Select(a => new { a.Id, a.Name, a.Domain, a.NormalizedName }).ToListAsync(ct);
        return rows.Select(a => new DuplicateDto("account", a.Id, a.Name,
            [.. (domain is not null && a.Domain == domain ? [new DuplicateMatch("domain", domain)] : Array.Empty<DuplicateMatch>()),
             .. (normalizedName is not null && a.NormalizedName == normalizedName ? [new DuplicateMatch("name", normalizedName)] : Array.Empty<DuplicateMatch>())])).ToList();
    }

    public static Task<List<DuplicateDto>> ForAccountAsync(RevLoopDb db, Account a, CancellationToken ct) => ForAccountAsync(db, a.Id, a.NormalizedName, a.Domain, ct);

    public static async Task<List<DuplicateDto>> ForContactAsync(RevLoopDb db, Contact c, CancellationToken ct)
    {
        var (emails, phones) = Keys(c.NormalizedEmail, c.ExtraEmails, c.Phone, c.ExtraPhones);
        return await PeopleAsync(db, "contact", Contacts(db), c.Id, emails, phones, ct);
    }

    public static async Task<List<DuplicateDto>> ForLeadAsync(RevLoopDb db, Lead l, CancellationToken ct)
    {
        var (emails, phones) = Keys(l.NormalizedEmail, l.ExtraEmails, l.Phone, l.ExtraPhones);
        var leads = await PeopleAsync(db, "lead", Leads(db), l.Id, emails, phones, ct);
        var contacts = await PeopleAsync(db, "contact", Contacts(db), Guid.Empty, emails, phones, ct);
        return [.. leads, .. contacts];
    }

    public static (List<string> Emails, List<string> Phones) Keys(string? email, string? extraEmails, string? phone, string? extraPhones) =>
        ([.. new[] { email }.OfType<string>().Concat(PersonRules.Lines(extraEmails).Select(e => e.ToLowerInvariant())).Distinct()],
         [.. new[] { phone }.OfType<string>().Concat(PersonRules.Lines(extraPhones)).Distinct()]);

    /// <summary>The person rule as (column, key) pairs, emails first: what imports' --dedupe matches on.</summary>
    public static IEnumerable<(string Column, string Key)> PersonKeys(string? email, string? extraEmails, string? phone, string? extraPhones)
    {
        var (emails, phones) = Keys(email, extraEmails, phone, extraPhones);
        return [.. emails.Select(e => ("email", e)), .. phones.Select(p => ("phone", p))];
    }

    /// <summary>
    /// The person rule for a batch of keys (imports' --dedupe): visible contacts or leads (<paramref name="type"/>) with
    /// one of these emails or E.164 phones as their primary or an extra value. One indexed query per kind of key.
    /// </summary>
    public static async Task<HashSet<Guid>> PeopleAsync(RevLoopDb db, string type, IReadOnlyCollection<string> emails, IReadOnlyCollection<string> phones, CancellationToken ct)
    {
        var people = type == "contact" ? Contacts(db) : Leads(db);
        var ids = new HashSet<Guid>();
        if (emails.Count > 0) ids.UnionWith(await people.Where(p => p.Email != null && emails.Contains(p.Email)).Select(p => p.Id).ToListAsync(ct));
        if (phones.Count > 0) ids.UnionWith(await people.Where(p => p.Phone != null && phones.Contains(p.Phone)).Select(p => p.Id).ToListAsync(ct));
        if (emails.Count == 0 && phones.Count == 0) return ids;
        var viaExtras = await db.ContactPoints.AsNoTracking()
            .Where(p => p.RecordType == type && ((p.Kind == ContactPoint.Email && emails.Contains(p.Value)) || (p.Kind == ContactPoint.Phone && phones.Contains(p.Value))))
            .Select(p => p.RecordId).Distinct().ToListAsync(ct);
        viaExtras.RemoveAll(ids.Contains);
        // Through the visibility-filtered set: an extra value of a record the importer may not see matches nothing.
        if (viaExtras.Count > 0) ids.UnionWith(await people.Where(p => viaExtras.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct));
        return ids;
    }

    private sealed class Person
    {
        public Guid Id { get; init; }
        public string FirstName { get; init; } = "";
        public string LastName { get; init; } = "";
        public string? Email { get; init; }
        public string? Phone { get; init; }
        public string? ExtraEmails { get; init; }
        public string? ExtraPhones { get; init; }
    }

    private static IQueryable<Person> Contacts(RevLoopDb db) => db.Contacts.AsNoTracking().Select(c => new Person
    {
        Id = c.Id, FirstName = c.FirstName, LastName = c.LastName, Email = c.NormalizedEmail, Phone = c.Phone, ExtraEmails = c.ExtraEmails, ExtraPhones = c.ExtraPhones,
    });

    private static IQueryable<Person> Leads(RevLoopDb db) => db.Leads.AsNoTracking().Select(c => new Person
    {
        Id = c.Id, FirstName = c.FirstName, LastName = c.LastName, Email = c.NormalizedEmail, Phone = c.Phone, ExtraEmails = c.ExtraEmails, ExtraPhones = c.ExtraPhones,
    });

    private static async Task<List<DuplicateDto>> PeopleAsync(RevLoopDb db, string type, IQueryable<Person> people, Guid self, List<string> emails, List<string> phones, CancellationToken ct)
    {
        if (emails.Count == 0 && phones.Count == 0) return [];
        // Primary email/phone from the records' own indexes, extra ones from the ContactPoints index; both through the
        // visibility-filtered set.
        var viaExtras = await db.ContactPoints.AsNoTracking()
            .Where(p => p.RecordType == type && p.RecordId != self
                && ((p.Kind == ContactPoint.Email && emails.Contains(p.Value)) || (p.Kind == ContactPoint.Phone && phones.Contains(p.Value))))
            .Select(p => p.RecordId).Distinct().Take(Limit).ToListAsync(ct);
        var rows = await people
            .Where(p => p.Id != self && ((p.Email != null && emails.Contains(p.Email)) || (p.Phone != null && phones.Contains(p.Phone)) || viaExtras.Contains(p.Id)))
            .OrderBy(p => p.Id).Take(Limit).ToListAsync(ct);
        return rows.Select(p =>
        {
            var (theirEmails, theirPhones) = Keys(p.Email, p.ExtraEmails, p.Phone, p.ExtraPhones);
            List<DuplicateMatch> matched = [.. emails.Where(theirEmails.Contains).Select(e => new DuplicateMatch("email", e)),
                .. phones.Where(theirPhones.Contains).Select(x => new DuplicateMatch("phone", x))];
            return new DuplicateDto(type, p.Id, $"{p.FirstName} {p.LastName}".Trim(), matched);
        }).ToList();
    }
}
