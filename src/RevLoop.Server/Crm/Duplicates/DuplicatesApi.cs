using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Crm.Contacts;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Duplicates;

/// <summary>What POST does when the new record looks like an existing one: <c>?onDuplicate=warn</c> (default) or <c>reject</c>.</summary>
public static class DuplicatePolicy
{
    public static bool Rejects(string? onDuplicate) => onDuplicate?.Trim().ToLowerInvariant() switch
    {
        null or "" or "warn" => false,
        "reject" => true,
        _ => throw new InputException("onDuplicate", "must be warn or reject"),
    };

    public static ProblemHttpResult Conflict(string type, IReadOnlyList<DuplicateDto> duplicates) =>
        TypedResults.Problem(statusCode: 409, title: $"This {type} looks like an existing record",
            detail: $"{duplicates.Count} visible record{(duplicates.Count == 1 ? "" : "s")} share{(duplicates.Count == 1 ? "s" : "")} its {string.Join(" or ", duplicates.SelectMany(d => d.MatchedOn).Select(m => m.Field).Distinct())}; nothing was created. Merge, or create it without ?onDuplicate=reject.",
            extensions: new Dictionary<string, object?> { ["duplicates"] = duplicates });
}

public static class DuplicatesApi
{
    public static void MapDuplicatesApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/v1/accounts").WithTags("Accounts").RequireAuthorization(ApiPolicies.Read);
        accounts.MapGet("/{id:guid}/duplicates", async Task<Results<Ok<Page<DuplicateDto>>, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
            await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is { } a ? Listed(await DuplicateFinder.ForAccountAsync(db, a, ct)) : TypedResults.NotFound());
        accounts.MapPost("/{id:guid}/merge", (Guid id, MergeInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            Run(() => Merge.AccountsAsync(db, id, input, ETags.Requested(request), ct), r => r.Survivor.Version, response)).RequireAuthorization(ApiPolicies.Write);

        var contacts = app.MapGroup("/api/v1/contacts").WithTags("Contacts").RequireAuthorization(ApiPolicies.Read);
        contacts.MapGet("/{id:guid}/duplicates", async Task<Results<Ok<Page<DuplicateDto>>, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
            await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is { } c ? Listed(await DuplicateFinder.ForContactAsync(db, c, ct)) : TypedResults.NotFound());
        contacts.MapPost("/{id:guid}/merge", (Guid id, MergeInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            Run(() => Merge.ContactsAsync(db, id, input, ETags.Requested(request), ct), r => r.Survivor.Version, response)).RequireAuthorization(ApiPolicies.Write);

        var leads = app.MapGroup("/api/v1/leads").WithTags("Leads").RequireAuthorization(ApiPolicies.Read);
        leads.MapGet("/{id:guid}/duplicates", async Task<Results<Ok<Page<DuplicateDto>>, NotFound>> (Guid id, RevLoopDb db, CancellationToken ct) =>
            await db.Leads.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct) is { } l ? Listed(await DuplicateFinder.ForLeadAsync(db, l, ct)) : TypedResults.NotFound());
        leads.MapPost("/{id:guid}/merge", (Guid id, MergeInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            Run(() => Merge.LeadsAsync(db, id, input, ETags.Requested(request), ct), r => r.Survivor.Version, response)).RequireAuthorization(ApiPolicies.Write);
    }

    // The finder stops at DuplicateFinder.Limit candidates per rule: a review list, never a full scan.
    private static Ok<Page<DuplicateDto>> Listed(List<DuplicateDto> items) => TypedResults.Ok(new Page<DuplicateDto>(items, null, DuplicateFinder.Limit));

    private static async Task<Results<Ok<MergeResult<TDto>>, NotFound, ProblemHttpResult>> Run<TDto>(Func<Task<MergeResult<TDto>?>> merge, Func<MergeResult<TDto>, long> version, HttpResponse response)
    {
        try
        {
            var result = await merge();
            if (result is null) return TypedResults.NotFound();
            response.Headers.ETag = ETags.For(version(result));
            return TypedResults.Ok(result);
        }
        catch (MergeRefused e)
        {
            return Problems.Status(e.Status, e.Message, e.Detail);
        }
    }
}
