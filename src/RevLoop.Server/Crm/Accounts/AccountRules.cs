using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Crm.Configuration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Accounts;

/// <summary>The fields of an account as the API, the UI form and the CSV import/export all see them.</summary>
public record AccountDto(
    Guid Id, string Name, string? Domain, string? Industry, int? Employees, string? Segment, string? Region, string? Country,
    Guid? ParentAccountId, Guid? OwnerId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool SegmentExplicit = false,
    IReadOnlyList<string>? Tags = null, IReadOnlyDictionary<string, JsonElement>? CustomFields = null)
{
    public static AccountDto From(Account a) => new(a.Id, a.Name, a.Domain, a.Industry, a.Employees, a.Segment, a.Region, a.Country,
        a.ParentAccountId, a.OwnerId, a.Version, a.CreatedAt, a.UpdatedAt, a.SegmentExplicit == true, TagsAndCustomFields.TagList(a.Tags),
        TagsAndCustomFields.ToDictionary(a.CustomFields));
}

/// <summary>A created account plus the visible accounts with the same normalised domain or name (a warning).</summary>
public sealed record AccountCreatedDto : AccountDto
{
    public AccountCreatedDto(AccountDto account, IReadOnlyList<Duplicates.DuplicateDto> duplicates) : base(account) => Duplicates = duplicates;
    public IReadOnlyList<Duplicates.DuplicateDto> Duplicates { get; init; }
}

/// <summary>Body of POST and PUT: every writable field (PUT replaces all of them).</summary>
public sealed record AccountInput(
    string? Name, string? Domain = null, string? Industry = null, int? Employees = null, string? Segment = null, string? Region = null,
    string? Country = null, Guid? ParentAccountId = null, Guid? OwnerId = null, IReadOnlyList<string>? Tags = null,
    IReadOnlyDictionary<string, JsonElement>? CustomFields = null);

public static partial class AccountRules
{
    public static readonly IReadOnlyList<string> WritableFields =
        ["name", "domain", "industry", "employees", "segment", "region", "country", "parentAccountId", "ownerId", "tags", "customFields"];

    /// <summary>
    /// Sets the fields of a normalised input. A segment given explicitly stays as given whatever the bands say; none
    /// (or, on a record whose segment is derived, exactly the one the bands give) means derived from employees, and
    /// <see cref="SegmentBands"/> changes re-derive it (see <see cref="SegmentBandsChange"/>).
    /// </summary>
    public static void Apply(Account a, AccountInput input, SegmentBands bands)
    {
        var isNew = a.Version == 0;
        a.Name = input.Name ?? "";
        a.NormalizedName = RevLoop.Crm.CompanyNames.Normalise(a.Name);
        a.Domain = input.Domain; a.Industry = input.Industry; a.Employees = input.Employees;
        (a.Segment, a.SegmentExplicit) = bands.Resolve(input.Employees, input.Segment, keepExplicit: !isNew && a.SegmentExplicit == true);
        a.Region = input.Region; a.Country = input.Country; a.ParentAccountId = input.ParentAccountId; a.OwnerId = input.OwnerId;
    }

    /// <summary>The fields of the current record as an input, the segment only when it was set explicitly.</summary>
    public static AccountInput InputOf(Account a) => new(a.Name, a.Domain, a.Industry, a.Employees, a.SegmentExplicit == true ? a.Segment : null, a.Region,
        a.Country, a.ParentAccountId, a.OwnerId, TagsAndCustomFields.TagList(a.Tags), TagsAndCustomFields.ToDictionary(a.CustomFields));

