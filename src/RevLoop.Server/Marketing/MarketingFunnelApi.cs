using Microsoft.AspNetCore.Http.HttpResults;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

/// <summary>
/// The marketing funnel under /api/v1/marketing (issue 6, "Funnel reports"): a cohort report by period of entry. The
/// leads created in each period (UTC; period=month|quarter, default month; from/to days inclusive) and how far each got:
/// MQL (MqlAt set, or status mql/sql/converted without it, or further), SQL (SqlAt set, or status sql, or converted with
/// a deal), opportunity (converted with a deal), won (that deal is won now; amount in the base currency, ADR 0007), with
/// the conversion between consecutive stages and lead to won (4 decimals, null when undefined) and the median days lead
/// -> MQL and MQL -> SQL; groupBy=channel|campaign|region|team|rep adds a row per group after (all). The full definition
/// is on <see cref="MarketingFunnel"/>. Readable by every signed-in user; the visibility filter limits each to their leads.
/// </summary>
public static class MarketingFunnelApi
{
    public static void MapMarketingFunnelApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/marketing").WithTags("Marketing funnel").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/funnel", Get);
        g.MapGet("/funnel/leads", Leads);
    }

    /// <summary>from, to (YYYY-MM-DD, required), period (month|quarter), groupBy (channel|campaign|region|team|rep).</summary>
    public static async Task<Ok<MarketingFunnelDto>> Get(string? from, string? to, string? period, string? groupBy, RevLoopDb db, CancellationToken ct) =>
        TypedResults.Ok(await MarketingFunnel.ComputeAsync(db, from, to, period, groupBy, ct));

    /// <summary>
    /// The leads behind a number: created in [from, to], got to stage (leads|mql|sql|opportunity|won) or further, in group
    /// (as the report names it, `(none)` for no value; absent or `(all)` = every group) of groupBy; newest first, paged.
    /// </summary>
    public static async Task<Ok<Page<FunnelLeadDto>>> Leads(string? from, string? to, string? stage, string? groupBy, string? group, string? cursor, int? pageSize,
        RevLoopDb db, CancellationToken ct) =>
        TypedResults.Ok(await MarketingFunnel.LeadsAsync(db, from, to, stage, groupBy, group, cursor, pageSize, ct));
}
