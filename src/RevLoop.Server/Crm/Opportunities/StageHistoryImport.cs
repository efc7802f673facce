using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Platform;
using RevLoop.Server.Platform.Imports;

namespace RevLoop.Server.Crm.Opportunities;

/// <summary>
/// Past stage changes of opportunities (Salesforce OpportunityHistory.csv, or opportunity_id|opportunity_external_id,
/// stage, changed_at) written as StageId field-change rows at their historical time, so time in stage and as-of
/// pipeline read them like changes made in RevLoop. Each row's old value is the stage the deal had just before that
/// time (from the rows already stored and those earlier in the file); a row that repeats the stage (Salesforce also
/// logs amount and date edits) is no stage change and is counted as unchanged. No outbox events: these are history,
/// not news. A change already stored (same deal, time and stage) is a duplicate unless --dedupe create.
/// </summary>
public static class StageHistoryImport
{
    public static readonly IReadOnlyList<string> Columns = ["opportunity_id", "opportunity_external_id", "stage", "changed_at"];

    /// <summary>Whether a file given to `import opportunities` holds stage history instead of opportunities.</summary>
    public static bool IsHistory(IReadOnlyList<string> header) =>
        SalesforceMaps.IsOpportunityHistory(header) || header.Any(h => h.Trim().Equals("changed_at", StringComparison.OrdinalIgnoreCase));

    private sealed record Row(long Line, string[] Raw, string? Id, string? External, string Stage, DateTimeOffset At)
    {
        public Guid Opportunity { get; set; }
        public InputException? Error { get; set; }
    }

