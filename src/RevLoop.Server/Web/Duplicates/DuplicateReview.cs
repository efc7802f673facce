using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Server.Crm.Contacts;
using RevLoop.Server.Crm.Duplicates;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Web.Duplicates;

/// <summary>One way records can look alike, as a tab of the review page.</summary>
public sealed record DuplicateRule(string Key, string Title, string Type, string Plural, string KeyLabel);

/// <summary>Records sharing one key; the oldest is proposed as the survivor.</summary>
public sealed record DuplicateGroup(string Key, IReadOnlyList<DuplicateCandidate> Members);

public sealed record DuplicateCandidate(Guid Id, string Name, string? Detail, DateTimeOffset CreatedAt);

/// <summary>
/// The duplicates review page: groups of visible records sharing a normalised key, one rule per tab, keyset-paged by the
/// key (GROUP BY over the rule's index). Extra emails and phones are matched on a record's own duplicates list.
/// </summary>
public static class DuplicateReview
{
    public const int PageSize = 25, MembersShown = 10;

    public static readonly IReadOnlyList<DuplicateRule> Rules =
    [
        new("accounts-domain", "Accounts · domain", "account", "accounts", "Domain"),
        new("accounts-name", "Accounts · name", "account", "accounts", "Normalised name"),
        new("contacts-email", "Contacts · email", "contact", "contacts", "Email"),
        new("contacts-phone", "Contacts · phone", "contact", "contacts", "Phone"),
        new("leads-email", "Leads · email", "lead", "leads", "Email"),
        new("leads-phone", "Leads · phone", "lead", "leads", "Phone"),
    ];

    private sealed class Row
    {
        public Guid Id { get; init; }
        public string Key { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Detail { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    private static IQueryable<Row> Source(RevLoopDb db, string rule) => rule switch
    {
        "accounts-domain" => db.Accounts.AsNoTracking().Where(a => a.Domain != null)
            .Select(a => new Row { Id = a.Id, Key = a.Domain!, Name = a.Name, Detail = a.Country, CreatedAt = a.CreatedAt }),
        "accounts-name" => db.Accounts.AsNoTracking().Where(a => a.NormalizedName != null)
            .Select(a => new Row { Id = a.Id, Key = a.NormalizedName!, Name = a.Name, Detail = a.Domain, CreatedAt = a.CreatedAt }),
        "contacts-email" => db.Contacts.AsNoTracking().Where(c => c.NormalizedEmail != null)
            .Select(c => new Row { Id = c.Id, Key = c.NormalizedEmail!, Name = c.FirstName + " " + c.LastName, Detail = c.Title, CreatedAt = c.CreatedAt }),
        "contacts-phone" => db.Contacts.AsNoTracking().Where(c => c.Phone != null)
            .Select(c => new Row { Id = c.Id, Key = c.Phone!, Name = c.FirstName + " " + c.LastName, Detail = c.Email, CreatedAt = c.CreatedAt }),
        "leads-email" => db.Leads.AsNoTracking().Where(l => l.NormalizedEmail != null)
            .Select(l => new Row { Id = l.Id, Key = l.NormalizedEmail!, Name = l.FirstName + " " + l.LastName, Detail = l.Company, CreatedAt = l.CreatedAt }),
        "leads-phone" => db.Leads.AsNoTracking().Where(l => l.Phone != null)
            .Select(l => new Row { Id = l.Id, Key = l.Phone!, Name = l.FirstName + " " + l.LastName, Detail = l.Company, CreatedAt = l.CreatedAt }),
        _ => throw new InputException("rule", $"must be one of {string.Join(", ", Rules.Select(r => r.Key))}"),
    };

    /// <summary>A page of groups after <paramref name="after"/> (a key), and the key to continue from.</summary>
    public static async Task<(List<DuplicateGroup> Groups, string? Next)> PageAsync(RevLoopDb db, string rule, string? after, CancellationToken ct)
    {
        var source = Source(db, rule);
        var keyed = after is null ? source : source.Where(r => string.Compare(r.Key, after) > 0);
        var keys = await keyed.GroupBy(r => r.Key).Where(g => g.Count() > 1).OrderBy(g => g.Key).Select(g => g.Key).Take(PageSize + 1).ToListAsync(ct);
        var next = keys.Count > PageSize ? keys[PageSize - 1] : null;
        if (next is not null) keys.RemoveAt(PageSize);
        var rows = keys.Count == 0 ? [] : await source.Where(r => keys.Contains(r.Key)).OrderBy(r => r.Id).Take(PageSize * MembersShown * 4).ToListAsync(ct);
        var groups = rows.GroupBy(r => r.Key).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new DuplicateGroup(g.Key, g.Take(MembersShown).Select(r => new DuplicateCandidate(r.Id, r.Name.Trim(), r.Detail, r.CreatedAt)).ToList())).ToList();
        return (groups, next);
    }

    public static string MergeUrl(string type, Guid survivor, Guid duplicate) => $"/duplicates/merge/{type}/{survivor}/{duplicate}";
}

/// <summary>One field of the side-by-side merge screen: both values as shown, and which one is picked by default.</summary>
public sealed record MergeField(string Key, string Label, string? Survivor, string? Duplicate, bool PickDuplicate)
{
    public bool Differs => Survivor != Duplicate;
}

/// <summary>The two records of a merge, loaded through the visibility filter (null when either is not visible).</summary>
public sealed record MergeScreen(string Type, Guid SurvivorId, string SurvivorName, long SurvivorVersion, Guid DuplicateId, string DuplicateName, long DuplicateVersion,
    IReadOnlyList<MergeField> Fields, IReadOnlyList<string> Kept)
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["name"] = "Name", ["domain"] = "Domain", ["industry"] = "Industry", ["employees"] = "Employees", ["segment"] = "Segment", ["region"] = "Region",
        ["country"] = "Country", ["parentAccountId"] = "Parent account", ["ownerId"] = "Owner", ["firstName"] = "First name", ["lastName"] = "Last name",
        ["title"] = "Title", ["dealRole"] = "Deal role", ["email"] = "Email", ["phone"] = "Phone", ["accountId"] = "Account", ["company"] = "Company",
        ["emailConsent"] = "Email consent", ["phoneConsent"] = "Phone consent", ["smsConsent"] = "SMS consent", ["source"] = "Source", ["pool"] = "Pool",
        ["tags"] = "Tags", ["customFields"] = "Custom fields",
    };

