using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Server.Crm;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing.Abm;

public sealed record TargetListDto(Guid Id, string Name, Guid? OwnerId, Guid? CampaignId, string? Description, int Accounts, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TargetListDto From(TargetAccountList l, int accounts) =>
        new(l.Id, l.Name, l.OwnerId, l.CampaignId, l.Description, accounts, l.Version, l.CreatedAt, l.UpdatedAt);
}

public sealed record TargetListInput(string? Name, Guid? OwnerId = null, Guid? CampaignId = null, string? Description = null)
{
    public static TargetListInput From(TargetAccountList l) => new(l.Name, l.OwnerId, l.CampaignId, l.Description);
}

/// <summary>
/// Target account lists (ABM): CRUD here, member accounts in <see cref="TargetListAccountsApi"/>, engagement in
/// <see cref="AbmEngagement"/>. A list is seen by everyone; its accounts are counted and shown as the viewer may see them.
/// </summary>
public static class TargetListsApi
{
    public static void MapTargetListsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/target-lists").WithTags("Target account lists").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", List);
        g.MapGet("/{id:guid}", Get);
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write);
        g.MapPut("/{id:guid}", (Guid id, TargetListInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            UpdateAsync(id, _ => input, db, request, response, ct)).RequireAuthorization(ApiPolicies.Write);
        g.MapPatch("/{id:guid}", (Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            UpdateAsync(id, l => MergePatch.Apply(TargetListInput.From(l), patch, "target list"), db, request, response, ct))
            .RequireAuthorization(ApiPolicies.Write).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        g.MapDelete("/{id:guid}", (Guid id, RevLoopDb db, HttpRequest request, CancellationToken ct) => RecordEndpoints.DeleteAsync(db, db.TargetAccountLists, id, request, ct))
            .RequireAuthorization(ApiPolicies.Write);
        HistoryApi.Register("target-lists", "target_account_list", (db, id, ct) => db.TargetAccountLists.AnyAsync(l => l.Id == id, ct));
        TargetListAccountsApi.Map(g);
        g.MapGet("/{id:guid}/engagement", AbmEngagement.Get);
        g.MapGet("/{id:guid}/engagement/{accountId:guid}", AbmEngagement.GetAccount);
    }

    public static async Task<Ok<Page<TargetListDto>>> List(string? q, Guid? campaignId, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        var query = db.TargetAccountLists.AsQueryable();
        if (campaignId is { } c) query = query.Where(l => l.CampaignId == c);
        if (!string.IsNullOrWhiteSpace(q)) { var prefix = q.Trim(); query = query.Where(l => l.Name.StartsWith(prefix)); }
        var page = await RecordEndpoints.PageByIdAsync(query, cursor, pageSize, l => l, ct);
        var counts = await CountsAsync(db, page.Items.Select(l => l.Id).ToList(), ct);
        return TypedResults.Ok(new Page<TargetListDto>(page.Items.Select(l => TargetListDto.From(l, counts.GetValueOrDefault(l.Id))).ToList(), page.NextCursor, page.PageSize));
    }

    /// <summary>The member accounts of a page of lists that the viewer may see, in one grouped query.</summary>
    public static async Task<Dictionary<Guid, int>> CountsAsync(RevLoopDb db, List<Guid> ids, CancellationToken ct) =>
        await db.TargetListAccounts.Where(m => ids.Contains(m.ListId)).Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => m.ListId)
            .GroupBy(l => l).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

    public static async Task<TargetListDto?> FindAsync(RevLoopDb db, Guid id, CancellationToken ct)
    {
        var l = await db.TargetAccountLists.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        return l is null ? null : TargetListDto.From(l, (await CountsAsync(db, [id], ct)).GetValueOrDefault(id));
    }

    /// <summary>A list by id or by its exact name (the CLI's --list); an unknown one is an input error of <paramref name="field"/>.</summary>
    public static async Task<TargetAccountList> ResolveAsync(RevLoopDb db, string nameOrId, string field, CancellationToken ct)
    {
        var text = nameOrId.Trim();
        var list = Guid.TryParse(text, out var id)
            ? await db.TargetAccountLists.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct)
            : await db.TargetAccountLists.AsNoTracking().FirstOrDefaultAsync(l => l.Name == text, ct);
        return list ?? throw new InputException(field, $"no target account list is named or has the id '{text}'");
    }

    public static async Task<Results<Ok<TargetListDto>, NotFound>> Get(Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var dto = await FindAsync(db, id, ct);
        if (dto is null) return TypedResults.NotFound();
        response.Headers.ETag = ETags.For(dto.Version);
        return TypedResults.Ok(dto);
    }

    public static async Task<Created<TargetListDto>> Create(TargetListInput input, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var l = new TargetAccountList();
        // The person who makes a list owns it unless they name someone else.
        await TargetListRules.ApplyAsync(db, l, input with { OwnerId = input.OwnerId ?? db.Viewer.UserId }, ct);
        db.TargetAccountLists.Add(l);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(l.Version);
        return TypedResults.Created($"/api/v1/target-lists/{l.Id}", TargetListDto.From(l, 0));
    }

    private static async Task<Results<Ok<TargetListDto>, NotFound, ProblemHttpResult>> UpdateAsync(Guid id, Func<TargetAccountList, TargetListInput> input, RevLoopDb db,
        HttpRequest request, HttpResponse response, CancellationToken ct)
    {
        var result = await RecordEndpoints.UpdateAsync(db, db.TargetAccountLists, id, request, response, l => TargetListRules.ApplyAsync(db, l, input(l), ct), l => l, ct);
        if (result.Result is not Ok<TargetAccountList> ok) return result.Result switch { NotFound nf => nf, ProblemHttpResult p => p, _ => throw new InvalidOperationException() };
        return TypedResults.Ok(TargetListDto.From(ok.Value!, (await CountsAsync(db, [id], ct)).GetValueOrDefault(id)));
    }
}

