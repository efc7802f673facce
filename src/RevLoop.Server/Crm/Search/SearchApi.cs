using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Crm;

namespace RevLoop.Server.Crm.Search;

public sealed record SearchHit(Guid Id, string Name, string? Detail, string Href);
public sealed record SearchResultsDto(string Query, IReadOnlyList<SearchHit> Accounts, IReadOnlyList<SearchHit> Contacts, IReadOnlyList<SearchHit> Leads,
    IReadOnlyList<SearchHit> Opportunities)
{
    public int Count => Accounts.Count + Contacts.Count + Leads.Count + Opportunities.Count;
}

/// <summary>
/// One search box over accounts, contacts, leads and opportunities: names, emails, domains and phone numbers by prefix,
/// each on an index, at most <c>limit</c> per type, only records the caller may see (the query filter applies).
/// </summary>
public static class SearchApi
{
    public const int DefaultLimit = 5, MaxLimit = 20;

    public static void MapSearchApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/search", Search).WithTags("Search").RequireAuthorization(ApiPolicies.Read);

    public static async Task<Ok<SearchResultsDto>> Search(string? q, int? limit, RevLoopDb db, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit) throw new InputException("limit", $"must be 1 to {MaxLimit}");
        return TypedResults.Ok(await FindAsync(db, q, limit ?? DefaultLimit, ct));
    }

    public static async Task<SearchResultsDto> FindAsync(RevLoopDb db, string? q, int limit, CancellationToken ct)
    {
        var term = q?.Trim() ?? "";
        if (term.Length > 200) throw new InputException("q", "must be at most 200 characters");
        if (term.Length == 0) return new SearchResultsDto("", [], [], [], []);
        var lower = term.ToLowerInvariant();
        var phone = PhonePrefix(term);
        var names = Lists.NameVariants(term);

        // One query per type, one after another: a DbContext runs one query at a time.
        var accountMatch = new List<(Expression<Func<Account, string?>>, string)> { (a => a.Domain, lower) };
        accountMatch.AddRange(names.Select(n => ((Expression<Func<Account, string?>>)(a => a.Name), n)));
        if (CompanyNames.Normalise(term) is { } normalised) accountMatch.Add((a => a.NormalizedName, normalised));
        var accounts = await db.Accounts.AsNoTracking().Where(Prefix.Any([.. accountMatch])).OrderBy(a => a.Name).ThenBy(a => a.Id).Take(limit)
            .Select(a => new { a.Id, a.Name, a.Domain }).ToListAsync(ct);

        var contacts = await db.Contacts.AsNoTracking().Where(Person<Contact>(term, lower, phone, c => c.FirstName, c => c.LastName, c => c.NormalizedEmail, c => c.Phone))
            .OrderBy(c => c.LastName).ThenBy(c => c.FirstName).ThenBy(c => c.Id).Take(limit)
            .Select(c => new { c.Id, c.FirstName, c.LastName, c.Email }).ToListAsync(ct);

        var leads = await db.Leads.AsNoTracking().Where(Person<Lead>(term, lower, phone, l => l.FirstName, l => l.LastName, l => l.NormalizedEmail, l => l.Phone, l => l.Domain))
            .OrderBy(l => l.LastName).ThenBy(l => l.FirstName).ThenBy(l => l.Id).Take(limit)
            .Select(l => new { l.Id, l.FirstName, l.LastName, l.Email, l.Company }).ToListAsync(ct);

        var opportunities = await db.Opportunities.AsNoTracking().Where(Prefix.Any(names.Select(n => ((Expression<Func<Opportunity, string?>>)(o => o.Name), n)).ToArray()))
            .OrderBy(o => o.Name).ThenBy(o => o.Id).Take(limit)
            .Join(db.Accounts, o => o.AccountId, a => a.Id, (o, a) => new { o.Id, o.Name, Account = a.Name }).ToListAsync(ct);

        return new SearchResultsDto(term, accounts.Select(a => new SearchHit(a.Id, a.Name, a.Domain, $"/accounts/{a.Id}")).ToList(),
            contacts.Select(c => new SearchHit(c.Id, FullName(c.FirstName, c.LastName), c.Email, $"/contacts/{c.Id}")).ToList(),
            leads.Select(l => new SearchHit(l.Id, FullName(l.FirstName, l.LastName), l.Company ?? l.Email, $"/leads/{l.Id}")).ToList(),
            opportunities.Select(o => new SearchHit(o.Id, o.Name, o.Account, $"/opportunities/{o.Id}")).ToList());
    }

    public static string FullName(string first, string last) => $"{first} {last}".Trim();

    /// <summary>A person by first or last name, "first last", email, phone (and, for leads, the company's domain).</summary>
    private static Expression<Func<T, bool>> Person<T>(string term, string lower, string? phone, Expression<Func<T, string?>> first, Expression<Func<T, string?>> last,
        Expression<Func<T, string?>> email, Expression<Func<T, string?>> phoneColumn, Expression<Func<T, string?>>? domain = null)
    {
        var options = new List<(Expression<Func<T, string?>>, string)> { (email, lower) };
        foreach (var n in Lists.NameVariants(term)) { options.Add((first, n)); options.Add((last, n)); }
        if (phone is not null) options.Add((phoneColumn, phone));
        if (domain is not null) options.Add((domain, lower));
        var any = Prefix.Any([.. options]);
        var space = term.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0) return any;
        // "Ada Love": first name Ada and a last name starting with Love.
        var firstWord = term[..space];
        var rest = term[(space + 1)..].Trim();
        Expression<Func<T, bool>>? both = null;
        foreach (var f in Lists.NameVariants(firstWord))
            foreach (var l in Lists.NameVariants(rest))
            {
                var x = And(Prefix.Of(first, f), Prefix.Of(last, l));
                both = both is null ? x : Or(both, x);
            }
        return both is null ? any : Or(any, both);
    }

    /// <summary>Digits typed as a phone number, in the stored E.164 form: "+49 30" and "0049 30" both become "+4930".</summary>
    public static string? PhonePrefix(string term)
    {
        if (term.Any(c => !char.IsAsciiDigit(c) && c is not ('+' or ' ' or '-' or '.' or '(' or ')'))) return null;
        var digits = new string(term.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length < 3) return null;
        if (term.TrimStart().StartsWith("00", StringComparison.Ordinal)) digits = digits[2..];
        return "+" + digits;
    }

    private static Expression<Func<T, bool>> And<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b) => Combine(a, b, Expression.AndAlso);
    private static Expression<Func<T, bool>> Or<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b) => Combine(a, b, Expression.OrElse);

    private static Expression<Func<T, bool>> Combine<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b, Func<Expression, Expression, BinaryExpression> op)
    {
        var p = a.Parameters[0];
        var bBody = new Swap(b.Parameters[0], p).Visit(b.Body);
        return Expression.Lambda<Func<T, bool>>(op(a.Body, bBody), p);
    }

    private sealed class Swap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
