using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

public class FxTests
{
    private const string Rates = "date,currency,rate\n2023-12-01,EUR,1.10\n2024-02-15,EUR,1.20\n";

    private const string Csv = Header
                               + "A,1,2024-01-01,,100,EUR,month\n"
                               + "B,2,2024-01-01,,100,USD,month\n"
                               + "C,3,2024-01-01,2024-02-15,50,EUR,month\n"
                               + "C,3,2024-02-15,,80,EUR,month\n"
                               + "D,4,2024-01-10,2024-03-05,40,EUR,month\n";

    private static MetricsResult Result() =>
        Compute(Csv, "2024-01", "2024-03", currency: "USD", rates: FxRateTable.Read(Utf8(Rates), "USD"));

    [Fact]
    public void Fx_is_its_own_line_and_the_identity_holds()
    {
        var r = Result();
        AssertMonth(r.M("2024-01"), 0m, 309m, 0m, 0m, 0m, 0m, 309m, 0, 4, 0, 0, 4, fx: 0m);
        // Feb 15: EUR 1.10 -> 1.20. Revaluation of the 190 EUR held on Feb 14 = +19 (fx);
        // C's upgrade 50 -> 80 EUR on the same day is an expansion of 30 EUR at the rate of the day = 36.
        AssertMonth(r.M("2024-02"), 309m, 0m, 36m, 0m, 0m, 0m, 364m, 4, 0, 0, 0, 4, fx: 19m);
        // D churns 40 EUR at 1.20
        AssertMonth(r.M("2024-03"), 364m, 0m, 0m, 0m, 0m, 48m, 316m, 4, 0, 0, 1, 3, fx: 0m);
        Assert.Equal(364m, r.MrrAt(Utc("2024-02-20")));
        Assert.Equal(309m, r.MrrAt(Utc("2024-02-14T23:59:59")));
        Assert.Equal([new CustomerAmount("C", 36m)], r.CustomersBehind(YearMonth.Parse("2024-02"), MovementKind.Expansion));
        Assert.Equal([new CustomerAmount("D", 48m)], r.CustomersBehind(YearMonth.Parse("2024-03"), MovementKind.Churn));
        Assert.Equal("USD", r.Currency);
        Assert.True(r.HasFx);
    }

    [Fact]
    public void Mrr_csv_gets_a_trailing_fx_column_with_a_reporting_currency()
    {
        var (code, output, err) = RunMrr(Csv, new MrrOptions { From = "2024-01", To = "2024-03", ReportingCurrency = "usd", Rates = Utf8(Rates) });
        Assert.Equal("", err);
        Assert.Equal(0, code);
        Assert.Equal(
            "month,mrr_start,new,expansion,reactivation,contraction,churn,mrr_end,customers_start,new_customers,reactivated_customers,churned_customers,customers_end,fx\n"
            + "2024-01,0.00,309.00,0.00,0.00,0.00,0.00,309.00,0,4,0,0,4,0.00\n"
            + "2024-02,309.00,0.00,36.00,0.00,0.00,0.00,364.00,4,0,0,0,4,19.00\n"
            + "2024-03,364.00,0.00,0.00,0.00,0.00,48.00,316.00,4,0,0,1,3,0.00\n",
            output);
    }

    [Fact]
    public void Reporting_currency_without_other_currencies_needs_no_rates()
    {
        var (code, output, _) = RunMrr(Header + "a,1,2024-01-01,,10,USD,month\n", new MrrOptions { From = "2024-01", To = "2024-01", ReportingCurrency = "USD" });
        Assert.Equal(0, code);
        Assert.Equal(ReportWriter.MrrCsvHeader + ",fx\n2024-01,0.00,10.00,0.00,0.00,0.00,0.00,10.00,0,1,0,0,1,0.00\n", output);
    }

    [Fact]
    public void Several_currencies_without_reporting_currency_or_rates_fail()
    {
        var (code, output, err) = RunMrr(Csv, new MrrOptions { From = "2024-01", To = "2024-01" });
        Assert.Equal((2, ""), (code, output));
        Assert.Equal("error: several currencies (EUR, USD): a reporting currency and rates are required\n", err);
        var (code2, _, err2) = RunMrr(Csv + "G,5,2024-01-01,,10,GBP,month\n",
            new MrrOptions { From = "2024-01", To = "2024-01", ReportingCurrency = "USD", Rates = Utf8(Rates) });
        Assert.Equal((2, "error: no exchange rates into USD for: GBP\n"), (code2, err2));
    }

    [Fact]
    public void Rate_of_the_day_is_last_known_on_or_before_and_first_rate_before_that()
    {
        var t = FxRateTable.FromRates("USD",
        [
            new FxRate(new DateOnly(2024, 1, 10), "EUR", 1.1m),
            new FxRate(new DateOnly(2024, 1, 20), "EUR", 1.3m),
            new FxRate(new DateOnly(2024, 1, 20), "EUR", 1.25m), // a later line for the same day wins
        ]);
        Assert.Equal(1.1m, t.RateOn("EUR", new DateOnly(2024, 1, 1)));
        Assert.Equal(1.1m, t.RateOn("EUR", new DateOnly(2024, 1, 19)));
        Assert.Equal(1.25m, t.RateOn("EUR", new DateOnly(2024, 1, 20)));
        Assert.Equal(1.25m, t.RateOn("EUR", new DateOnly(2030, 1, 1)));
        Assert.Equal(1m, t.RateOn("usd", new DateOnly(2030, 1, 1)));
        var bad = Assert.Throws<MetricsInputException>(() => FxRateTable.Read(Utf8("date,currency,rate\n2024-01-01,EUR,1\n2024-01-02,EUR,abc\n"), "USD"));
        Assert.Equal("rates line 3: rate: invalid rate 'abc'", bad.Message);
    }

    [Fact]
    public void Daily_rate_changes_for_an_unchanged_customer_are_all_fx()
    {
        var rates = FxRateTable.FromRates("USD", Enumerable.Range(0, 60).Select(i =>
            new FxRate(new DateOnly(2024, 1, 1).AddDays(i), "JPY", 0.0067m + i * 0.00001m)));
        var r = Compute(Header + "a,1,2024-01-01,,15000,JPY,month\n", "2024-01", "2024-02", currency: "USD", rates: rates);
        var jan = r.M("2024-01");
        var feb = r.M("2024-02");
        Assert.Equal(100.5m, jan.New);                       // 15000 x 0.0067 on Jan 1
        Assert.Equal(15000m * 30 * 0.00001m, jan.Fx);        // Jan 2..31
        Assert.Equal(15000m * (0.0067m + 30 * 0.00001m), jan.MrrEnd);
        Assert.Equal(15000m * 29 * 0.00001m, feb.Fx);        // Feb 1..29 (leap year)
        Assert.Equal(feb.MrrStart + feb.Fx, feb.MrrEnd);
        Assert.Equal(0m, feb.Expansion + feb.Contraction);
    }
}