public static class TargetListRules
{
    public static async Task ApplyAsync(RevLoopDb db, TargetAccountList l, TargetListInput i, CancellationToken ct)
    {
        var name = PersonRules.Optional("name", i.Name, 200) ?? throw new InputException("name", "is required");
        // Names are unique so people (and `revloop abm --list NAME`) can tell lists apart.
        if (await db.TargetAccountLists.AnyAsync(x => x.Name == name && x.Id != l.Id, ct)) throw new InputException("name", $"another target account list is named '{name}'");
        l.Name = name;
        if (i.OwnerId is { } o && !await db.Users.AnyAsync(u => u.Id == o, ct)) throw new InputException("ownerId", $"no user has id {o}");
        l.OwnerId = i.OwnerId;
        if (i.CampaignId is { } c && !await db.Campaigns.AnyAsync(x => x.Id == c, ct)) throw new InputException("campaignId", $"no campaign has id {c}");
        l.CampaignId = i.CampaignId;
        l.Description = PersonRules.Optional("description", i.Description, 4000);
    }
}

public sealed record TargetAccountDto(long Id, Guid AccountId, string Name, string? Domain, string? Segment, Guid? OwnerId, DateTimeOffset AddedAt);
public sealed record TargetAccountsInput(IReadOnlyList<Guid>? AccountIds = null, Guid? AccountId = null);
public sealed record TargetAccountsAdded(int Added, int AlreadyOnList, IReadOnlyList<Guid> AccountIds);
public sealed record MatchedRow(int Line, string Value, Guid AccountId, string Account, string MatchedBy, bool Added);
public sealed record UnmatchedRow(int Line, string? Domain, string? Name);
public sealed record TargetAccountsMatched(int Rows, int Added, int AlreadyOnList, IReadOnlyList<MatchedRow> Matched, IReadOnlyList<UnmatchedRow> Unmatched);

/// <summary>
/// The accounts on a list: paged (as the viewer may see them), added by id or by a CSV of domains and company names that
/// is matched like an incoming lead (normalised domain first, then normalised name; the oldest account wins), removed.
/// </summary>
public static class TargetListAccountsApi
{
    public const int MaxBatch = 10_000;
    private static readonly string[] DomainColumns = ["domain", "website", "url"];
    private static readonly string[] NameColumns = ["name", "company", "account"];

