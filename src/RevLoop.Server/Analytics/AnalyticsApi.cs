namespace RevLoop.Server.Analytics;

/// <summary>
/// The pipeline analytics of issue 5 under /api/v1/analytics. Readable by every signed-in user: the visibility filter
/// limits each to the deals they may see, so a rep's numbers are their own.
/// </summary>
public static class AnalyticsApi
{
    public static void MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/analytics").WithTags("Analytics").RequireAuthorization(Platform.ApiPolicies.Read);
        g.MapGet("/sales", SalesAnalytics.Get);
        g.MapGet("/sales/deals", SalesAnalytics.Deals);
        g.MapGet("/funnel", FunnelAnalytics.Get);
        g.MapGet("/funnel/deals", FunnelAnalytics.Deals);
        g.MapGet("/pipeline/as-of", PipelineAsOfAnalytics.AsOf);
        g.MapGet("/pipeline/as-of/deals", PipelineAsOfAnalytics.AsOfDeals);
        g.MapGet("/pipeline/waterfall", PipelineAsOfAnalytics.Waterfall);
        g.MapGet("/pipeline/waterfall/deals", PipelineAsOfAnalytics.WaterfallDeals);
        g.MapGet("/risks", RiskAnalytics.Get);
    }
}
