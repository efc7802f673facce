using System.Globalization;
using RevLoop.Platform;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Accounts;

public static class AccountCsvColumns
{
    public static readonly string[] All = ["id", "name", "domain", "industry", "employees", "segment", "region", "country", "parent_account_id", "owner_email"];
}

public sealed record ImportResult(long Read, long Created, long Updated, long Rejected, bool RolledBack, string RejectPath)
{
    public string Summary => RolledBack
        ? $"Imported nothing: {Rejected} of {Read} rows are bad (--all-or-nothing); see {RejectPath}"
        : $"Read {Read} rows: {Created} created, {Updated} updated, {Rejected} rejected" + (Rejected > 0 ? $" (see {RejectPath})" : "");
}

/// <summary>
/// Streams a CSV of accounts into the database in batches (constant memory). Bad rows go to the reject file with their
/// line number and reason; with all-or-nothing, one transaction covers the file and any bad row rolls it all back.
/// </summary>
public static class AccountImport
{
    private const int BatchSize = 1000;

    public static async Task<ImportResult> RunAsync(RevLoopDb db, string path, string rejectPath, bool allOrNothing, IProgress<long>? progress, CancellationToken ct)
    {
        var (autoDetect, bulk) = (db.ChangeTracker.AutoDetectChangesEnabled, db.WriteHistoryInBulk);
        try
        {
            return await ImportAsync(db, path, rejectPath, allOrNothing, progress, ct);
        }
        finally
        {
            // The context may live on (a request scope): leave it as it was.
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
            db.WriteHistoryInBulk = bulk;
        }
    }

    private static async Task<ImportResult> ImportAsync(RevLoopDb db, string path, string rejectPath, bool allOrNothing, IProgress<long>? progress, CancellationToken ct)
    {
        await using var input = File.OpenRead(path);
        using var reader = new StreamReader(input);
        var csv = new CsvRecords(reader);
        var fields = new List<string>();
        var (header, index) = CsvImport.ReadHeader(csv, fields, AccountCsvColumns.All, ["name"]);

        var owners = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail != null).ToDictionaryAsync(u => u.NormalizedEmail!, u => (u.Id, u.TeamId), ct);
        var ownerTeams = owners.Values.ToDictionary(o => o.Id, o => o.TeamId);
        var bands = (await SettingsApi.LoadAsync(db, ct)).Bands;
        // Bulk mode: one DetectChanges per batch (the history interceptor's) instead of one per save call, and history
        // rows and outbox events appended with prepared multi-row INSERTs in the batch's transaction. Same rows as ever.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.WriteHistoryInBulk = true;
        await using var transaction = allOrNothing ? await db.Database.BeginTransactionAsync(ct) : null;
        await using var rejects = new StreamWriter(rejectPath, false);
        await rejects.WriteLineAsync("line,field,reason," + string.Join(",", header));
        long read = 0, created = 0, updated = 0, rejected = 0;
        var batch = new List<(long Line, string[] Raw, AccountInput Input, Guid? Id)>(BatchSize);
        var idLines = new Dictionary<Guid, long>(); // one row per account: a repeated id is a bad row, not a crash