    public static async Task<MergeScreen?> LoadAsync(RevLoopDb db, string type, Guid survivorId, Guid duplicateId, CancellationToken ct)
    {
        object? s, d;
        string sName, dName;
        long sVersion, dVersion;
        List<string> kept;
        switch (type)
        {
            case "account":
                var sa = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == survivorId, ct);
                var da = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == duplicateId, ct);
                if (sa is null || da is null) return null;
                (s, d, sName, dName, sVersion, dVersion) = (Input(sa), Input(da), sa.Name, da.Name, sa.Version, da.Version);
                kept = ["contacts", "opportunities and their line items", "activities", "subscriptions", "child accounts", "lead conversions", "places on target account lists"];
                break;
            case "contact":
                var sc = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == survivorId, ct);
                var dc = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == duplicateId, ct);
                if (sc is null || dc is null) return null;
                (s, d, sName, dName, sVersion, dVersion) = (ContactInput.From(sc), ContactInput.From(dc), $"{sc.FirstName} {sc.LastName}".Trim(), $"{dc.FirstName} {dc.LastName}".Trim(), sc.Version, dc.Version);
                kept = ["every email and phone of both", "activities", "opportunities (as primary contact)", "roles in deals", "lead conversions"];
                break;
            case "lead":
                var sl = await db.Leads.AsNoTracking().FirstOrDefaultAsync(l => l.Id == survivorId, ct);
                var dl = await db.Leads.AsNoTracking().FirstOrDefaultAsync(l => l.Id == duplicateId, ct);
                if (sl is null || dl is null) return null;
                (s, d, sName, dName, sVersion, dVersion) = (LeadInput.From(sl), LeadInput.From(dl), $"{sl.FirstName} {sl.LastName}".Trim(), $"{dl.FirstName} {dl.LastName}".Trim(), sl.Version, dl.Version);
                kept = ["every email and phone of both", "activities", "the survivor's status"];
                break;
            default:
                return null;
        }
        var sv = Values(s);
        var dv = Values(d);
        var ids = sv.Concat(dv).Where(p => p.Key.EndsWith("Id", StringComparison.Ordinal) && p.Value is not null).Select(p => Guid.Parse(p.Value!)).Distinct().ToList();
        var names = await NamesAsync(db, ids, ct);
        string? Show(string key, string? value) => value is not null && key.EndsWith("Id", StringComparison.Ordinal) ? names.GetValueOrDefault(Guid.Parse(value), value) : value;
        var fields = sv.Keys.Where(Labels.ContainsKey).Select(k => new MergeField(k, Labels[k], Show(k, sv[k]), Show(k, dv[k]),
            sv[k] is null && dv[k] is not null)).ToList();
        return new MergeScreen(type, survivorId, sName, sVersion, duplicateId, dName, dVersion, fields, kept);
    }

    private static AccountInputView Input(RevLoop.Crm.Accounts.Account a) =>
        new(a.Name, a.Domain, a.Industry, a.Employees, a.Segment, a.Region, a.Country, a.ParentAccountId, a.OwnerId,
            Server.Crm.Configuration.TagsAndCustomFields.TagList(a.Tags), Server.Crm.Configuration.TagsAndCustomFields.ToDictionary(a.CustomFields));

    // The account's pickable fields, in the order of the API's account input.
    private sealed record AccountInputView(string? Name, string? Domain, string? Industry, int? Employees, string? Segment, string? Region, string? Country,
        Guid? ParentAccountId, Guid? OwnerId, IReadOnlyList<string> Tags, IReadOnlyDictionary<string, JsonElement> CustomFields);

    /// <summary>Each field as one line of text: lists joined ("emea, vip"), objects as "key: value" pairs; empty ones as none.</summary>
    private static Dictionary<string, string?> Values(object input) =>
        JsonSerializer.SerializeToNode(input, input.GetType(), ApiJson.Options)!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value switch
            {
                null => null,
                JsonArray list => list.Count == 0 ? null : string.Join(", ", list.Select(x => x?.ToString())),
                JsonObject o => o.Count == 0 ? null : string.Join(", ", o.Select(kv => $"{kv.Key}: {kv.Value?.ToString()}")),
                var v => v.ToString(),
            });

    private static async Task<Dictionary<Guid, string>> NamesAsync(RevLoopDb db, List<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var users = await Ui.UserNamesAsync(db, ids, ct);
        var accounts = await db.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.Name }).ToListAsync(ct);
        foreach (var a in accounts) users[a.Id] = a.Name;
        return users;
    }
}
