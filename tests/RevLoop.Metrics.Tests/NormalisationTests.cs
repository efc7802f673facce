using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

public class NormalisationTests
{
    [Theory]
    [InlineData("600", BillingInterval.Year, 1, "1", "50")]
    [InlineData("18.29", BillingInterval.Year, 1, "1", "1.5241666666666666666666666667")]
    [InlineData("10", BillingInterval.Week, 1, "1", "43.333333333333333333333333333")]
    [InlineData("300", BillingInterval.Quarter, 1, "1", "100")]
    [InlineData("600", BillingInterval.Month, 6, "1", "100")]
    [InlineData("1", BillingInterval.Day, 1, "1", "30.416666666666666666666666667")]
    [InlineData("10", BillingInterval.Month, 1, "3", "30")]
    [InlineData("100", BillingInterval.Year, 2, "1", "4.1666666666666666666666666667")]
    [InlineData("9.99", BillingInterval.Month, 1, "2.5", "24.975")]
    [InlineData("0", BillingInterval.Month, 1, "1", "0")]
    public void Monthly_factor(string amount, BillingInterval interval, int count, string quantity, string expected)
    {
        Assert.Equal(decimal.Parse(expected), MonthlyFactor.Monthly(decimal.Parse(amount), interval, count, decimal.Parse(quantity)));
    }

    [Fact]
    public void Spec_examples_at_4_decimals_and_cents()
    {
        Assert.Equal(1.5242m, Money.Round(MonthlyFactor.Monthly(18.29m, BillingInterval.Year), 4));
        Assert.Equal("43.33", Money.FormatCents(MonthlyFactor.Monthly(10m, BillingInterval.Week)));
        Assert.Equal("1.52", Money.FormatCents(MonthlyFactor.Monthly(18.29m, BillingInterval.Year)));
    }

    [Fact]
    public void Half_up_rounding_only_when_printing()
    {
        Assert.Equal("0.01", Money.FormatCents(0.005m));
        Assert.Equal("2.68", Money.FormatCents(2.675m));
        Assert.Equal("-0.01", Money.FormatCents(-0.005m));
        Assert.Equal("0.00", Money.FormatCents(0.00499999m));
        Assert.Equal("0.00", Money.FormatCents(-0.001m));
        Assert.Equal("0.0000", Money.FormatRatio(-0.00001m));
        Assert.Equal("12500.00", Money.FormatCents(12500m));
        // 3 x 18.29 / 12 = 4.5725 exactly (not 3 x 1.52416667 = 4.57250001): kept exact until printed
        var csv = Header + "a,1,2024-01-01,,18.29,USD,year\nb,1,2024-01-01,,18.29,USD,year\nc,1,2024-01-01,,18.29,USD,year\n";
        var r = Compute(csv, "2024-01", "2024-01");
        Assert.Equal(4.5725m, r.M("2024-01").MrrEnd);
        Assert.Equal(54.87m, r.M("2024-01").Arr);
        Assert.Equal("4.57", Money.FormatCents(r.M("2024-01").MrrEnd));
    }

    [Fact]
    public void Annual_quarterly_weekly_six_monthly_customers_in_the_engine()
    {
        var csv = "customer_id,start,amount,currency,interval,interval_count\n"
                  + "y,2024-01-01,18.29,USD,year,\n"
                  + "q,2024-01-01,300,USD,quarter,\n"
                  + "w,2024-01-01,10,USD,week,\n"
                  + "h,2024-01-01,600,USD,month,6\n"
                  + "d,2024-01-01,1,USD,day,1\n";
        var r = Compute(csv, "2024-01", "2024-01");
        // 18.29/12 + 100 + 520/12 + 100 + 365/12 = 200 + 903.29/12, exactly
        Assert.Equal(((Rational.Parse("18.29") + 520 + 365) / 12 + 200).ToDecimal(), r.M("2024-01").MrrEnd);
        Assert.Equal(275.27416666666666666666666667m, r.M("2024-01").MrrEnd);
        Assert.Equal("275.27", Money.FormatCents(r.M("2024-01").MrrEnd));
    }

    [Fact]
    public void Decimal_conversion_of_large_and_converted_units()
    {
        Assert.Equal(1.5m, Money.ToDecimal(150_000_000, 8));
        Assert.Equal(-0.00000001m, Money.ToDecimal(-1, 8));
        Assert.Equal(1m, Money.ToDecimal(Int128.Parse("100000000000000000000"), 20));
        // does not fit in 28 digits at scale 20: rounded, half-up
        Assert.Equal(12345678901.234567890123456789m, Money.ToDecimal(Int128.Parse("1234567890123456789012345678901"), 20));
    }
}