    public static void Map(RouteGroupBuilder lists)
    {
        lists.MapGet("/{id:guid}/accounts", List);
        lists.MapPost("/{id:guid}/accounts", Add).RequireAuthorization(ApiPolicies.Write);
        lists.MapPost("/{id:guid}/accounts/csv", AddCsv).RequireAuthorization(ApiPolicies.Write).Accepts<string>("text/csv", "text/plain");
        lists.MapDelete("/{id:guid}/accounts/{accountId:guid}", Remove).RequireAuthorization(ApiPolicies.Write);
    }

    public static async Task<Results<Ok<Page<TargetAccountDto>>, NotFound>> List(Guid id, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.TargetAccountLists.AnyAsync(l => l.Id == id, ct)) return TypedResults.NotFound();
        var size = Paging.Size(pageSize);
        var q = db.TargetListAccounts.AsNoTracking().Where(m => m.ListId == id);
        if (cursor is not null)
        {
            var after = long.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var n) ? n : throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(m => m.Id > after);
        }
        // Accounts the viewer may not see are left out by the join with the filtered accounts.
        var rows = await q.Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { m.Id, m.AccountId, a.Name, a.Domain, a.Segment, a.OwnerId, m.AddedAt })
            .OrderBy(x => x.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Id.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<TargetAccountDto>(rows.Take(size).Select(r => new TargetAccountDto(r.Id, r.AccountId, r.Name, r.Domain, r.Segment, r.OwnerId, r.AddedAt)).ToList(),
            next, size));
    }

    public static async Task<Results<Ok<TargetAccountsAdded>, NotFound>> Add(Guid id, TargetAccountsInput input, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.TargetAccountLists.AnyAsync(l => l.Id == id, ct)) return TypedResults.NotFound();
        var ids = (input.AccountIds ?? []).Concat(input.AccountId is { } one ? [one] : []).Distinct().ToList();
        if (ids.Count == 0) throw new InputException("accountIds", "give the accounts to add: accountIds (or accountId)");
        if (ids.Count > MaxBatch) throw new InputException("accountIds", $"has {ids.Count} accounts; add at most {MaxBatch} per request");
        // Only accounts the caller may see can be added; one unknown id refuses the whole request.
        var known = (await db.Accounts.Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        var unknown = ids.Where(x => !known.Contains(x)).ToList();
        if (unknown.Count > 0)
            throw new InputException("accountIds", $"no account has the id{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? $" (and {unknown.Count - 5} more)" : "")}");
        var (added, already) = await AddMembersAsync(db, id, ids, ct);
        return TypedResults.Ok(new TargetAccountsAdded(added.Count, already, added));
    }

    /// <summary>Adds the accounts not yet on the list (in the given order); returns the added ids and how many were there already.</summary>
    public static async Task<(List<Guid> Added, int Already)> AddMembersAsync(RevLoopDb db, Guid listId, IReadOnlyList<Guid> accountIds, CancellationToken ct)
    {
        var existing = (await db.TargetListAccounts.Where(m => m.ListId == listId && accountIds.Contains(m.AccountId)).Select(m => m.AccountId).ToListAsync(ct)).ToHashSet();
        var now = db.Clock.GetUtcNow();
        var added = accountIds.Distinct().Where(a => !existing.Contains(a)).ToList();
        db.TargetListAccounts.AddRange(added.Select(a => new TargetListAccount { ListId = listId, AccountId = a, AddedAt = now }));
        await db.SaveChangesAsync(ct);
        return (added, accountIds.Distinct().Count() - added.Count);
    }

    /// <summary>The CSV as the request body (text/csv or text/plain).</summary>
    public static async Task<Results<Ok<TargetAccountsMatched>, NotFound>> AddCsv(Guid id, HttpRequest request, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.TargetAccountLists.AnyAsync(l => l.Id == id, ct)) return TypedResults.NotFound();
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        return TypedResults.Ok(await AddMatchedAsync(db, id, text, ct));
    }

    /// <summary>
    /// Matches each row to an account and adds the matches. The text is a CSV with a header naming a domain column
    /// (domain, website, url) and/or a name column (name, company, account), or simply one domain, email or company name
    /// per line. Unmatched rows are listed with their line, not refused: the list gets what could be matched.
    /// </summary>
    public static async Task<TargetAccountsMatched> AddMatchedAsync(RevLoopDb db, Guid listId, string text, CancellationToken ct)
    {
        var rows = ParseRows(text);
        var matches = await MatchAsync(db, rows, ct);
        var ids = matches.Values.Select(m => m.Id).Distinct().ToList();
        var (added, already) = await AddMembersAsync(db, listId, ids, ct);
        var addedSet = added.ToHashSet();
        var matched = new List<MatchedRow>();
        var unmatched = new List<UnmatchedRow>();
        foreach (var r in rows)
        {
            if (matches.TryGetValue(r.Line, out var m)) matched.Add(new MatchedRow(r.Line, r.Domain ?? r.Name ?? "", m.Id, m.Name, m.By, addedSet.Remove(m.Id)));
            else unmatched.Add(new UnmatchedRow(r.Line, r.Domain, r.Name));
        }
        return new TargetAccountsMatched(rows.Count, added.Count, already, matched, unmatched);
    }

    public sealed record Row(int Line, string? Domain, string? Name);

    public static List<Row> ParseRows(string text)
    {
        var csv = new RevLoop.Platform.CsvRecords(new StringReader(text));
        var fields = new List<string>();
        var rows = new List<Row>();
        int? domainAt = null, nameAt = null;
        var first = true;
        while (CsvImport.ReadRow(csv, fields))
        {
            var line = (int)csv.Line;
            if (fields.All(string.IsNullOrWhiteSpace)) { first = false; continue; }
            if (first)
            {
                first = false;
                var header = fields.Select(h => h.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToList();
                domainAt = header.FindIndex(h => DomainColumns.Contains(h)) is var d and >= 0 ? d : null;
                nameAt = header.FindIndex(h => NameColumns.Contains(h)) is var n and >= 0 ? n : null;
                if (domainAt is not null || nameAt is not null) continue;
            }
            string? At(int? i) => i is { } x && x < fields.Count && !string.IsNullOrWhiteSpace(fields[x]) ? fields[x].Trim() : null;
            if (domainAt is not null || nameAt is not null) rows.Add(new Row(line, At(domainAt), At(nameAt)));
            else
            {
                // No header: one value per line; a domain has a dot and no spaces, an email gives its company domain.
                var value = fields[0].Trim();
                if (value.Contains('@')) rows.Add(new Row(line, RevLoop.Crm.CompanyNames.DomainOfEmail(value) ?? value, null));
                else if (value.Contains('.') && !value.Contains(' ')) rows.Add(new Row(line, value, null));
                else rows.Add(new Row(line, null, value));
            }
            if (rows.Count > MaxBatch) throw new InputException("csv", $"has more than {MaxBatch} rows; add at most {MaxBatch} at a time");
        }
        if (rows.Count == 0) throw new InputException("csv", "has no domains or company names (one per line, or a CSV with a domain and/or name column)");
        return rows;
    }

    /// <summary>
    /// The same rule as an incoming lead's enterprise-directory match (LeadsApi.MatchAccountsAsync): the normalised domain,
    /// else the normalised company name; among several accounts the oldest. Two queries for any number of rows.
    /// </summary>
    public static async Task<Dictionary<int, (Guid Id, string Name, string By)>> MatchAsync(RevLoopDb db, IReadOnlyList<Row> rows, CancellationToken ct)
    {
        var matches = await Crm.Leads.LeadsApi.MatchAccountsAsync(db,
            rows.Select(r => (r.Domain is null ? null : Crm.Accounts.AccountRules.NormaliseDomain(r.Domain), r.Name)).ToList(), ct);
        var result = new Dictionary<int, (Guid, string, string)>();
        for (var i = 0; i < rows.Count; i++)
            if (matches[i] is (RevLoop.Crm.Accounts.Account a, string by)) result[rows[i].Line] = (a.Id, a.Name, by);
        return result;
    }

    public static async Task<Results<NoContent, NotFound>> Remove(Guid id, Guid accountId, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.TargetAccountLists.AnyAsync(l => l.Id == id, ct)) return TypedResults.NotFound();
        var removed = await db.TargetListAccounts.Where(m => m.ListId == id && m.AccountId == accountId).ExecuteDeleteAsync(ct);
        return removed == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
