using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Server.Platform;
using RevLoop.Server.Platform.Imports;

namespace RevLoop.Server.Crm.Accounts;

/// <summary>
/// Accounts as CSV. A row with a stored id updates that account; otherwise an account with the same external id,
/// normalised domain or normalised company name is a duplicate (see --dedupe).
/// </summary>
public sealed class AccountCsv : RecordCsv<Account>
{
    public static readonly AccountCsv Instance = new();

    public override string Object => "accounts";
    public override IReadOnlyList<string> RequiredColumns => ["name"];
    public override DbSet<Account> Set(RevLoopDb db) => db.Accounts;
    public override string? ExternalIdOf(Account a) => a.ExternalId;

    public override IReadOnlyList<CsvColumn<Account>> Columns { get; } =
    [
        CsvColumn<Account>.Id("id", nameof(Account.Id), a => a.Id, (a, v) => a.Id = v!.Value),
        CsvColumn<Account>.Text("name", nameof(Account.Name), a => a.Name, (a, v) => a.Name = v ?? "", 300),
        CsvColumn<Account>.Text("domain", nameof(Account.Domain), a => a.Domain, (a, v) => a.Domain = v, 253),
        CsvColumn<Account>.Text("industry", nameof(Account.Industry), a => a.Industry, (a, v) => a.Industry = v, 100),
        CsvColumn<Account>.Int("employees", nameof(Account.Employees), a => a.Employees, (a, v) => a.Employees = v),
        CsvColumn<Account>.Text("segment", nameof(Account.Segment), a => a.Segment, (a, v) => a.Segment = v, 20),
        CsvColumn<Account>.Text("region", nameof(Account.Region), a => a.Region, (a, v) => a.Region = v, 60),
        CsvColumn<Account>.Text("country", nameof(Account.Country), a => a.Country, (a, v) => a.Country = v, 60),
        CsvColumn<Account>.Id("parent_account_id", nameof(Account.ParentAccountId), a => a.ParentAccountId, (a, v) => a.ParentAccountId = v),
        OwnerEmail(),
        CsvColumn<Account>.Text("external_id", nameof(Account.ExternalId), a => a.ExternalId, (a, v) => a.ExternalId = v, 100),
        TagsColumn(),
        CustomFieldsColumn(),
        CsvColumn<Account>.Deferred("parent_account_external_id", null, nameof(Account.ParentAccountId)),
    ];

    public override void Check(ImportRow<Account> row, ImportContext context)
    {
        var a = row.Draft;
        var input = AccountRules.Normalise(new AccountInput(a.Name, a.Domain, a.Industry, a.Employees, a.Segment, a.Region, a.Country, a.ParentAccountId));
        (a.Name, a.Domain, a.Country) = (input.Name!, input.Domain, input.Country);
        (a.Segment, a.SegmentExplicit) = context.Bands.Resolve(a.Employees, input.Segment);
        a.NormalizedName = CompanyNames.Normalise(a.Name);
    }

