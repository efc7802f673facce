using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Server.Platform.Imports;

/// <summary>
/// Streams a CSV into one object's table in batches (constant memory): header check through the column map, rows read
/// into drafts, references resolved per batch, matching by id, external id and natural key with the dedupe policy, and
/// one transaction per <see cref="RowsPerCommit"/> rows (or one for the whole file: with all-or-nothing, or when a command-line
/// import holds a SQLite file nothing else has open, ADR 0020). Bad rows go to
/// the reject file with their line, the column at fault and the reason, followed by the original row.
/// </summary>
public static class RecordImport
{
    public const int BatchSize = 1000;

    /// <summary>
    /// Rows between commits. A commit writes every page the rows dirtied to the WAL; the opportunity indexes keyed by
    /// owner, team, stage, account and close date take new rows at random places, so with 1,000 rows per commit nearly
    /// every row dirtied a page of its own in each of them (at 500,000 deals: 3,047 rows/s; with 50,000 per commit and
    /// a cache that holds them: 4,361 rows/s, bench/imports/results.md).
    /// </summary>
    public const int RowsPerCommit = 50_000;

    private const string ImportPragmas = "PRAGMA cache_size=-524288; PRAGMA wal_autocheckpoint=16384;";

    public static async Task<ImportResult> RunAsync<T>(RecordCsv<T> kind, RevLoopDb db, string path, string rejectPath, ImportOptions options,
        Func<ImportProgress, Task>? progress, CancellationToken ct) where T : class, ITrackedRecord, IOwnedRecord, new()
    {
        var (autoDetect, bulk, deferred) = (db.ChangeTracker.AutoDetectChangesEnabled, db.WriteHistoryInBulk, db.ScoredChanges.Deferred);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            // SQLite, for this connection only: a page cache that holds the pages one commit dirties (RowsPerCommit rows;
            // a smaller cache spills them to the WAL before the commit, the default 2 MB re-reads pages from the OS for
            // every row), and a WAL that grows to 64 MB before a checkpoint copies it into the database, instead of one
            // checkpoint (and fsync) per commit.
            if (db.IsSqlite) await db.Database.ExecuteSqlRawAsync(ImportPragmas, ct);
            return await ImportAsync(kind, db, path, rejectPath, options, progress, ct);
        }
        finally
        {
            if (db.IsSqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size=-2000; PRAGMA wal_autocheckpoint=1000;", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
            // The context may live on (a request scope): leave it as it was.
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
            db.WriteHistoryInBulk = bulk;
            db.ScoredChanges.Deferred = deferred;
            db.ScoredChanges.Clear();
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The header read through the map: for each file column the RevLoop column it fills (null: ignored).</summary>
    public sealed record Header(string[] Raw, string?[] Targets, ColumnMap? Map)
    {
        /// <summary>The file's name for a RevLoop column, so errors name the column the user sees.</summary>
        public string FileName(string column)
        {
            var i = Array.IndexOf(Targets, column);
            return i >= 0 ? Raw[i] : column;
        }
    }

    public static Header ReadHeader(CsvRecords csv, List<string> fields, IReadOnlyList<string> allowed, IReadOnlyList<string> required, ColumnMap? map,
        Func<IReadOnlyList<string>, ColumnMap?>? detect)
    {
        if (!CsvImport.ReadRow(csv, fields)) throw new InputException("line 1", "the file is empty; expected a header row: " + string.Join(",", allowed));
        var raw = fields.Select((h, i) => (i == 0 ? h.TrimStart('\uFEFF') : h).Trim()).ToArray();
        map ??= detect?.Invoke(raw);
        var targets = raw.Select(h => map is null ? h.ToLowerInvariant() : map.Target(h)).ToArray();
        if (map is { DropUnmapped: true })
        {
            // A built-in map may offer two sources for one field (BillingCountryCode, BillingCountry): the first it lists wins.
            var order = map.Columns.Keys.ToList();
            foreach (var group in targets.Select((t, i) => (t, i)).Where(x => x.t is not null).GroupBy(x => x.t).Where(g => g.Count() > 1))
                foreach (var (_, i) in group.OrderBy(x => order.FindIndex(k => string.Equals(k, raw[x.i], StringComparison.OrdinalIgnoreCase))).Skip(1))
                    targets[i] = null;
        }
        var unknown = raw.Where((h, i) => targets[i] is { } t && !allowed.Contains(t)).ToList();
        if (unknown.Count > 0)
            throw new InputException("line 1", $"unknown column(s) {string.Join(", ", unknown)}{(map is null ? "" : $" (after map {map.Name})")}; allowed: {string.Join(", ", allowed)}");
        var repeated = targets.Where(t => t is not null).GroupBy(t => t).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new InputException("line 1", $"more than one column fills '{repeated.Key}'");
        foreach (var column in required)
            if (!targets.Contains(column)) throw new InputException("line 1", $"the header has no '{column}' column");
        return new Header(raw, targets, map);
    }

    private static async Task<ImportResult> ImportAsync<T>(RecordCsv<T> kind, RevLoopDb db, string path, string rejectPath, ImportOptions options,
        Func<ImportProgress, Task>? progress, CancellationToken ct) where T : class, ITrackedRecord, IOwnedRecord, new()
    {
        await using var input = File.OpenRead(path);
        using var reader = new StreamReader(input);
        var csv = new CsvRecords(reader);
        var fields = new List<string>();
        var header = ReadHeader(csv, fields, kind.Columns.Select(c => c.Name).ToList(), kind.RequiredColumns, options.Map, raw => SalesforceMaps.Detect(kind.Object, raw));
        var columns = header.Targets.Select(t => t is null ? null : kind.Column(t)).ToArray();
        var inFile = columns.Where(c => c is not null).Select(c => c!).ToList();
        var context = await ImportContext.LoadAsync(db, options, ct);

        // Bulk mode: one DetectChanges per batch (the history interceptor's) instead of one per save call, and history
        // rows and outbox events appended with prepared multi-row INSERTs in the batch's transaction. Same rows as ever.
        // The batch's lookups (ids, external ids, accounts) pass their ~1,000 values as one collection parameter (the
        // database options' collection mode, DatabaseTarget.Configure), not ~1,000 names for SQLite to resolve one by one.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.WriteHistoryInBulk = true;
        // Scores of the people a batch changed or created: once per batch (a few queries), after its bulk inserts.
        db.ScoredChanges.Deferred = true;
        // All-or-nothing: one transaction, begun at the first batch (once the file's size in rows can be told).
        IDbContextTransaction? transaction = null;
        var started = false;
        // Whether this import holds a SQLite file nothing else has open (ADR 0020): nobody reads it between commits then.
        var held = false;
        await using var rejects = new StreamWriter(rejectPath, false);
        await rejects.WriteLineAsync(string.Join(",", new[] { "line", "field", "reason" }.Concat(header.Raw).Select(CsvRecords.Quote)));
        var counts = new Counts();
        var batch = new List<ImportRow<T>>(BatchSize);
        var idLines = new Dictionary<Guid, long>(); // one row per record: a repeated id is a bad row, not a crash
        var hasId = header.Targets.Contains("id");
        // Without all-or-nothing, rows commit in groups of batches (RowsPerCommit); a batch's lookups see the rows of
        // the group's earlier batches, which are on the same connection.
        IDbContextTransaction? openGroup = null;
        var groupRows = 0;
        // One transaction for the whole file (all-or-nothing, or held) into SQLite: a file that at least doubles the table
        // has its indexes built after the rows (ADR 0019).
        IndexRebuild? rebuild = null;

        try
        {
            while (CsvImport.ReadRow(csv, fields))
            {
                if (fields.Count == 1 && fields[0].Length == 0) continue;
                counts.Read++;
                var raw = Enumerable.Range(0, header.Raw.Length).Select(i => i < fields.Count ? fields[i] : "").ToArray();
                var row = new ImportRow<T>(csv.Line, raw, new T());
                row.Try(() =>
                {
                    if (fields.Count != header.Raw.Length) throw new InputException("row", $"has {fields.Count} columns, the header has {header.Raw.Length}");
                    for (var i = 0; i < columns.Length; i++)
                    {
                        if (columns[i] is not { } column) continue;
                        var text = raw[i].Trim();
                        if (text.Length == 0) continue;
                        if (header.Map?.Values.TryGetValue(column.Name, out var translate) == true) text = translate(text);
                        if (text.Length == 0) continue;
                        row.Filled.Add(column.Name);
                        column.Import(row, text);
                    }
                    kind.Check(row, context);
                    if (hasId && row.Filled.Contains("id") && !idLines.TryAdd(row.Draft.Id, row.Line))
                        throw new InputException("id", $"line {idLines[row.Draft.Id]} already has id {row.Draft.Id}; one row per {kind.RecordName}");
                });
                // Bad rows wait in the batch too, so the reject file lists rows in file order.
                batch.Add(row);
                if (batch.Count >= BatchSize) await Flush();
            }
            await Flush();
            // Rejected rows roll an all-or-nothing file back, the indexes with it: nothing to build then.
            if (rebuild is not null && (transaction is null || counts.Rejected == 0))
            {
                if (progress is not null) await progress(new ImportProgress(counts.Read, input.Length, input.Length, $"building {rebuild.Definitions.Count} indexes of {kind.Object}"));
                await rebuild.FinishAsync(db, ct);
            }
            if (openGroup is not null) await Commit();
            return await CsvImport.FinishAsync(transaction, counts.Read, counts.Created, counts.Updated, counts.Rejected, rejectPath, ct);
        }
        finally
        {
            // A failed import leaves its last group (or its one transaction) uncommitted: roll it back, so the connection is left clean.
            if (openGroup is not null) await openGroup.DisposeAsync();
            if (transaction is not null) await transaction.DisposeAsync();
            // Committed or rolled back: the file is given back (WAL, shared locking).
            if (held) UnusedDatabase.Release((SqliteConnection)db.Database.GetDbConnection());
        }

        // Before the first batch's lookups: a large file from the command line may hold a SQLite file nothing else has open
        // (ADR 0020). All-or-nothing, or held, it is one transaction, which builds its indexes after its rows (ADR 0019).
        async Task StartAsync()
        {
            started = true;
            // The file's rows, from the bytes the first batch took (the whole file when it was shorter than a batch).
            var expected = input.Position >= input.Length ? counts.Read : input.Length * counts.Read / Math.Max(1, input.Position);
            if (options.TakeUnusedDatabase && expected >= IndexRebuild.FromRows && db.IsSqlite)
            {
                // This import's own connection counts as a user of the file: closed while the file is tried, then opened again.
                await db.Database.CloseConnectionAsync();
                var switched = UnusedDatabase.TrySwitch(db.Database.GetConnectionString()!);
                await db.Database.OpenConnectionAsync(ct);
                await db.Database.ExecuteSqlRawAsync(ImportPragmas, ct);
                held = switched && UnusedDatabase.Hold((SqliteConnection)db.Database.GetDbConnection());
            }
            if (held && progress is not null)
                await progress(new ImportProgress(counts.Read, input.Position, input.Length, "holding the database alone (nothing else has it open)"));
            if (options.AllOrNothing) transaction = await db.Database.BeginTransactionAsync(ct);
            else if (held) openGroup = await db.Database.BeginTransactionAsync(ct);
            else return;
            rebuild = await IndexRebuild.BeginAsync(db, typeof(T), kind.LookupColumns, expected, ct);
        }

        async Task Commit()
        {
            await openGroup!.CommitAsync(ct);
            await openGroup.DisposeAsync();
            openGroup = null;
            groupRows = 0;
        }

        async Task Reject(ImportRow<T> row)
        {
            counts.Rejected++;
            var column = ColumnOf(row.Error!.Field);
            await rejects.WriteLineAsync(string.Join(",", new[] { row.Line.ToString(CultureInfo.InvariantCulture), column is null ? row.Error.Field : header.FileName(column), row.Error.Reason }
                .Concat(row.Raw).Select(CsvRecords.Quote)));
        }

        // Shared rules name fields as the API does (lastName); the reject file names the CSV column (last_name).
        string? ColumnOf(string field)
        {
            if (kind.Column(field) is not null) return field;
            var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(field);
            return kind.Column(snake) is not null ? snake : null;
        }

        async Task Flush()
        {
            if (batch.Count > 0)
            {
                if (!started) await StartAsync();
                await kind.ResolveCustomFieldsAsync(context, batch, ct);
                await kind.ResolveAsync(context, batch, ct);
                await Match(kind, db, batch, hasId, ct);
                var registry = new Dictionary<(string, string), T>();
                var created = new List<T>();
                if (options.Dedupe != Dedupe.Create)
                {
                    // Stored records sharing a natural key with a row of this batch: one query per batch, not per row.
                    var keys = batch.Where(r => r.Error is null && r.Target is null).SelectMany(r => kind.Keys(r.Draft)).ToHashSet();
                    if (keys.Count > 0)
                        foreach (var stored in (await kind.FindAsync(db, keys, ct)).OrderBy(r => r.Id))
                            Register(kind, stored, registry);
                }
                foreach (var row in batch)
                {
                    if (row.Error is null) Apply(kind, db, context, row, inFile, registry, counts, created);
                    if (row.Error is not null) await Reject(row);
                }
                // Batches commit in groups (with their history) unless the whole file is one transaction (all-or-nothing,
                // or held: nobody reads between commits then, and a failure leaves the file as it was).
                if (transaction is null) openGroup ??= await db.Database.BeginTransactionAsync(ct);
                await db.SaveChangesAsync(ct);
                // New records skip change tracking: the same rows, history and events, appended in bulk.
                BulkCreate.Write(db, created);
                db.ScoredChanges.NoteCreated(created);
                await Marketing.Scoring.LeadScoring.AfterChangesAsync(db, ct);
                groupRows += batch.Count;
                if (openGroup is not null && groupRows >= RowsPerCommit && !held) await Commit();
                db.ChangeTracker.Clear();
                batch.Clear();
            }
            if (progress is not null) await progress(new ImportProgress(counts.Read, input.Position, input.Length));
        }
    }

    private sealed class Counts
    {
        public long Read, Created, Updated, Rejected;
    }

    /// <summary>Finds the stored records the rows of a batch are about: by id, by external id, by natural key.</summary>
    private static async Task Match<T>(RecordCsv<T> kind, RevLoopDb db, List<ImportRow<T>> batch, bool hasId, CancellationToken ct)
        where T : class, ITrackedRecord, IOwnedRecord, new()
    {
        var set = kind.Set(db);
        if (hasId)
        {
            var ids = batch.Where(r => r.Error is null && r.Filled.Contains("id")).Select(r => r.Draft.Id).ToList();
            if (ids.Count > 0)
            {
                var found = await set.Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);
                var missing = ids.Where(id => !found.ContainsKey(id)).ToList();
                var hidden = missing.Count == 0 ? [] : (await set.IgnoreQueryFilters().Where(r => missing.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct)).ToHashSet();
                foreach (var row in batch.Where(r => r.Error is null && r.Filled.Contains("id")))
                {
                    if (found.TryGetValue(row.Draft.Id, out var target)) row.Target = target;
                    else if (hidden.Contains(row.Draft.Id))
                        row.Error = new InputException("id", $"{kind.RecordName} {row.Draft.Id} was deleted or is not visible to you; restore it before importing into it");
                }
            }
        }
    }

    private static void Apply<T>(RecordCsv<T> kind, RevLoopDb db, ImportContext context, ImportRow<T> row, List<CsvColumn<T>> inFile,
        Dictionary<(string, string), T> registry, Counts counts, List<T> created) where T : class, ITrackedRecord, IOwnedRecord, new()
    {
        T? target = row.Target;
        var merge = false;
        if (target is null && context.Options.Dedupe != Dedupe.Create)
        {
            var duplicate = FindDuplicate(kind, db, row.Draft, registry);
            if (duplicate is { } d)
            {
                if (context.Options.Dedupe == Dedupe.Skip)
                {
                    row.Error = new InputException(d.Column, $"duplicate of {kind.RecordName} {d.Record.Id} (same {d.Column.Replace('_', ' ')}); use --dedupe merge to update it or --dedupe create to add it anyway");
                    return;
                }
                target = d.Record;
                merge = true;
            }
        }
        try
        {
            if (target is null)
            {
                kind.Finish(row.Draft, row, context);
                created.Add(row.Draft);
                counts.Created++;
                Register(kind, row.Draft, registry);
                return;
            }
            // An update by id replaces every column the file has (a blank cell clears); a merge fills only non-blank cells.
            foreach (var column in inFile)
                if (!merge || row.Filled.Contains(column.Name))
                    foreach (var field in column.Fields) Copy(row.Draft, target, field);
            kind.Finish(target, row, context);
            counts.Updated++;
            Register(kind, target, registry);
        }
        catch (InputException e)
        {
            row.Error = e;
            if (target is not null)
            {
                // Nothing of a rejected row may be saved: put the tracked record back as it was loaded.
                var entry = db.Entry(target);
                entry.CurrentValues.SetValues(entry.OriginalValues);
            }
        }
    }

    private static (string Column, T Record)? FindDuplicate<T>(RecordCsv<T> kind, RevLoopDb db, T draft, Dictionary<(string, string), T> registry)
        where T : class, ITrackedRecord, IOwnedRecord, new()
    {
        foreach (var key in kind.Keys(draft))
        {
            if (registry.TryGetValue(key, out var inBatch)) return (key.Column, inBatch);
        }
        return null;
    }

    private static void Register<T>(RecordCsv<T> kind, T record, Dictionary<(string, string), T> registry) where T : class, ITrackedRecord, IOwnedRecord, new()
    {
        foreach (var key in kind.Keys(record)) registry.TryAdd(key, record);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, string), PropertyInfo> Properties = new();

    private static void Copy<T>(T from, T to, string field)
    {
        var p = Properties.GetOrAdd((typeof(T), field), k => k.Item1.GetProperty(k.Item2) ?? throw new InvalidOperationException($"{k.Item1.Name} has no property {k.Item2}"));
        p.SetValue(to, p.GetValue(from));
    }
}