        while (Read())
        {
            if (fields.Count == 1 && fields[0].Length == 0) continue;
            read++;
            var line = csv.Line;
            var columns = fields.Count;
            var raw = Enumerable.Range(0, header.Length).Select(i => i < fields.Count ? fields[i] : "").ToArray();
            string? Field(string name) => index.TryGetValue(name, out var i) && !string.IsNullOrWhiteSpace(raw[i]) ? raw[i].Trim() : null;
            try
            {
                if (columns != header.Length) throw new InputException("row", $"has {columns} columns, the header has {header.Length}");
                Guid? id = Field("id") is { } idText ? Guid.TryParse(idText, out var g) ? g : throw new InputException("id", $"'{idText}' is not a UUID") : null;
                int? employees = Field("employees") is { } e ? int.TryParse(e, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new InputException("employees", $"'{e}' is not a whole number") : null;
                Guid? parent = Field("parent_account_id") is { } p ? Guid.TryParse(p, out var pg) ? pg : throw new InputException("parent_account_id", $"'{p}' is not a UUID") : null;
                Guid? owner = null;
                if (Field("owner_email") is { } mail)
                    owner = owners.TryGetValue(mail.ToUpperInvariant(), out var o) ? o.Id : throw new InputException("owner_email", $"no user has email {mail}");
                var accountInput = AccountRules.Normalise(new AccountInput(Field("name"), Field("domain"), Field("industry"), employees, Field("segment"), Field("region"), Field("country"), parent, owner));
                if (id is { } rowId && !idLines.TryAdd(rowId, line)) throw new InputException("id", $"line {idLines[rowId]} already has id {rowId}; one row per account");
                batch.Add((line, raw, accountInput, id));
            }
            catch (InputException ex)
            {
                rejected++;
                await WriteReject(rejects, line, ex, raw);
            }
            if (batch.Count >= BatchSize) (created, updated, rejected) = Add(await Flush(), (created, updated, rejected));
            progress?.Report(read);
        }
        (created, updated, rejected) = Add(await Flush(), (created, updated, rejected));

        return await CsvImport.FinishAsync(transaction, read, created, updated, rejected, rejectPath, ct);

        bool Read() => CsvImport.ReadRow(csv, fields);

        async Task<(long, long, long)> Flush()
        {
            if (batch.Count == 0) return (0, 0, 0);
            long c = 0, u = 0, r = 0;
            var ids = batch.Where(b => b.Id is not null).Select(b => b.Id!.Value).ToList();
            var existing = ids.Count == 0 ? [] : await db.Accounts.IgnoreQueryFilters().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
            var parents = batch.Where(b => b.Input.ParentAccountId is not null).Select(b => b.Input.ParentAccountId!.Value).Distinct().ToList();
            var knownParents = parents.Count == 0 ? [] : (await db.Accounts.Where(a => parents.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
            var inBatch = batch.Where(b => b.Id is not null).Select(b => b.Id!.Value).ToHashSet();
            foreach (var row in batch)
            {
                try
                {
                    if (row.Input.ParentAccountId is { } pid && !knownParents.Contains(pid) && !inBatch.Contains(pid))
                        throw new InputException("parent_account_id", $"no account has id {pid}");
                    if (row.Input.ParentAccountId == row.Id && row.Id is not null) throw new InputException("parent_account_id", "an account cannot be its own parent");
                    Account account;
                    if (row.Id is { } id && existing.TryGetValue(id, out var found))
                    {
                        if (found.DeletedAt is not null) throw new InputException("id", $"account {id} was deleted; restore it before importing into it");
                        account = found; u++;
                    }
                    else
                    {
                        account = new Account { Id = row.Id ?? Guid.CreateVersion7() };
                        db.Accounts.Add(account); c++;
                    }
                    AccountRules.Apply(account, row.Input, bands);
                    account.OwnerTeamId = row.Input.OwnerId is { } o ? ownerTeams[o] : null;
                }
                catch (InputException ex)
                {
                    r++;
                    await WriteReject(rejects, row.Line, ex, row.Raw);
                }
            }
            // Each batch commits on its own (with its history) unless the whole file is one all-or-nothing transaction.
            await using (var batchTransaction = transaction is null ? await db.Database.BeginTransactionAsync(ct) : null)
            {
                await db.SaveChangesAsync(ct);
                if (batchTransaction is not null) await batchTransaction.CommitAsync(ct);
            }
            db.ChangeTracker.Clear();
            batch.Clear();
            return (c, u, r);
        }
    }

    private static (long, long, long) Add((long, long, long) a, (long, long, long) b) => (a.Item1 + b.Item1, a.Item2 + b.Item2, a.Item3 + b.Item3);

    private static Task WriteReject(StreamWriter w, long line, InputException ex, string[] raw) =>
        w.WriteLineAsync(string.Join(",", new[] { line.ToString(CultureInfo.InvariantCulture), ex.Field, ex.Reason }.Concat(raw).Select(CsvRecords.Quote)));

}

public static class AccountExport
{
    /// <summary>Streams every visible account in id order, in pages, as CSV with the import's columns.</summary>
    public static async Task<long> WriteAsync(RevLoopDb db, Stream output, CancellationToken ct)
    {
        var emails = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Email ?? "", ct);
        await using var w = new StreamWriter(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await w.WriteLineAsync(string.Join(",", AccountCsvColumns.All));
        long n = 0;
        Guid? after = null;
        while (true)
        {
            var q = db.Accounts.AsNoTracking();
            if (after is { } a) q = q.Where(x => x.Id.CompareTo(a) > 0);
            var page = await q.OrderBy(x => x.Id).Take(5000).ToListAsync(ct);
            if (page.Count == 0) break;
            foreach (var x in page)
            {
                await w.WriteLineAsync(string.Join(",", new[]
                {
                    x.Id.ToString(), x.Name, x.Domain, x.Industry, x.Employees?.ToString(CultureInfo.InvariantCulture), x.Segment, x.Region, x.Country,
                    x.ParentAccountId?.ToString(), x.OwnerId is { } o && emails.TryGetValue(o, out var e) ? e : null,
                }.Select(CsvRecords.Quote)));
                n++;
            }
            after = page[^1].Id;
        }
        return n;
    }
}