    public override async Task ResolveAsync(ImportContext context, IReadOnlyList<ImportRow<Account>> rows, CancellationToken ct)
    {
        foreach (var row in rows) ResolveOwner(context, row);
        // Parents: a stored account, or one created earlier in the same batch.
        var inBatch = rows.Where(r => r.Error is null).Select(r => r.Draft.Id).ToHashSet();
        var parentIds = rows.Where(r => r.Error is null && r.Filled.Contains("parent_account_id")).Select(r => r.Draft.ParentAccountId!.Value).Distinct().ToList();
        var known = parentIds.Count == 0 ? [] : (await context.Db.Accounts.Where(a => parentIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        var externals = rows.Where(r => r.Error is null).Select(r => r.Cell("parent_account_external_id")).OfType<string>().Distinct().ToList();
        var byExternal = await AccountReferences.ByExternalIdAsync(context.Db, externals, ct);
        foreach (var r in rows.Where(r => r.Error is null && r.Draft.ExternalId is not null)) byExternal.TryAdd(r.Draft.ExternalId!, r.Draft.Id);
        foreach (var row in rows)
        {
            if (row.Draft.ParentAccountId is { } pid && row.Filled.Contains("parent_account_id") && !known.Contains(pid) && !inBatch.Contains(pid))
                row.Try(() => throw new InputException("parent_account_id", $"no account has id {pid}"));
            if (row.Cell("parent_account_external_id") is { } ext)
                row.Try(() => row.Draft.ParentAccountId = byExternal.TryGetValue(ext, out var p) ? p : throw new InputException("parent_account_external_id", $"no account has external id {ext}"));
        }
    }

    public override IEnumerable<(string Column, string Key)> Keys(Account a)
    {
        if (a.ExternalId is { } e) yield return ("external_id", e);
        if (a.Domain is { } d) yield return ("domain", d);
        if (a.NormalizedName is { } n) yield return ("name", n);
    }

    public override IReadOnlyList<string> LookupColumns => [nameof(Account.ExternalId), nameof(Account.Domain), nameof(Account.NormalizedName)];

    public override async Task<List<Account>> FindAsync(RevLoopDb db, IReadOnlyCollection<(string Column, string Key)> keys, CancellationToken ct)
    {
        var found = new List<Account>();
        var externals = keys.Where(k => k.Column == "external_id").Select(k => k.Key).ToList();
        var domains = keys.Where(k => k.Column == "domain").Select(k => k.Key).ToList();
        var names = keys.Where(k => k.Column == "name").Select(k => k.Key).ToList();
        if (externals.Count > 0) found.AddRange(await db.Accounts.Where(a => a.ExternalId != null && externals.Contains(a.ExternalId)).ToListAsync(ct));
        if (domains.Count > 0) found.AddRange(await db.Accounts.Where(a => a.Domain != null && domains.Contains(a.Domain)).ToListAsync(ct));
        if (names.Count > 0) found.AddRange(await db.Accounts.Where(a => a.NormalizedName != null && names.Contains(a.NormalizedName)).ToListAsync(ct));
        return found.Distinct().ToList();
    }

    public override void Finish(Account a, ImportRow<Account> row, ImportContext context)
    {
        base.Finish(a, row, context);
        a.NormalizedName = CompanyNames.Normalise(a.Name);
        if (a.ParentAccountId == a.Id) throw new InputException("parent_account_id", "an account cannot be its own parent");
    }
}

/// <summary>How contacts and opportunities name their account: by id, by external id, or by name or domain.</summary>
public static class AccountReferences
{
    public static async Task<Dictionary<string, Guid>> ByExternalIdAsync(RevLoopDb db, List<string> externals, CancellationToken ct) =>
        externals.Count == 0 ? [] : (await db.Accounts.Where(a => a.ExternalId != null && externals.Contains(a.ExternalId))
            .Select(a => new { a.ExternalId, a.Id }).ToListAsync(ct)).GroupBy(a => a.ExternalId!).ToDictionary(g => g.Key, g => g.Min(a => a.Id));

    /// <summary>
    /// Sets the account of each row from its account_id, account_external_id or account (a domain or a company name)
    /// cell, in that order, with one query per kind of reference for the whole batch; required when <paramref name="required"/>.
    /// </summary>
    public static async Task ResolveAsync<T>(RevLoopDb db, IReadOnlyList<ImportRow<T>> rows, Action<T, Guid?> set, Func<T, Guid?> get, bool required, CancellationToken ct)
    {
        var live = rows.Where(r => r.Error is null).ToList();
        var ids = live.Where(r => r.Filled.Contains("account_id")).Select(r => get(r.Draft)!.Value).Distinct().ToList();
        var knownIds = ids.Count == 0 ? [] : (await db.Accounts.Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        var externals = live.Select(r => r.Cell("account_external_id")).OfType<string>().Distinct().ToList();
        var byExternal = await ByExternalIdAsync(db, externals, ct);
        var named = live.Select(r => r.Cell("account")).OfType<string>().Distinct().ToList();
        var domains = named.Where(LooksLikeDomain).Select(AccountRules.NormaliseDomain).Distinct().ToList();
        var names = named.Where(n => !LooksLikeDomain(n)).Select(CompanyNames.Normalise).OfType<string>().Distinct().ToList();
        var byDomain = domains.Count == 0 ? [] : (await db.Accounts.Where(a => a.Domain != null && domains.Contains(a.Domain)).Select(a => new { a.Domain, a.Id }).ToListAsync(ct))
            .GroupBy(a => a.Domain!).ToDictionary(g => g.Key, g => g.Select(a => a.Id).ToList());
        var byName = names.Count == 0 ? [] : (await db.Accounts.Where(a => a.NormalizedName != null && names.Contains(a.NormalizedName)).Select(a => new { a.NormalizedName, a.Id }).ToListAsync(ct))
            .GroupBy(a => a.NormalizedName!).ToDictionary(g => g.Key, g => g.Select(a => a.Id).ToList());
        foreach (var row in live)
        {
            row.Try(() =>
            {
                if (row.Filled.Contains("account_id"))
                {
                    var id = get(row.Draft)!.Value;
                    if (!knownIds.Contains(id)) throw new InputException("account_id", $"no account has id {id}");
                }
                else if (row.Cell("account_external_id") is { } ext)
                    set(row.Draft, byExternal.TryGetValue(ext, out var a) ? a : throw new InputException("account_external_id", $"no account has external id {ext}"));
                else if (row.Cell("account") is { } text)
                {
                    var matches = LooksLikeDomain(text) ? byDomain.GetValueOrDefault(AccountRules.NormaliseDomain(text)) : byName.GetValueOrDefault(CompanyNames.Normalise(text) ?? "");
                    if (matches is null or { Count: 0 }) throw new InputException("account", $"no account has the {(LooksLikeDomain(text) ? "domain" : "name")} '{text}'");
                    if (matches.Count > 1) throw new InputException("account", $"{matches.Count} accounts match '{text}'; give account_id instead");
                    set(row.Draft, matches[0]);
                }
                else if (required) throw new InputException("account_id", "is required (or account: a name or domain, or account_external_id)");
            });
        }
    }

    private static bool LooksLikeDomain(string text) => text.Contains('.', StringComparison.Ordinal) && !text.Contains(' ', StringComparison.Ordinal);
}
