using Microsoft.EntityFrameworkCore.Storage;
using RevLoop.Platform;
using RevLoop.Server.Platform.Imports;

namespace RevLoop.Server.Platform;

/// <summary>What every CSV import shares: the header check, reading a row with its line named, and the all-or-nothing end.</summary>
public static class CsvImport
{
    /// <summary>Reads and checks the header; returns the lower-case column names and their positions.</summary>
    public static (string[] Header, Dictionary<string, int> Index) ReadHeader(CsvRecords csv, List<string> fields, IReadOnlyList<string> allowed, IReadOnlyList<string> required)
    {
        if (!ReadRow(csv, fields)) throw new InputException("line 1", "the file is empty; expected a header row: " + string.Join(",", allowed));
        var header = fields.Select(h => h.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToArray();
        var unknown = header.Where(h => !allowed.Contains(h)).ToList();
        if (unknown.Count > 0) throw new InputException("line 1", $"unknown column(s) {string.Join(", ", unknown)}; allowed: {string.Join(", ", allowed)}");
        foreach (var column in required)
            if (!header.Contains(column)) throw new InputException("line 1", $"the header has no '{column}' column");
        return (header, header.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => x.i));
    }

    /// <summary>The next record; a malformed one (an unclosed quote) is an input error naming its line.</summary>
    public static bool ReadRow(CsvRecords csv, List<string> fields)
    {
        try { return csv.Read(fields); }
        catch (FormatException e) { throw new InputException($"line {csv.Line}", e.Message); }
    }

    /// <summary>With all-or-nothing, any rejected row rolls the whole file back; otherwise the committed batches stand.</summary>
    public static async Task<ImportResult> FinishAsync(IDbContextTransaction? transaction, long read, long created, long updated, long rejected, string rejectPath, CancellationToken ct, long unchanged = 0)
    {
        if (transaction is not null)
        {
            if (rejected > 0)
            {
                await transaction.RollbackAsync(ct);
                return new ImportResult(read, 0, 0, rejected, true, rejectPath);
            }
            await transaction.CommitAsync(ct);
        }
        return new ImportResult(read, created, updated, rejected, false, rejectPath, unchanged);
    }
}
