using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Accounts;
using RevLoop.Data;
using RevLoop.Server.Crm.Duplicates;
using RevLoop.Server.Crm.Configuration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Accounts;

public static class AccountsApi
{
    public static readonly IReadOnlyList<string> Sorts = ["name", "-name", "createdAt", "-createdAt", "updatedAt", "-updatedAt"];

    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/accounts").WithTags("Accounts").RequireAuthorization(ApiPolicies.Read);
        group.MapGet("/", List).WithName("ListAccounts");
        group.MapGet("/{id:guid}", Get).WithName("GetAccount");
        group.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write);
        group.MapPut("/{id:guid}", Replace).RequireAuthorization(ApiPolicies.Write);
        group.MapPatch("/{id:guid}", Patch).RequireAuthorization(ApiPolicies.Write).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        group.MapDelete("/{id:guid}", Delete).RequireAuthorization(ApiPolicies.Write);
        return group;
    }

    public sealed record ListQuery(string? Q, Guid? OwnerId, string? Segment, string? Region, string? Country, Guid? ParentAccountId, string? Sort, string? Cursor, int? PageSize);

    /// <param name="tag">Only accounts with this tag (normalised like tags are).</param>
    public static async Task<Ok<Page<AccountDto>>> List([AsParameters] ListQuery query, string? tag, RevLoopDb db, HttpRequest request, CancellationToken ct)
        => TypedResults.Ok(await Query(db, query, await TagsAndCustomFields.FilterAsync(db, db.Accounts.AsNoTracking(), "account", tag, request.Query, ct), ct));

    /// <summary>Keyset paging on (sort key, id): page N costs the same as page 1 at a million rows.</summary>
    public static Task<Page<AccountDto>> Query(RevLoopDb db, ListQuery query, CancellationToken ct) => Query(db, query, null, ct);

    /// <param name="source">A narrower starting set (the web UI's created-date filter); null means every visible account.</param>
    public static async Task<Page<AccountDto>> Query(RevLoopDb db, ListQuery query, IQueryable<Account>? source, CancellationToken ct)
    {
        var size = Paging.Size(query.PageSize);
        var sort = query.Sort ?? "name";
        if (!Sorts.Contains(sort)) throw new InputException("sort", $"must be one of {string.Join(", ", Sorts)}");
        IQueryable<Account> q = source ?? db.Accounts.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Q))
        {
            var term = query.Q.Trim();
            q = q.Where(a => a.Name.StartsWith(term) || a.Domain == term.ToLower());
        }
        if (query.OwnerId is { } owner) q = q.Where(a => a.OwnerId == owner);
        if (query.Segment is { } segment) q = q.Where(a => a.Segment == segment);
        if (query.Region is { } region) q = q.Where(a => a.Region == region);
        if (query.Country is { } country) q = q.Where(a => a.Country == country.ToUpperInvariant());
        if (query.ParentAccountId is { } parent) q = q.Where(a => a.ParentAccountId == parent);

        var descending = sort.StartsWith('-');
        var key = sort.TrimStart('-');
        if (query.Cursor is { } cursor)
        {
            var parts = Paging.DecodeCursor(cursor, 3);
            if (parts[0] != sort || !Guid.TryParse(parts[2], out var lastId)) throw new InputException("cursor", "belongs to another sort order");
            // The leading "key >= last" (or <=) is implied by the OR after it, but it is what lets SQLite and PostgreSQL
            // seek the (key, id) index to the cursor; without it both scan the index from the start and filter.
            if (key == "name")
            {
                var last = parts[1] ?? "";
                q = descending
                    ? q.Where(a => string.Compare(a.Name, last) <= 0 && (string.Compare(a.Name, last) < 0 || (a.Name == last && a.Id.CompareTo(lastId) < 0)))
                    : q.Where(a => string.Compare(a.Name, last) >= 0 && (string.Compare(a.Name, last) > 0 || (a.Name == last && a.Id.CompareTo(lastId) > 0)));
            }
            else
            {
                var last = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[1]!, System.Globalization.CultureInfo.InvariantCulture));
                q = (key, descending) switch
                {
                    ("createdAt", false) => q.Where(a => a.CreatedAt >= last && (a.CreatedAt > last || (a.CreatedAt == last && a.Id.CompareTo(lastId) > 0))),
                    ("createdAt", true) => q.Where(a => a.CreatedAt <= last && (a.CreatedAt < last || (a.CreatedAt == last && a.Id.CompareTo(lastId) < 0))),
                    ("updatedAt", false) => q.Where(a => a.UpdatedAt >= last && (a.UpdatedAt > last || (a.UpdatedAt == last && a.Id.CompareTo(lastId) > 0))),
                    _ => q.Where(a => a.UpdatedAt <= last && (a.UpdatedAt < last || (a.UpdatedAt == last && a.Id.CompareTo(lastId) < 0))),
                };
            }
        }
        q = (key, descending) switch
        {
            ("name", false) => q.OrderBy(a => a.Name).ThenBy(a => a.Id),
            ("name", true) => q.OrderByDescending(a => a.Name).ThenByDescending(a => a.Id),
            ("createdAt", false) => q.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id),
            ("createdAt", true) => q.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
            ("updatedAt", false) => q.OrderBy(a => a.UpdatedAt).ThenBy(a => a.Id),
            _ => q.OrderByDescending(a => a.UpdatedAt).ThenByDescending(a => a.Id),
        };
        var rows = await q.Take(size + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > size)
        {
            rows.RemoveAt(size);
            var last = rows[^1];
            next = Paging.EncodeCursor(sort, key switch
            {
                "name" => last.Name,
                "createdAt" => last.CreatedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => last.UpdatedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, last.Id.ToString());
        }
        return new Page<AccountDto>(rows.Select(AccountDto.From).ToList(), next, size);
    }

    public static Task<Results<Ok<AccountDto>, NotFound>> Get(Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct) =>
        RecordEndpoints.GetAsync(db.Accounts, id, AccountDto.From, response, ct);

    public static async Task<Results<Created<AccountCreatedDto>, ProblemHttpResult>> Create(AccountInput input, string? onDuplicate, RevLoopDb db, Viewer viewer,
        HttpResponse response, CancellationToken ct)
    {
        var reject = DuplicatePolicy.Rejects(onDuplicate);
        var normalised = AccountRules.Normalise(input);
        var duplicates = await DuplicateFinder.ForAccountAsync(db, Guid.Empty, RevLoop.Crm.CompanyNames.Normalise(normalised.Name), normalised.Domain, ct);
        if (reject && duplicates.Count > 0) return DuplicatePolicy.Conflict("account", duplicates);
        var account = await AccountCommands.CreateAsync(db, viewer, input, ct);
        response.Headers.ETag = ETags.For(account.Version);
        return TypedResults.Created($"/api/v1/accounts/{account.Id}", new AccountCreatedDto(AccountDto.From(account), duplicates));
    }

    public static async Task<Results<Ok<AccountDto>, NotFound, ProblemHttpResult>> Replace(Guid id, AccountInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct)
        => await Update(id, db, request, response, _ => input, ct);

    public static async Task<Results<Ok<AccountDto>, NotFound, ProblemHttpResult>> Patch(Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct)
        => await Update(id, db, request, response, current => AccountRules.Merge(current, patch), ct);

    private static Task<Results<Ok<AccountDto>, NotFound, ProblemHttpResult>> Update(Guid id, RevLoopDb db, HttpRequest request, HttpResponse response, Func<Account, AccountInput> change, CancellationToken ct) =>
        RecordEndpoints.UpdateAsync(db, db.Accounts, id, request, response, account => AccountCommands.UpdateAsync(db, account, change(account), ct), AccountDto.From, ct);

    public static Task<Results<NoContent, NotFound, ProblemHttpResult>> Delete(Guid id, RevLoopDb db, HttpRequest request, CancellationToken ct) =>
        RecordEndpoints.DeleteAsync(db, db.Accounts, id, request, ct);
}

