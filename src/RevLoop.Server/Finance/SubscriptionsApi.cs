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
        var size = Paging.Size(pageSize);
        var q = db.SubscriptionPeriods.AsNoTracking();
        if (customerId is not null) q = q.Where(p => p.CustomerId == customerId);
        if (cursor is not null)
        {
            var after = Guid.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var g) ? g : throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(p => p.Id.CompareTo(after) > 0);
        }
        var rows = await q.OrderBy(p => p.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<SubscriptionPeriodDto>(rows.Take(size).Select(SubscriptionPeriodDto.From).ToList(), next, size));
    }

    public static async Task<Results<Ok<SubscriptionPeriodDto>, NotFound>> Get(Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct)
    {
        var p = await db.SubscriptionPeriods.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return TypedResults.NotFound();
        response.Headers.ETag = ETags.For(p.Version);
        return TypedResults.Ok(SubscriptionPeriodDto.From(p));
    }

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
    public static async Task<Results<Ok<SubscriptionPeriodDto>, NotFound, ProblemHttpResult>> Patch(Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct)
    {
        if (patch.ValueKind != JsonValueKind.Object) throw new InputException("body", "must be a JSON object");
        var expected = ETags.Requested(request);
        var p = await db.SubscriptionPeriods.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return TypedResults.NotFound();
        if (expected is { } v && v != p.Version) return Problems.Status(412, "The record was changed by someone else");
        var current = new SubscriptionPeriodInput(p.CustomerId, Iso(p.Start), MinorUnits.ToAmount(p.AmountMinor, p.Currency), p.Currency, p.Interval,
            p.End is { } e ? Iso(e) : null, p.SubscriptionId, p.IntervalCount, p.Quantity, p.AccountId);
        foreach (var f in patch.EnumerateObject())
        {
            string? Text() => f.Value.ValueKind switch { JsonValueKind.Null => null, JsonValueKind.String => f.Value.GetString(), _ => throw new InputException(f.Name, "must be a string or null") };
            current = f.Name switch
            {
                "customerId" => current with { CustomerId = Text() },
                "subscriptionId" => current with { SubscriptionId = Text() },
                "start" => current with { Start = Text() },
                "end" => current with { End = Text() },
                "amount" => current with { Amount = f.Value.ValueKind == JsonValueKind.Number ? f.Value.GetDecimal() : throw new InputException("amount", "must be a number") },
                "currency" => current with { Currency = Text() },
                "interval" => current with { Interval = Text() },
                "intervalCount" => current with { IntervalCount = f.Value.TryGetInt32(out var n) ? n : throw new InputException("intervalCount", "must be a whole number") },
                "quantity" => current with { Quantity = f.Value.ValueKind == JsonValueKind.Number ? f.Value.GetDecimal() : throw new InputException("quantity", "must be a number") },
                "accountId" => current with { AccountId = f.Value.ValueKind == JsonValueKind.Null ? null : Guid.TryParse(Text(), out var g) ? g : throw new InputException("accountId", "must be an id") },
                _ => throw new InputException(f.Name, "is not a field of a subscription period"),
            };
        }
        SubscriptionRules.Fill(p, current);
        await CheckAccount(db, p.AccountId, ct);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(p.Version);
        return TypedResults.Ok(SubscriptionPeriodDto.From(p));
    }

    public static async Task<Results<NoContent, NotFound>> Delete(Guid id, RevLoopDb db, CancellationToken ct)
    {
        var p = await db.SubscriptionPeriods.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return TypedResults.NotFound();
        db.SubscriptionPeriods.Remove(p);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static string Iso(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task CheckAccount(RevLoopDb db, Guid? accountId, CancellationToken ct)
    {
        if (accountId is { } a && !await db.Accounts.AnyAsync(x => x.Id == a, ct)) throw new InputException("accountId", $"no account has id {a}");
    }
}
