using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform.Imports;

/// <summary>Writes every visible record of an object as CSV with the columns its import reads, in id order, page by page.</summary>
public static class RecordExport
{
    private const int PageSize = 5000;

    public static async Task<long> WriteAsync<T>(RecordCsv<T> kind, RevLoopDb db, Stream output, CancellationToken ct) where T : class, ITrackedRecord, IOwnedRecord, new()
    {
        var names = new CsvNames
        {
            UserEmails = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Email ?? "", ct),
            PipelineNames = await db.Pipelines.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct),
            StageNames = await db.Stages.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, ct),
        };
        var columns = kind.Columns.Where(c => c.Export is not null).ToList();
        await using var w = new StreamWriter(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await w.WriteLineAsync(string.Join(",", columns.Select(c => c.Name)));
        long n = 0;
        Guid? after = null;
        var cells = new string?[columns.Count];
        while (true)
        {
            var q = kind.Set(db).AsNoTracking();
            if (after is { } a) q = q.Where(x => x.Id.CompareTo(a) > 0);
            var page = await q.OrderBy(x => x.Id).Take(PageSize).ToListAsync(ct);
            if (page.Count == 0) break;
            foreach (var record in page)
            {
                for (var i = 0; i < columns.Count; i++) cells[i] = columns[i].Export!(record, names);
                await w.WriteLineAsync(string.Join(",", cells.Select(CsvRecords.Quote)));
                n++;
            }
            after = page[^1].Id;
        }
        return n;
    }
}
