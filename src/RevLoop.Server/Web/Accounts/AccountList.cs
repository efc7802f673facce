using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Web.Accounts;

/// <summary>
/// What the accounts list shows, as it appears in the URL: filters, sort, page size and the keyset position
/// (<c>cursor</c> pages forward, <c>before</c> pages back). The same state drives the page, the htmx fragment and the CSV export.
/// </summary>
public sealed record AccountListState
{
    public const string DefaultSort = "name";
    public const int DefaultSize = 50;
    public static readonly int[] Sizes = [25, 50, 100, 200];

    public string? Q { get; init; }
    public string? Segment { get; init; }
    public string? Region { get; init; }
    public string? Country { get; init; }
    public Guid? Owner { get; init; }
    public Guid? Parent { get; init; }
    public DateOnly? CreatedFrom { get; init; }
    public DateOnly? CreatedTo { get; init; }
    public string Sort { get; init; } = DefaultSort;
    public string? Cursor { get; init; }
    public string? Before { get; init; }
    public int Size { get; init; } = DefaultSize;

    public bool HasFilters => Q is not null || Segment is not null || Region is not null || Country is not null || Owner is not null
        || Parent is not null || CreatedFrom is not null || CreatedTo is not null;

    /// <summary>Reads the query string; a bad value is an <see cref="InputException"/> naming the parameter.</summary>
    public static AccountListState From(IQueryCollection query)
    {
        string? S(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        Guid? G(string key) => S(key) is { } s ? Guid.TryParse(s, out var g) ? g : throw new InputException(key, $"'{s}' is not an id") : null;
        DateOnly? D(string key) => S(key) is { } s
            ? DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : throw new InputException(key, $"'{s}' is not a date like 2026-01-31")
            : null;
        var sort = S("sort") ?? DefaultSort;
        if (!AccountsApi.Sorts.Contains(sort)) throw new InputException("sort", $"must be one of {string.Join(", ", AccountsApi.Sorts)}");
        var size = S("size") is { } sz ? int.TryParse(sz, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= Paging.MaxPageSize ? n
            : throw new InputException("size", $"must be a number from 1 to {Paging.MaxPageSize}") : DefaultSize;
        var segment = S("segment")?.ToLowerInvariant();
        if (segment is not null && !Account.Segments.Contains(segment)) throw new InputException("segment", $"must be one of {string.Join(", ", Account.Segments)}");
        return new AccountListState
        {
            Q = S("q"), Segment = segment, Region = S("region"), Country = S("country")?.ToUpperInvariant(), Owner = G("owner"), Parent = G("parent"),
            CreatedFrom = D("createdFrom"), CreatedTo = D("createdTo"), Sort = sort, Cursor = S("cursor"), Before = S("before"), Size = size,
        };
    }

    /// <summary>The first page of this state: what a filter or sort change leads to.</summary>
    public AccountListState FirstPage() => this with { Cursor = null, Before = null };

    public string Url(string path = "/accounts") => path + QueryString();

    public string QueryString(bool withPosition = true)
    {
        var parts = new List<(string, string)>();
        void Add(string key, string? value) { if (value is not null) parts.Add((key, value)); }
        Add("q", Q); Add("segment", Segment); Add("region", Region); Add("country", Country);
        Add("owner", Owner?.ToString()); Add("parent", Parent?.ToString());
        Add("createdFrom", CreatedFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("createdTo", CreatedTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (Sort != DefaultSort) Add("sort", Sort);
        if (Size != DefaultSize) Add("size", Size.ToString(CultureInfo.InvariantCulture));
        if (withPosition) { Add("cursor", Cursor); Add("before", Before); }
        if (parts.Count == 0) return "";
        var sb = new StringBuilder("?");
        foreach (var (k, v) in parts)
        {
            if (sb.Length > 1) sb.Append('&');
            sb.Append(k).Append('=').Append(Uri.EscapeDataString(v));
        }
        return sb.ToString();
    }

    /// <summary>The sort a column header switches to: ascending first, then descending (dates start newest first).</summary>
    public string NextSort(string key)
    {
        var current = Sort.TrimStart('-');
        if (current == key) return Sort.StartsWith('-') ? key : "-" + key;
        return key == "name" ? key : "-" + key;
    }

    public static string Reverse(string sort) => sort.StartsWith('-') ? sort[1..] : "-" + sort;
}

public sealed record FilterChip(string Label, string Value, string RemoveUrl);

public sealed record AccountRow(AccountDto Account, string? Owner);

public sealed record AccountListModel(
    AccountListState State, IReadOnlyList<AccountRow> Rows, string? NextCursor, string? PreviousCursor, long MatchCount, bool MatchCountCapped,
    IReadOnlyList<FilterChip> Chips, IReadOnlyList<(Guid Id, string Name)> Owners, TimeZoneInfo Zone, string? ParentName)
{
    public string? NextUrl => NextCursor is null ? null : (State with { Cursor = NextCursor, Before = null }).Url();
    public string? PreviousUrl => PreviousCursor is null ? null : (State with { Cursor = null, Before = PreviousCursor }).Url();
}

public static class AccountList
{
    /// <summary>Counting stops here: "10,000+" keeps the count cheap on big, loosely filtered lists.</summary>
    public const int CountCap = 10_000;

    public static IQueryable<Account> Source(RevLoopDb db, AccountListState s, TimeZoneInfo zone)
    {
        IQueryable<Account> source = db.Accounts.AsNoTracking();
        if (s.CreatedFrom is { } from)
        {
            var start = Ui.StartOfDay(from, zone);
            source = source.Where(a => a.CreatedAt >= start);
        }
        if (s.CreatedTo is { } to)
        {
            var end = Ui.StartOfDay(to.AddDays(1), zone);
            source = source.Where(a => a.CreatedAt < end);
        }
        return source;
    }

    private static AccountsApi.ListQuery ApiQuery(AccountListState s, string sort, string? cursor, int size) =>
        new(s.Q, s.Owner, s.Segment, s.Region, s.Country, s.Parent, sort, cursor, size);

    /// <summary>One page of the list, forwards from <c>cursor</c> or backwards from <c>before</c>, with the cursors around it.</summary>
    public static async Task<(List<AccountDto> Rows, string? Next, string? Previous)> PageAsync(RevLoopDb db, AccountListState s, TimeZoneInfo zone, CancellationToken ct)
    {
        var reversed = AccountListState.Reverse(s.Sort);
        if (s.Before is { } before)
        {
            // Backwards: the same keyset query in the opposite order, starting just before the first row we came from.
            var back = await AccountsApi.Query(db, ApiQuery(s, reversed, before, s.Size), Source(db, s, zone), ct);
            var rows = back.Items.Reverse().ToList();
            if (rows.Count == 0) return (rows, null, null);
            return (rows, KeyCursor(s.Sort, rows[^1]), back.NextCursor is null ? null : KeyCursor(reversed, rows[0]));
        }
        var page = await AccountsApi.Query(db, ApiQuery(s, s.Sort, s.Cursor, s.Size), Source(db, s, zone), ct);
        var items = page.Items.ToList();
        var previous = s.Cursor is not null && items.Count > 0 ? KeyCursor(reversed, items[0]) : null;
        return (items, page.NextCursor, previous);
    }

    /// <summary>A cursor in the API's format pointing just past <paramref name="row"/> in <paramref name="sort"/> order.</summary>
    public static string KeyCursor(string sort, AccountDto row) => Paging.EncodeCursor(sort, sort.TrimStart('-') switch
    {
        "name" => row.Name,
        "createdAt" => row.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        _ => row.UpdatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
    }, row.Id.ToString());

    public static async Task<AccountListModel> LoadAsync(RevLoopDb db, AccountListState s, TimeZoneInfo zone, CancellationToken ct)
    {
        var (rows, next, previous) = await PageAsync(db, s, zone, ct);
        var owners = await Ui.OwnersAsync(db, ct);
        var ownerNames = owners.ToDictionary(o => o.Id, o => o.Name);
        var missing = rows.Where(r => r.OwnerId is { } o && !ownerNames.ContainsKey(o)).Select(r => r.OwnerId!.Value).ToList();
        foreach (var (id, name) in await Ui.UserNamesAsync(db, missing, ct)) ownerNames[id] = name;

        var countQuery = Filtered(db, s, zone);
        var count = await countQuery.OrderBy(a => a.Id).Take(CountCap + 1).LongCountAsync(ct);
        string? parentName = s.Parent is { } p ? await db.Accounts.Where(a => a.Id == p).Select(a => a.Name).FirstOrDefaultAsync(ct) : null;

        var chips = new List<FilterChip>();
        void Chip(string label, string? value, AccountListState without) { if (value is not null) chips.Add(new FilterChip(label, value, without.FirstPage().Url())); }
        Chip("Search", s.Q, s with { Q = null });
        Chip("Segment", s.Segment is null ? null : Ui.Segment(s.Segment), s with { Segment = null });
        Chip("Region", s.Region, s with { Region = null });
        Chip("Country", s.Country, s with { Country = null });
        Chip("Owner", s.Owner is { } ow ? ownerNames.GetValueOrDefault(ow, "unknown user") : null, s with { Owner = null });
        Chip("Parent", s.Parent is null ? null : parentName ?? "unknown account", s with { Parent = null });
        Chip("Created from", s.CreatedFrom?.ToString("d MMM yyyy", CultureInfo.InvariantCulture), s with { CreatedFrom = null });
        Chip("Created to", s.CreatedTo?.ToString("d MMM yyyy", CultureInfo.InvariantCulture), s with { CreatedTo = null });

        return new AccountListModel(s, rows.Select(r => new AccountRow(r, r.OwnerId is { } o ? ownerNames.GetValueOrDefault(o) : null)).ToList(),
            next, previous, Math.Min(count, CountCap), count > CountCap, chips, owners, zone, parentName);
    }

    /// <summary>The filters alone, for counting; mirrors the API's list filters.</summary>
    private static IQueryable<Account> Filtered(RevLoopDb db, AccountListState s, TimeZoneInfo zone)
    {
        var q = Source(db, s, zone);
        if (s.Q is { } term) q = q.Where(a => a.Name.StartsWith(term) || a.Domain == term.ToLower());
        if (s.Owner is { } owner) q = q.Where(a => a.OwnerId == owner);
        if (s.Segment is { } segment) q = q.Where(a => a.Segment == segment);
        if (s.Region is { } region) q = q.Where(a => a.Region == region);
        if (s.Country is { } country) q = q.Where(a => a.Country == country);
        if (s.Parent is { } parent) q = q.Where(a => a.ParentAccountId == parent);
        return q;
    }

    public static readonly string[] CsvColumns = ["id", "name", "domain", "industry", "segment", "region", "country", "employees", "owner", "created_at", "updated_at"];

    /// <summary>
    /// Streams the list as shown — same filters, same order, the grid's columns — page by page (constant memory).
    /// </summary>
    public static async Task<long> WriteCsvAsync(RevLoopDb db, AccountListState state, TimeZoneInfo zone, Stream output, CancellationToken ct)
    {
        await using var w = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await w.WriteLineAsync(string.Join(",", CsvColumns));
        var names = new Dictionary<Guid, string>();
        var s = state with { Cursor = null, Before = null, Size = Paging.MaxPageSize };
        long n = 0;
        while (true)
        {
            var page = await AccountsApi.Query(db, ApiQuery(s, s.Sort, s.Cursor, s.Size), Source(db, s, zone), ct);
            var unknown = page.Items.Where(r => r.OwnerId is { } o && !names.ContainsKey(o)).Select(r => r.OwnerId!.Value);
            foreach (var (id, name) in await Ui.UserNamesAsync(db, unknown, ct)) names[id] = name;
            foreach (var r in page.Items)
            {
                await w.WriteLineAsync(string.Join(",", new[]
                {
                    r.Id.ToString(), r.Name, r.Domain, r.Industry, r.Segment, r.Region, r.Country, r.Employees?.ToString(CultureInfo.InvariantCulture),
                    r.OwnerId is { } o ? names.GetValueOrDefault(o) : null, Ui.Iso(r.CreatedAt), Ui.Iso(r.UpdatedAt),
                }.Select(CsvRecords.Quote)));
                n++;
            }
            if (page.NextCursor is null) break;
            s = s with { Cursor = page.NextCursor };
        }
        return n;
    }
}