    /// <summary>RFC 7396 merge patch onto the current values; unknown fields are refused by name.</summary>
    public static AccountInput Merge(Account current, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object) throw new InputException("body", "must be a JSON object");
        var input = InputOf(current);
        foreach (var p in patch.EnumerateObject())
        {
            input = p.Name switch
            {
                "name" => input with { Name = Str(p) },
                "domain" => input with { Domain = Str(p) },
                "industry" => input with { Industry = Str(p) },
                "employees" => input with { Employees = p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n) ? n : throw new InputException("employees", "must be a whole number") },
                "segment" => input with { Segment = Str(p) },
                "region" => input with { Region = Str(p) },
                "country" => input with { Country = Str(p) },
                "parentAccountId" => input with { ParentAccountId = GuidOf(p) },
                "ownerId" => input with { OwnerId = GuidOf(p) },
                "tags" => input with { Tags = MergePatch.StringList(p.Value, "tags") },
                "customFields" => input with { CustomFields = MergePatch.MergeObject(input.CustomFields, p.Value, "customFields") },
                _ => throw new InputException(p.Name, $"is not a field of account (fields: {string.Join(", ", WritableFields)})"),
            };
        }
        return input;
    }

    private static string? Str(JsonProperty p) => p.Value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => p.Value.GetString(),
        _ => throw new InputException(p.Name, "must be a string or null"),
    };

    private static Guid? GuidOf(JsonProperty p) => p.Value.ValueKind == JsonValueKind.Null ? null
        : p.Value.ValueKind == JsonValueKind.String && Guid.TryParse(p.Value.GetString(), out var g) ? g
        : throw new InputException(p.Name, "must be an id (UUID) or null");

    /// <summary>Normalises and validates (the segment stays null when not given: <see cref="Apply"/> derives it); throws <see cref="InputException"/> naming the first bad field.</summary>
    public static AccountInput Normalise(AccountInput input)
    {
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name)) throw new InputException("name", "is required");
        if (name.Length > 300) throw new InputException("name", "must be at most 300 characters");
        var domain = string.IsNullOrWhiteSpace(input.Domain) ? null : NormaliseDomain(input.Domain);
        if (domain is not null && !DomainPattern().IsMatch(domain)) throw new InputException("domain", $"'{input.Domain}' is not a domain name like example.com");
        if (input.Employees is < 0) throw new InputException("employees", "must not be negative");
        var segment = string.IsNullOrWhiteSpace(input.Segment) ? null : input.Segment.Trim().ToLowerInvariant();
        if (segment is not null && !Account.Segments.Contains(segment)) throw new InputException("segment", $"must be one of {string.Join(", ", Account.Segments)}");
        var country = string.IsNullOrWhiteSpace(input.Country) ? null : input.Country.Trim().ToUpperInvariant();
        if (country is not null && !CountryPattern().IsMatch(country)) throw new InputException("country", "must be an ISO 3166 two-letter code such as DE");
        Limit("industry", input.Industry, 100);
        Limit("region", input.Region, 60);
        return input with
        {
            Name = name, Domain = domain, Segment = segment, Country = country,
            Industry = Blank(input.Industry), Region = Blank(input.Region),
        };
    }

    /// <summary>Checks the references: the owner must be a user, the parent a visible account that is not the record or its descendant.</summary>
    public static async Task CheckReferencesAsync(RevLoopDb db, Guid? self, AccountInput input, CancellationToken ct)
    {
        if (input.OwnerId is { } owner && !await db.Users.AnyAsync(u => u.Id == owner, ct))
            throw new InputException("ownerId", $"no user has id {owner}");
        if (input.ParentAccountId is { } parent)
        {
            if (parent == self) throw new InputException("parentAccountId", "an account cannot be its own parent");
            var cursor = (Guid?)parent;
            for (var depth = 0; cursor is { } c && depth < 50; depth++)
            {
                var next = await db.Accounts.Where(a => a.Id == c).Select(a => new { a.ParentAccountId }).FirstOrDefaultAsync(ct);
                if (next is null) throw new InputException("parentAccountId", depth == 0 ? $"no account has id {parent}" : "the parent chain points to a missing account");
                if (next.ParentAccountId == self && self is not null) throw new InputException("parentAccountId", "would make a cycle in the account hierarchy");
                cursor = next.ParentAccountId;
            }
        }
    }

    public static string NormaliseDomain(string domain)
    {
        var d = domain.Trim().ToLowerInvariant();
        if (d.StartsWith("http://", StringComparison.Ordinal)) d = d[7..];
        if (d.StartsWith("https://", StringComparison.Ordinal)) d = d[8..];
        // Path, query, fragment and port are not part of the company's domain; neither is a trailing root dot.
        var end = d.IndexOfAny(['/', '?', '#', ':']);
        if (end >= 0) d = d[..end];
        d = d.TrimEnd('.');
        if (d.StartsWith("www.", StringComparison.Ordinal)) d = d[4..];
        return d;
    }

    private static void Limit(string field, string? value, int max)
    {
        if (value is not null && value.Trim().Length > max) throw new InputException(field, $"must be at most {max} characters");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*)(\.([a-z0-9](-*[a-z0-9])*))+$")]
    private static partial Regex DomainPattern();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryPattern();
}
