using System.Globalization;
using RevLoop.Platform;

namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// One column of an object's CSV: its name (the same for import and export), how a cell is read into the draft
/// record, how the record is written back out, and which record properties the column fills (what an update copies).
/// Reference columns (owner_email, account, stage…) only keep their text; the object's batch resolver looks them up.
/// </summary>
public sealed class CsvColumn<T>
{
    public required string Name { get; init; }
    /// <summary>Null for import-only columns (alternative keys such as account name or a Salesforce account id).</summary>
    public Func<T, CsvNames, string?>? Export { get; init; }
    /// <summary>Reads a non-blank, trimmed cell into the draft; throws <see cref="InputException"/> naming this column.</summary>
    public required Action<ImportRow<T>, string> Import { get; init; }
    /// <summary>The record properties this column fills; an update by id or a merge copies exactly these.</summary>
    public string[] Fields { get; init; } = [];

    public static CsvColumn<T> Text(string name, string field, Func<T, string?> get, Action<T, string?> set, int max) => new()
    {
        Name = name, Fields = [field], Export = (r, _) => get(r),
        Import = (row, v) => set(row.Draft, v.Length <= max ? v : throw new InputException(name, $"must be at most {max} characters")),
    };

    /// <summary>A value from a fixed list, stored lower-case (segment, status, type…).</summary>
    public static CsvColumn<T> OneOf(string name, string field, Func<T, string?> get, Action<T, string?> set, IReadOnlyList<string> allowed) => new()
    {
        Name = name, Fields = [field], Export = (r, _) => get(r),
        Import = (row, v) =>
        {
            var lower = v.ToLowerInvariant();
            set(row.Draft, allowed.Contains(lower) ? lower : throw new InputException(name, $"'{v}' is not one of {string.Join(", ", allowed)}"));
        },
    };

    public static CsvColumn<T> Int(string name, string field, Func<T, int?> get, Action<T, int?> set) => new()
    {
        Name = name, Fields = [field], Export = (r, _) => get(r)?.ToString(CultureInfo.InvariantCulture),
        Import = (row, v) => set(row.Draft, int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new InputException(name, $"'{v}' is not a whole number")),
    };

    public static CsvColumn<T> Id(string name, string field, Func<T, Guid?> get, Action<T, Guid?> set) => new()
    {
        Name = name, Fields = [field], Export = (r, _) => get(r)?.ToString(),
        Import = (row, v) => set(row.Draft, Guid.TryParse(v, out var g) ? g : throw new InputException(name, $"'{v}' is not a UUID")),
    };

    public static CsvColumn<T> Date(string name, string field, Func<T, DateOnly?> get, Action<T, DateOnly?> set) => new()
    {
        Name = name, Fields = [field], Export = (r, _) => get(r)?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Import = (row, v) => set(row.Draft, CsvValues.Date(name, v)),
    };

    public static CsvColumn<T> Instant(string name, string field, Func<T, DateTimeOffset?> get, Action<T, DateTimeOffset?> set) => new()
    {
        Name = name, Fields = [field], Export = (r, _) => Data.HistoryInterceptor.Format(get(r)),
        Import = (row, v) => set(row.Draft, CsvValues.Instant(name, v)),
    };

    /// <summary>A column whose text is kept for the batch resolver (or for a check that needs other columns first).</summary>
    public static CsvColumn<T> Deferred(string name, Func<T, CsvNames, string?>? export, params string[] fields) => new()
    {
        Name = name, Fields = fields, Export = export, Import = (row, v) => row.Deferred[name] = v,
    };
}

public static class CsvValues
{
    /// <summary>yyyy-MM-dd, or an ISO timestamp (as Salesforce writes dates) of which the date is kept.</summary>
    public static DateOnly Date(string column, string v)
    {
        if (DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        if (v.Length > 10 && v[10] == 'T' && DateOnly.TryParseExact(v[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d)) return d;
        throw new InputException(column, $"'{v}' is not a date (yyyy-MM-dd)");
    }

    /// <summary>An ISO 8601 instant; without an offset it is UTC. Kept to the millisecond, as the databases store it.</summary>
    public static DateTimeOffset Instant(string column, string v)
    {
        if (!DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) || v.Length < 10)
            throw new InputException(column, $"'{v}' is not a timestamp (ISO 8601, e.g. 2026-03-01T09:30:00Z)");
        return DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
    }

    public static decimal Amount(string column, string v) =>
        decimal.TryParse(v, NumberStyles.Number & ~NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var a)
            ? a : throw new InputException(column, $"'{v}' is not an amount (digits and a decimal point, e.g. 1250.50)");
}

/// <summary>Names the export writes in place of ids: owner emails, pipeline and stage names.</summary>
public sealed class CsvNames
{
    public required IReadOnlyDictionary<Guid, string> UserEmails { get; init; }
    public required IReadOnlyDictionary<Guid, string> PipelineNames { get; init; }
    public required IReadOnlyDictionary<Guid, string> StageNames { get; init; }

    public string? Email(Guid? user) => user is { } u && UserEmails.TryGetValue(u, out var e) ? e : null;
}

/// <summary>One data row of a batch: its line, original cells, the draft record read from it and what is left to resolve.</summary>
public sealed class ImportRow<T>(long line, string[] raw, T draft)
{
    public long Line { get; } = line;
    public string[] Raw { get; } = raw;
    public T Draft { get; } = draft;
    /// <summary>Columns of the file whose cell in this row is not blank.</summary>
    public HashSet<string> Filled { get; } = [];
    /// <summary>Text of reference and cross-column cells, by column name, for the object's resolver.</summary>
    public Dictionary<string, string> Deferred { get; } = [];
    public InputException? Error { get; set; }
    /// <summary>Set by the engine while matching: the stored record this row updates, if any.</summary>
    public T? Target { get; set; }

    public string? Cell(string column) => Deferred.TryGetValue(column, out var v) ? v : null;

    /// <summary>Runs a check and turns its input error into this row's rejection (the first error wins).</summary>
    public void Try(Action check)
    {
        if (Error is not null) return;
        try { check(); }
        catch (InputException e) { Error = e; }
    }
}