    public static async Task<ImportResult> RunAsync(RevLoopDb db, string path, string rejectPath, ImportOptions options, Func<ImportProgress, Task>? progress, CancellationToken ct)
    {
        await using var input = File.OpenRead(path);
        using var reader = new StreamReader(input);
        var csv = new CsvRecords(reader);
        var fields = new List<string>();
        var header = RecordImport.ReadHeader(csv, fields, Columns, ["stage", "changed_at"], options.Map,
            raw => SalesforceMaps.IsOpportunityHistory(raw) ? SalesforceMaps.OpportunityHistory : null);
        if (!header.Targets.Contains("opportunity_id") && !header.Targets.Contains("opportunity_external_id"))
            throw new InputException("line 1", "the header has no 'opportunity_id' or 'opportunity_external_id' column");
        int Index(string c) => Array.IndexOf(header.Targets, c);
        var (idAt, externalAt, stageAt, timeAt) = (Index("opportunity_id"), Index("opportunity_external_id"), Index("stage"), Index("changed_at"));
        var context = await ImportContext.LoadAsync(db, options, ct);
        var stagesByPipeline = context.Pipelines.ToDictionary(p => p.Id, p => p.Stages);

        await using var transaction = options.AllOrNothing ? await db.Database.BeginTransactionAsync(ct) : null;
        await using var rejects = new StreamWriter(rejectPath, false);
        await rejects.WriteLineAsync(string.Join(",", new[] { "line", "field", "reason" }.Concat(header.Raw).Select(CsvRecords.Quote)));
        long read = 0, created = 0, unchanged = 0, rejected = 0;
        var batch = new List<Row>(RecordImport.BatchSize);

        while (CsvImport.ReadRow(csv, fields))
        {
            if (fields.Count == 1 && fields[0].Length == 0) continue;
            read++;
            var raw = Enumerable.Range(0, header.Raw.Length).Select(i => i < fields.Count ? fields[i] : "").ToArray();
            string? Cell(int i) => i >= 0 && raw[i].Trim() is { Length: > 0 } v ? v : null;
            try
            {
                if (fields.Count != header.Raw.Length) throw new InputException("row", $"has {fields.Count} columns, the header has {header.Raw.Length}");
                var (id, external) = (Cell(idAt), Cell(externalAt));
                if (id is null && external is null) throw new InputException(idAt >= 0 ? "opportunity_id" : "opportunity_external_id", "is required");
                var stage = Cell(stageAt) ?? throw new InputException("stage", "is required");
                var at = CsvValues.Instant("changed_at", Cell(timeAt) ?? throw new InputException("changed_at", "is required"));
                batch.Add(new Row(csv.Line, raw, id, external, stage, at));
            }
            catch (InputException e) { await Reject(csv.Line, e, raw); }
            if (batch.Count >= RecordImport.BatchSize) await Flush();
        }
        await Flush();
        return await CsvImport.FinishAsync(transaction, read, created, 0, rejected, rejectPath, ct, unchanged);

        async Task Reject(long line, InputException e, string[] raw)
        {
            rejected++;
            var field = Columns.Contains(e.Field) ? header.FileName(e.Field) : e.Field;
            await rejects.WriteLineAsync(string.Join(",", new[] { line.ToString(CultureInfo.InvariantCulture), field, e.Reason }.Concat(raw).Select(CsvRecords.Quote)));
        }

        async Task Flush()
        {
            if (batch.Count > 0)
            {
                var ids = batch.Where(r => r.Id is not null).Select(r => Guid.TryParse(r.Id, out var g) ? g : Guid.Empty).Distinct().ToList();
                var externals = batch.Where(r => r.Id is null).Select(r => r.External!).Distinct().ToList();
                var deals = await db.Opportunities.AsNoTracking().Where(o => ids.Contains(o.Id) || (o.ExternalId != null && externals.Contains(o.ExternalId)))
                    .Select(o => new { o.Id, o.ExternalId, o.PipelineId, o.StageId, o.CreatedAt }).ToListAsync(ct);
                var byId = deals.ToDictionary(d => d.Id);
                var byExternal = deals.Where(d => d.ExternalId is not null).GroupBy(d => d.ExternalId!).ToDictionary(g => g.Key, g => g.First());
                var dealIds = deals.Select(d => d.Id).ToList();
                var stored = await db.FieldChanges.AsNoTracking()
                    .Where(c => c.EntityType == "opportunity" && c.Field == nameof(Opportunity.StageId) && dealIds.Contains(c.EntityId))
                    .Select(c => new { c.EntityId, c.ChangedAt, c.OldValue, c.NewValue }).ToListAsync(ct);
                var ofDeal = stored.ToLookup(c => c.EntityId);
                var timeline = ofDeal.ToDictionary(g => g.Key, g => g.Select(c => (c.ChangedAt, c.NewValue)).ToList());
                // The stage each deal was created in, at its creation (OpportunityHistoryRows: the old value of its first
                // stage row since, else its stage now).
                foreach (var deal in deals)
                {
                    var since = ofDeal[deal.Id].Where(c => c.ChangedAt >= deal.CreatedAt).MinBy(c => c.ChangedAt);
                    var created = since is null ? deal.StageId.ToString() : since.OldValue;
                    if (created is not null) (timeline.TryGetValue(deal.Id, out var list) ? list : timeline[deal.Id] = []).Add((deal.CreatedAt, created));
                }
                // In time order, so each change's old value is the stage just before it even when the file is not sorted.
                foreach (var row in batch.OrderBy(r => r.At))
                {
                    try
                    {
                        var deal = row.Id is not null
                            ? (Guid.TryParse(row.Id, out var g) && byId.TryGetValue(g, out var d) ? d : throw new InputException("opportunity_id", $"no opportunity has id {row.Id}"))
                            : byExternal.TryGetValue(row.External!, out var e) ? e : throw new InputException("opportunity_external_id", $"no opportunity has external id {row.External}");
                        var stages = stagesByPipeline[deal.PipelineId];
                        var stage = stages.FirstOrDefault(s => string.Equals(s.Name, row.Stage, StringComparison.OrdinalIgnoreCase))
                            ?? throw new InputException("stage", $"the deal's pipeline has no stage named '{row.Stage}' (stages: {string.Join(", ", stages.Select(s => s.Name))})");
                        var changes = timeline.TryGetValue(deal.Id, out var list) ? list : timeline[deal.Id] = [];
                        var value = stage.Id.ToString();
                        if (options.Dedupe != Dedupe.Create && changes.Any(c => c.ChangedAt == row.At && c.NewValue == value))
                            throw new InputException("changed_at", $"this stage change of opportunity {deal.Id} is already stored; use --dedupe create to add it again");
                        var before = changes.Where(c => c.ChangedAt < row.At).OrderBy(c => c.ChangedAt).Select(c => c.NewValue).LastOrDefault();
                        if (before == value) { unchanged++; continue; }
                        db.FieldChanges.Add(new FieldChange
                        {
                            EntityType = "opportunity", EntityId = deal.Id, Field = nameof(Opportunity.StageId), OldValue = before, NewValue = value,
                            ChangedAt = row.At, ChangedBy = db.Origin.Actor, Source = db.Origin.Source, ChangeSetId = Guid.CreateVersion7(row.At),
                        });
                        changes.Add((row.At, value));
                        created++;
                    }
                    catch (InputException e) { await Reject(row.Line, e, row.Raw); }
                }
                await using (var batchTransaction = transaction is null ? await db.Database.BeginTransactionAsync(ct) : null)
                {
                    await db.SaveChangesAsync(ct);
                    if (batchTransaction is not null) await batchTransaction.CommitAsync(ct);
                }
                db.ChangeTracker.Clear();
                batch.Clear();
            }
            if (progress is not null) await progress(new ImportProgress(read, input.Position, input.Length));
        }
    }
}