/// <summary>Create and update as every door (API, UI, import) does them: normalise, check references, save once.</summary>
public static class AccountCommands
{
    public static async Task<Account> CreateAsync(RevLoopDb db, Viewer viewer, AccountInput input, CancellationToken ct)
    {
        input = AccountRules.Normalise(input);
        if (input.OwnerId is null && viewer.UserId is { } me && me != Guid.Empty) input = input with { OwnerId = me };
        await AccountRules.CheckReferencesAsync(db, null, input, ct);
        var account = new Account();
        await TagsAndCustomFields.ApplyAsync(db, account, "account", input.Tags, input.CustomFields, ct);
        AccountRules.Apply(account, input, (await SettingsApi.LoadAsync(db, ct)).Bands);
        await new Ownership(db).AssignAsync(account, input.OwnerId, ct);
        db.Accounts.Add(account);
        await db.SaveChangesAsync(ct);
        return account;
    }

    public static async Task UpdateAsync(RevLoopDb db, Account account, AccountInput input, CancellationToken ct)
    {
        input = AccountRules.Normalise(input);
        await AccountRules.CheckReferencesAsync(db, account.Id, input, ct);
        var owner = account.OwnerId;
        await TagsAndCustomFields.ApplyAsync(db, account, "account", input.Tags, input.CustomFields, ct);
        AccountRules.Apply(account, input, (await SettingsApi.LoadAsync(db, ct)).Bands);
        if (owner != input.OwnerId || account.OwnerTeamId is null) await new Ownership(db).AssignAsync(account, input.OwnerId, ct);
        await db.SaveChangesAsync(ct);
    }
}
