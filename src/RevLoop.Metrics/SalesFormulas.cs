namespace RevLoop.Metrics;

/// <summary>The sales formulas of METRICS.md §5, defined once. Null where the metric is "none" (division by zero).</summary>
public static class SalesFormulas
{
    /// <summary>Open qualified opportunities x average deal size x win rate / sales cycle days: pipeline value closed per day.</summary>
    public static decimal? PipelineVelocityPerDay(long openQualified, decimal averageDealSize, decimal winRate, decimal salesCycleDays) =>
        salesCycleDays > 0 ? openQualified * averageDealSize * winRate / salesCycleDays : null;

    /// <summary>Pipeline velocity per 30-day month.</summary>
    public static decimal? PipelineVelocityPerMonth(long openQualified, decimal averageDealSize, decimal winRate, decimal salesCycleDays) =>
        salesCycleDays > 0 ? openQualified * averageDealSize * winRate * 30 / salesCycleDays : null;

    /// <summary>Won / (won + lost), by count or by value; none when nothing closed.</summary>
    public static decimal? WinRate(decimal won, decimal lost) => won + lost > 0 ? won / (won + lost) : null;

    /// <summary>1 - |forecast - actual| / actual; none when actual is 0.</summary>
    public static decimal? ForecastAccuracy(decimal forecast, decimal actual) => actual != 0 ? 1 - Math.Abs(forecast - actual) / actual : null;

    /// <summary>(forecast - actual) / actual; none when actual is 0.</summary>
    public static decimal? ForecastBias(decimal forecast, decimal actual) => actual != 0 ? (forecast - actual) / actual : null;
}
