using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Platform;
using RevLoop.Server.Platform.Imports;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Finance;

/// <summary>
/// Imports the canonical subscription-periods CSV (METRICS.md §1) in batches. A row whose (customer_id, subscription_id,
/// start) is already stored updates that period, so re-importing a billing export does not double the MRR.
/// </summary>
public static class SubscriptionImport
{
    private const int BatchSize = 2000;

    public static async Task<ImportResult> RunAsync(RevLoopDb db, string path, string rejectPath, bool allOrNothing, IProgress<long>? progress, CancellationToken ct)
    {
        await using var input = File.OpenRead(path);
        using var reader = new StreamReader(input);
        var csv = new CsvRecords(reader);
        var fields = new List<string>();
        var (header, index) = CsvImport.ReadHeader(csv, fields, SubscriptionRules.Columns, ["customer_id", "start", "amount", "currency", "interval"]);

        await using var transaction = allOrNothing ? await db.Database.BeginTransactionAsync(ct) : null;
        await using var rejects = new StreamWriter(rejectPath, false);
        await rejects.WriteLineAsync("line,field,reason," + string.Join(",", header));
        long read = 0, created = 0, updated = 0, rejected = 0;
        var batch = new List<SubscriptionPeriod>(BatchSize);
        db.ChangeTracker.AutoDetectChangesEnabled = false;

        while (Read())
        {
            if (fields.Count == 1 && fields[0].Length == 0) continue;
            read++;
            var line = csv.Line;
            string? F(string name) => index.TryGetValue(name, out var i) && i < fields.Count ? fields[i] : null;
            try
            {
                if (fields.Count != header.Length) throw new InputException("row", $"has {fields.Count} columns, the header has {header.Length}");
                var p = new SubscriptionPeriod();
                SubscriptionRules.Fill(p, F("customer_id"), F("subscription_id"), F("start"), F("end"), F("amount"), F("currency"), F("interval"), F("interval_count"), F("quantity"));
                batch.Add(p);
            }
            catch (InputException ex)
            {
                rejected++;
                await rejects.WriteLineAsync(string.Join(",", new[] { line.ToString(CultureInfo.InvariantCulture), ex.Field, ex.Reason }.Concat(fields).Select(CsvRecords.Quote)));
            }
            if (batch.Count >= BatchSize) await Flush();
            progress?.Report(read);
        }
        await Flush();
        db.ChangeTracker.AutoDetectChangesEnabled = true;

        return await CsvImport.FinishAsync(transaction, read, created, updated, rejected, rejectPath, ct);

        bool Read() => CsvImport.ReadRow(csv, fields);

        async Task Flush()
        {
            if (batch.Count == 0) return;
            var customers = batch.Select(b => b.CustomerId).Distinct().ToList();
            var existing = await db.SubscriptionPeriods.Where(p => customers.Contains(p.CustomerId)).ToListAsync(ct);
            var byKey = existing.GroupBy(p => (p.CustomerId, p.SubscriptionId, p.Start)).ToDictionary(g => g.Key, g => g.First());
            foreach (var row in batch)
            {
                if (byKey.TryGetValue((row.CustomerId, row.SubscriptionId, row.Start), out var found))
                {
                    found.End = row.End; found.AmountMinor = row.AmountMinor; found.Currency = row.Currency; found.Interval = row.Interval;
                    found.IntervalCount = row.IntervalCount; found.Quantity = row.Quantity;
                    updated++;
                }
                else
                {
                    db.SubscriptionPeriods.Add(row);
                    byKey[(row.CustomerId, row.SubscriptionId, row.Start)] = row;
                    created++;
                }
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            batch.Clear();
        }
    }
}
