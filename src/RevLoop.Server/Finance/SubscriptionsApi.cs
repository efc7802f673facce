using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Finance;

public static class SubscriptionsApi
{
    public static RouteGroupBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/subscriptions").WithTags("Subscriptions").RequireAuthorization(ApiPolicies.Read, ApiPolicies.Revenue);
        g.MapGet("/", List);
        g.MapGet("/{id:guid}", Get);
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write);
        g.MapPatch("/{id:guid}", Patch).RequireAuthorization(ApiPolicies.Write).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        g.MapDelete("/{id:guid}", Delete).RequireAuthorization(ApiPolicies.Write);
        HistoryApi.Register("subscriptions", "subscription_period", (db, id, ct) => db.SubscriptionPeriods.AnyAsync(p => p.Id == id, ct));
        return g;
    }

    public static async Task<Ok<Page<SubscriptionPeriodDto>>> List(string? customerId, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        IQueryable<SubscriptionPeriod> q = db.SubscriptionPeriods;
        if (customerId is not null) q = q.Where(p => p.CustomerId == customerId);
        return TypedResults.Ok(await RecordEndpoints.PageByIdAsync(q, cursor, pageSize, SubscriptionPeriodDto.From, ct));
    }

    public static Task<Results<Ok<SubscriptionPeriodDto>, NotFound>> Get(Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct) =>
        RecordEndpoints.GetAsync(db.SubscriptionPeriods, id, SubscriptionPeriodDto.From, response, ct);

    public static async Task<Created<SubscriptionPeriodDto>> Create(SubscriptionPeriodInput input, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var p = new SubscriptionPeriod();
        SubscriptionRules.Fill(p, input);
        await CheckAccount(db, p.AccountId, ct);
        db.SubscriptionPeriods.Add(p);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(p.Version);
        return TypedResults.Created($"/api/v1/subscriptions/{p.Id}", SubscriptionPeriodDto.From(p));
    }

    /// <summary>Merge patch, e.g. {"end": "2025-03-01"} to end a period (cancellation or the close of an upgrade).</summary>
    public static Task<Results<Ok<SubscriptionPeriodDto>, NotFound, ProblemHttpResult>> Patch(Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
        RecordEndpoints.UpdateAsync(db, db.SubscriptionPeriods, id, request, response, async p =>
        {
            var current = new SubscriptionPeriodInput(p.CustomerId, Iso(p.Start), MinorUnits.ToAmount(p.AmountMinor, p.Currency), p.Currency, p.Interval,
                p.End is { } e ? Iso(e) : null, p.SubscriptionId, p.IntervalCount, p.Quantity, p.AccountId);
            SubscriptionRules.Fill(p, MergePatch.Apply(current, patch, "subscription period"));
            await CheckAccount(db, p.AccountId, ct);
        }, SubscriptionPeriodDto.From, ct);

    public static Task<Results<NoContent, NotFound, ProblemHttpResult>> Delete(Guid id, RevLoopDb db, HttpRequest request, CancellationToken ct) =>
        RecordEndpoints.DeleteAsync(db, db.SubscriptionPeriods, id, request, ct);

    private static string Iso(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task CheckAccount(RevLoopDb db, Guid? accountId, CancellationToken ct)
    {
        if (accountId is { } a && !await db.Accounts.AnyAsync(x => x.Id == a, ct)) throw new InputException("accountId", $"no account has id {a}");
    }
}
