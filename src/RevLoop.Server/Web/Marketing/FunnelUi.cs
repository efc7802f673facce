using System.Globalization;
using System.Text.Json;
using RevLoop.Server.Marketing;
using RevLoop.Server.Web.Analytics;

namespace RevLoop.Server.Web.Marketing;

/// <summary>Links and labels of the marketing funnel pages: every number opens the leads behind it.</summary>
public static class FunnelUi
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly IReadOnlyList<(string Stage, string Label)> StageLabels =
        [("leads", "Leads"), ("mql", "MQL"), ("sql", "SQL"), ("opportunity", "Opportunities"), ("won", "Won")];

    public static string StageLabel(string stage) => StageLabels.FirstOrDefault(s => s.Stage == stage).Label ?? stage;

    public static string GroupLabel(string? groupBy) => groupBy switch
    {
        "channel" => "Channel", "campaign" => "Campaign", "region" => "Region", "team" => "Team", "rep" => "Rep", _ => "Group",
    };

    /// <summary>The leads of one cell: created in [from, to], got to the stage; the (all) row drops the group.</summary>
    public static string Leads(DateOnly from, DateOnly to, string stage, string? groupBy, string group, string? period = null) =>
        "/marketing/funnel/leads" + MetricsUi.Query(("from", Day(from)), ("to", Day(to)), ("stage", stage),
            ("groupBy", group == MarketingFunnel.AllGroup ? null : groupBy), ("group", group == MarketingFunnel.AllGroup ? null : group), ("period", period));

    public static string Report(string? from, string? to, string? period, string? groupBy) =>
        "/marketing/funnel" + MetricsUi.Query(("from", from), ("to", to), ("period", period), ("groupBy", groupBy));

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", Inv);

    public static string Days(decimal? d) => d is { } x ? x.ToString("0.00", Inv) : "–";

    /// <summary>The funnel chart's data: the window's (all) row, one bar per stage, each opening its leads.</summary>
    public static string ChartJson(MarketingFunnelDto r, string? groupBy)
    {
        var all = r.Total.Rows[0];
        long[] values = [all.Leads, all.Mql, all.Sql, all.Opportunities, all.Won];
        return JsonSerializer.Serialize(new
        {
            labels = StageLabels.Select(s => s.Label),
            values,
            links = StageLabels.Select(s => Leads(r.From, r.To, s.Stage, groupBy, MarketingFunnel.AllGroup, r.Period)),
        }).Replace("</", "<\\/", StringComparison.Ordinal);
    }
}
