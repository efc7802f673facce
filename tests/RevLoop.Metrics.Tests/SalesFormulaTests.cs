namespace RevLoop.Metrics.Tests;

/// <summary>METRICS.md §5 and §6 example 8.</summary>
public class SalesFormulaTests
{
    [Fact]
    public void Worked_example_8_pipeline_velocity()
    {
        var perDay = SalesFormulas.PipelineVelocityPerDay(18, 42_000m, 0.24m, 78m);
        Assert.Equal(2326m, Math.Round(perDay!.Value, 0, MidpointRounding.AwayFromZero));
        Assert.Equal(2326.153846m, Math.Round(perDay.Value, 6, MidpointRounding.AwayFromZero));
    }

    [Fact]
    public void Domain_example_five_deals_of_1000_at_10_percent_over_30_days()
    {
        Assert.Equal(16.67m, Math.Round(SalesFormulas.PipelineVelocityPerDay(5, 1000m, 0.10m, 30m)!.Value, 2, MidpointRounding.AwayFromZero));
        Assert.Equal(500m, SalesFormulas.PipelineVelocityPerMonth(5, 1000m, 0.10m, 30m));
        Assert.Null(SalesFormulas.PipelineVelocityPerDay(5, 1000m, 0.10m, 0m));
    }

    [Fact]
    public void Win_rate_and_forecast_accuracy_and_bias()
    {
        Assert.Equal(0.25m, SalesFormulas.WinRate(1, 3));
        Assert.Null(SalesFormulas.WinRate(0, 0));
        Assert.Equal(0.9m, SalesFormulas.ForecastAccuracy(110m, 100m));
        Assert.Equal(0.1m, SalesFormulas.ForecastBias(110m, 100m));
        Assert.Null(SalesFormulas.ForecastAccuracy(10m, 0m));
    }
}
