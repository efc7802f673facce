using System.Globalization;
using System.Text;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Accounts;

namespace RevLoop.Server.Web.Crm;

/// <summary>
/// What a CRM list (contacts, leads, opportunities) shows, exactly as in its URL: filters by name, sort, page size and the
/// keyset position. The page, its htmx fragment (<c>/ui{path}/grid</c>) and every link on it are built from this.
/// </summary>
public sealed record ListState(string Path, IReadOnlyDictionary<string, string> Filters, string Sort, string DefaultSort, string? Cursor, int Size)
{
    public const int DefaultSize = 50;
    public static readonly int[] Sizes = [25, 50, 100, 200];

    /// <summary>Reads the query string: only the given filter names, one of the sorts; a bad value names its parameter.</summary>
    public static ListState Read(string path, IQueryCollection query, IReadOnlyList<string> filters, IReadOnlyList<string> sorts)
    {
        string? S(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in filters)
            if (S(f) is { } v) values[f] = v;
        var sort = S("sort") ?? sorts[0];
        if (!sorts.Contains(sort)) throw new InputException("sort", $"must be one of {string.Join(", ", sorts)}");
        var size = S("size") is { } sz ? int.TryParse(sz, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= Paging.MaxPageSize ? n
            : throw new InputException("size", $"must be a number from 1 to {Paging.MaxPageSize}") : DefaultSize;
        return new ListState(path, values, sort, sorts[0], S("cursor"), size);
    }

    public string? this[string key] => Filters.GetValueOrDefault(key);

    public Guid? Id(string key) => this[key] is { } s ? Guid.TryParse(s, out var g) ? g : throw new InputException(key, $"'{s}' is not an id") : null;

    public DateOnly? Date(string key) => this[key] is { } s
        ? DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : throw new InputException(key, $"'{s}' is not a date like 2026-01-31")
        : null;

    public string? OneOf(string key, IReadOnlyList<string> allowed) => this[key] is { } s
        ? allowed.Contains(s) ? s : throw new InputException(key, $"must be one of {string.Join(", ", allowed)}")
        : null;

    public bool HasFilters => Filters.Count > 0;

    public ListState FirstPage() => this with { Cursor = null };

    public ListState With(string key, string? value)
    {
        var f = new SortedDictionary<string, string>(Filters.ToDictionary(), StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(value)) f.Remove(key); else f[key] = value;
        return this with { Filters = f, Cursor = null };
    }

    public string Url() => Path + QueryString();

    /// <summary>The htmx fragment for this state.</summary>
    public string Fragment() => "/ui" + Path + "/grid" + QueryString();

    public string QueryString(bool withPosition = true)
    {
        var sb = new StringBuilder();
        void Add(string key, string? value)
        {
            if (value is null) return;
            sb.Append(sb.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }
        foreach (var (k, v) in Filters) Add(k, v);
        if (Sort != DefaultSort) Add("sort", Sort);
        if (Size != DefaultSize) Add("size", Size.ToString(CultureInfo.InvariantCulture));
        if (withPosition) Add("cursor", Cursor);
        return sb.ToString();
    }

    /// <summary>The sort a column header switches to: ascending first, then descending.</summary>
    public string NextSort(string key) => Sort == key ? "-" + key : key;
}

/// <summary>One page of a list with what the frame around it needs.</summary>
public sealed record ListModel<TRow>(ListState State, IReadOnlyList<TRow> Rows, string? NextCursor, long MatchCount, bool MatchCountCapped,
    IReadOnlyList<FilterChip> Chips, IReadOnlyList<(Guid Id, string Name)> Owners, TimeZoneInfo Zone)
{
    public string? NextUrl => NextCursor is null ? null : (State with { Cursor = NextCursor }).Url();
    public string? FirstUrl => State.Cursor is null ? null : State.FirstPage().Url();
}

public static class Lists
{
    /// <summary>Counting stops here: "10,000+" keeps the count cheap on big, loosely filtered lists.</summary>
    public const int CountCap = 10_000;

    public static List<FilterChip> Chips(ListState s, IEnumerable<(string Key, string Label, string? Value)> shown) =>
        shown.Where(c => c.Value is not null && s[c.Key] is not null).Select(c => new FilterChip(c.Label, c.Value!, s.With(c.Key, null).Url())).ToList();

    /// <summary>Money as stored (minor units) in its currency: 12,500.00 EUR.</summary>
    public static string Money(long minor, string currency)
    {
        var decimals = RevLoop.Finance.MinorUnits.Decimals(currency);
        return RevLoop.Finance.MinorUnits.ToAmount(minor, currency).ToString("N" + decimals, CultureInfo.InvariantCulture) + " " + currency;
    }

    public static string Label(string? code) => code is null ? "" : code switch
    {
        "smb" => "SMB", "mid_market" => "Mid-market", "enterprise" => "Enterprise", "mql" => "MQL", "sql" => "SQL", "ae" => "AE", "bdr" => "BDR", "sdr" => "SDR",
        _ => char.ToUpperInvariant(code[0]) + code[1..].Replace('_', ' '),
    };

    /// <summary>Capitalised variants of a typed prefix, so "ada" finds "Ada" on the case-sensitive name indexes.</summary>
    public static string[] NameVariants(string term)
    {
        var t = term.Trim();
        if (t.Length == 0) return [];
        var cap = char.ToUpperInvariant(t[0]) + t[1..];
        return cap == t ? [t] : [t, cap];
    }
}
