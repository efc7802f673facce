using Microsoft.AspNetCore.Http.HttpResults;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

/// <summary>
/// Campaign attribution under /api/v1/attribution (issue 6): the report per campaign and model, and the deals and leads
/// behind each number. Readable by every signed-in user; the visibility filter limits the deals and people to theirs.
/// </summary>
public static class AttributionApi
{
    public static void MapAttributionApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/attribution").WithTags("Attribution").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", Get);
        g.MapGet("/deals", Deals);
        g.MapGet("/leads", Leads);
    }

    /// <summary>from, to (YYYY-MM-DD, required); basis pipeline (default) or revenue; model (default: all); lookbackDays (365); halfLifeDays (7).</summary>
    public static async Task<Ok<AttributionDto>> Get([AsParameters] AttributionQuery query, RevLoopDb db, CancellationToken ct) =>
        TypedResults.Ok(await Attribution.ReportAsync(db, query.Parse(), ct));

    public static async Task<Ok<Page<AttributedDealDto>>> Deals([AsParameters] AttributionQuery query, Guid? campaignId, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct) =>
        TypedResults.Ok(await Attribution.DealsAsync(db, query, campaignId, cursor, pageSize, ct));

    /// <summary>The leads a campaign brought in the period; mql=true: only those now MQL or further.</summary>
    public static async Task<Ok<Page<AttributedLeadDto>>> Leads([AsParameters] AttributionQuery query, Guid? campaignId, bool? mql, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct) =>
        TypedResults.Ok(await Attribution.LeadsAsync(db, query, campaignId, mql == true, cursor, pageSize, ct));
}
