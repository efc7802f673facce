using System.Globalization;
using RevLoop.Metrics;
using RevLoop.Server.Web.Analytics;

namespace RevLoop.Server.Web.Forecasting;

/// <summary>Shared bits of the forecast, APM and targets pages: the periods to pick from and number formats.</summary>
public static class ForecastUi
{
    /// <summary>The current fiscal year, its quarters and months, the four quarters before and the year before.</summary>
    public static IReadOnlyList<FiscalPeriod> PeriodChoices(DateOnly today, int startMonth)
    {
        var q = FiscalPeriod.Containing(today, FiscalPeriodKind.Quarter, startMonth);
        var y = FiscalPeriod.Containing(today, FiscalPeriodKind.Year, startMonth);
        var list = new List<FiscalPeriod> { q.Previous.Previous.Previous.Previous, q.Previous.Previous.Previous, q.Previous.Previous, q.Previous, q };
        list.Add(q with { Number = q.Number == 4 ? 1 : q.Number + 1, FiscalYear = q.Number == 4 ? q.FiscalYear + 1 : q.FiscalYear });
        list.Add(y.PriorYear);
        list.Add(y);
        var m = FiscalPeriod.Containing(today, FiscalPeriodKind.Month, startMonth);
        list.Add(m.Previous);
        list.Add(m);
        return list.Distinct().OrderBy(p => p.Start).ThenBy(p => p.Kind).ToList();
    }

    public static string Label(FiscalPeriod p) =>
        $"{p.Label} ({p.Start.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} – {p.End.AddDays(-1).ToString("d MMM yyyy", CultureInfo.InvariantCulture)})";

    public static string Money(decimal? v) => v is { } x ? MetricsUi.Money(x) : "–";
    public static string Compact(decimal? v) => v is { } x ? MetricsUi.CompactMoney(x) : "–";
    public static string Percent(decimal? v) => v is { } x ? (x * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "–";
    public static string Signed(decimal? v) => v is { } x ? (x > 0 ? "+" : "") + (x * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "–";
    public static string Ratio(decimal? v) => v is { } x ? x.ToString("0.0#", CultureInfo.InvariantCulture) + "×" : "–";
    public static string Input(decimal? v) => v is { } x ? x.ToString("0.##", CultureInfo.InvariantCulture) : "";
}
