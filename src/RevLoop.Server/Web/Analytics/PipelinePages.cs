using System.Globalization;
using RevLoop.Server.Analytics;

namespace RevLoop.Server.Web.Analytics;

/// <summary>Links and defaults shared by the pipeline analytics pages (dashboard, funnel, waterfall) and their deal lists.</summary>
public static class PipelineUi
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", Inv);

    /// <summary>The window shown when none is asked for: the last twelve whole months up to today.</summary>
    public static (DateOnly From, DateOnly To) DefaultWindow(DateOnly today) => (new DateOnly(today.Year, today.Month, 1).AddMonths(-11), today);

    public static string SalesDeals(DateOnly from, DateOnly to, string metric, string? groupBy, string? group, string? pipeline) =>
        "/analytics/deals" + MetricsUi.Query(("kind", "sales"), ("from", Day(from)), ("to", Day(to)), ("metric", metric), ("groupBy", groupBy), ("group", group), ("pipeline", pipeline));

    public static string FunnelDeals(DateOnly from, DateOnly to, Guid pipeline, Guid stage, string outcome) =>
        "/analytics/deals" + MetricsUi.Query(("kind", "funnel"), ("from", Day(from)), ("to", Day(to)), ("pipeline", pipeline.ToString()), ("stage", stage.ToString()), ("outcome", outcome));

    public static string AsOfDeals(DateOnly date, Guid pipeline, Guid? stage) =>
        "/analytics/deals" + MetricsUi.Query(("kind", "asof"), ("date", Day(date)), ("pipeline", pipeline.ToString()), ("stage", stage?.ToString()));

    public static string WaterfallDeals(DateOnly from, DateOnly to, Guid pipeline, string bucket) =>
        "/analytics/deals" + MetricsUi.Query(("kind", "waterfall"), ("from", Day(from)), ("to", Day(to)), ("pipeline", pipeline.ToString()), ("bucket", bucket));

    public static string BucketLabel(string bucket) => bucket switch
    {
        "new" => "New", "advanced" => "Advanced", "pushedOut" => "Pushed out", "pulledIn" => "Pulled in", "increased" => "Increased",
        "decreased" => "Decreased", "won" => "Won", "lost" => "Lost", _ => bucket,
    };

    public static string Days(decimal? d) => d is { } x ? x.ToString("0.0", Inv) : "–";
    public static string Money(decimal? v) => v is { } x ? MetricsUi.Money(x) : "–";
    public static string Groups => string.Join(", ", SalesAnalytics.Groups);
}
