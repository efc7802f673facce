using System.Globalization;
using System.Text.Json;
using RevLoop.Server.Marketing;
using RevLoop.Server.Web.Analytics;

namespace RevLoop.Server.Web.Marketing;

/// <summary>Labels, links and the chart of the attribution pages (the report, its drill-downs and the campaign page's panel).</summary>
public static class AttributionUi
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string ModelLabel(string model) => model switch
    {
        "first" => "First touch", "last" => "Last touch", "linear" => "Linear", "u_shaped" => "U-shaped", "w_shaped" => "W-shaped",
        "time_decay" => "Time decay", "markov" => "Markov", _ => model,
    };

    public static string BasisLabel(string basis) => basis == Attribution.Revenue ? "revenue won" : "pipeline created";

    /// <summary>A fractional deal count: up to two decimals (the exact four in the title).</summary>
    public static string Count(decimal count) => count.ToString("#,0.##", Inv);

    public static string Exact(decimal count) => count.ToString("0.####", Inv);

    /// <summary>ROI as a percentage (9 = 900%), "–" without cost.</summary>
    public static string Roi(decimal? roi) => MetricsUi.Percent(roi);

    public static string Money(decimal? amount) => amount is { } a ? MetricsUi.Money(a) : "–";

    /// <summary>The report's settings as query-string parts; lookback and half-life only when not the defaults.</summary>
    private static (string, string?)[] Settings(AttributionDto r, string? basis = null) =>
    [
        ("from", PipelineUi.Day(r.From)), ("to", PipelineUi.Day(r.To)), ("basis", basis ?? r.Basis),
        ("lookbackDays", r.LookbackDays == 365 ? null : r.LookbackDays.ToString(Inv)), ("halfLifeDays", r.HalfLifeDays == 7 ? null : r.HalfLifeDays.ToString(Inv)),
    ];

    public static string Report(AttributionDto r, string? basis = null) => "/marketing/attribution" + MetricsUi.Query(Settings(r, basis));

    /// <summary>The campaign's page with the report's period for its attribution panel.</summary>
    public static string Campaign(AttributionDto r, Guid campaign) =>
        $"/campaigns/{campaign}" + MetricsUi.Query(("from", PipelineUi.Day(r.From)), ("to", PipelineUi.Day(r.To)));

    /// <summary>The deals behind a campaign's number: of the basis given (default the report's), with the model's shares when a model is given.</summary>
    public static string Deals(AttributionDto r, Guid campaign, string? model, string? basis = null) =>
        "/marketing/attribution/deals" + MetricsUi.Query([("campaignId", campaign.ToString()), ("model", model), .. Settings(r, basis)]);

    public static string Leads(AttributionDto r, Guid campaign, bool mql) =>
        "/marketing/attribution/leads" + MetricsUi.Query([("campaignId", campaign.ToString()), ("mql", mql ? "true" : null), .. Settings(r)]);

    /// <summary>
    /// Grouped bars: the campaigns with the largest credit (at most <paramref name="top"/>, in the table's order), one
    /// series per model, each bar opening its deals.
    /// </summary>
    public static string ChartJson(AttributionDto r, int top = 10)
    {
        var shown = r.Campaigns.Select((c, i) => (c, i)).OrderByDescending(x => x.c.Models.Max(m => m.Amount)).ThenBy(x => x.i).Take(top)
            .Where(x => x.c.Models.Any(m => m.Amount != 0)).OrderBy(x => x.i).Select(x => x.c).ToList();
        return JsonSerializer.Serialize(new
        {
            currency = r.BaseCurrency,
            rotate = shown.Count > 5 ? 20 : 0,
            labels = shown.Select(c => c.Name.Length > 28 ? c.Name[..27] + "…" : c.Name).ToList(),
            series = r.Models.Select((m, i) => new
            {
                name = ModelLabel(m),
                values = shown.Select(c => c.Models[i].Amount).ToList(),
                links = shown.Select(c => Deals(r, c.CampaignId, m)).ToList(),
            }).ToList(),
        });
    }
}
