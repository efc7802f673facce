using System.Text;
using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

public class SaasTests
{
    private static SaasMonth Saas(MetricsResult r, string month, SaasSettings? s = null, IReadOnlyList<MonthlyCost>? costs = null) =>
        r.Saas(s ?? new SaasSettings(), costs).Single(x => x.Month == YearMonth.Parse(month));

    [Fact]
    public void Customer_churn_rate_default_excludes_new_reactivated_and_returned_stripe_does_not()
    {
        var sb = new StringBuilder(Header);
        for (int i = 0; i < 10; i++)
        {
            if (i == 0) sb.Append("a0,1,2023-12-01,2024-01-10,10,USD,month\n");                                   // churns
            else if (i == 1) sb.Append("a1,1,2023-12-01,2024-01-10,10,USD,month\na1,2,2024-01-20,,10,USD,month\n"); // churns and comes back
            else sb.Append($"a{i},1,2023-12-01,,10,USD,month\n");
        }
        sb.Append("n1,1,2024-01-05,2024-01-25,10,USD,month\n"); // new and churned in the month
        sb.Append("n2,1,2024-01-05,,10,USD,month\n");
        var r = Compute(sb.ToString(), "2024-01", "2024-01");
        var d = Saas(r, "2024-01");
        Assert.Equal((10, 3, 2, 1), (r.M("2024-01").CustomersStart, r.M("2024-01").ChurnedCustomers, r.M("2024-01").NewCustomers, r.M("2024-01").ReactivatedCustomers));
        Assert.Equal(0.1m, d.CustomerChurnRate);
        Assert.Equal(0.25m, Saas(r, "2024-01", new SaasSettings(ChurnRate: ChurnRateVariant.Stripe)).CustomerChurnRate);
        Assert.Equal(0.25m, SaasFormulas.CustomerChurnRateStripe(3, 10, 2));
        Assert.Null(SaasFormulas.CustomerChurnRate(0, 0));
    }

    [Fact]
    public void Ltv_default_and_trailing_six_months_excluding_current_month()
    {
        var sb = new StringBuilder(Header);
        // 100 customers at 100 from 2023-06; 5 churn in Aug 2023, 19 in Nov 2023, 10 in Jan 2024
        for (int i = 0; i < 100; i++)
        {
            string end = i < 5 ? "2023-08-15" : i < 24 ? "2023-11-15" : i < 34 ? "2024-01-15" : "";
            sb.Append($"c{i},s,2023-06-01,{end},100,USD,month\n");
        }
        var r = Compute(sb.ToString(), "2024-01", "2024-01");
        var jan = Saas(r, "2024-01");
        Assert.Equal(100m, jan.Arpa);
        Assert.Equal(10m / 76m, jan.CustomerChurnRate);
        Assert.Equal(760m, jan.Ltv); // 100 / (10/76) exactly, not 100 / 0.1315789473684210526315789474
        Assert.Equal("760.00", Money.FormatCents(jan.Ltv));
        var trailing = Saas(r, "2024-01", new SaasSettings(Ltv: LtvVariant.TrailingSixMonths, GrossMargin: 0.8m));
        // Jul..Dec 2023: 0, 5/100, 0, 0, 19/95, 0
        Assert.Equal(1920m, trailing.Ltv); // 100 x 0.8 / ((0 + 0.05 + 0 + 0 + 0.2 + 0) / 6) exactly
        Assert.Equal("1920.00", Money.FormatCents(trailing.Ltv));
    }

    [Fact]
    public void Quick_ratio_with_and_without_reactivation()
    {
        var csv = Header
                  + "a,1,2023-12-01,2024-01-05,30,USD,month\n"   // churn 30
                  + "b,1,2023-10-01,2023-11-01,50,USD,month\nb,1,2024-01-10,,50,USD,month\n" // reactivation 50
                  + "n,1,2024-01-10,,40,USD,month\n";             // new 40
        var r = Compute(csv, "2024-01", "2024-01");
        Assert.Equal(3m, Saas(r, "2024-01").QuickRatio);
        Assert.Equal(40m / 30m, Saas(r, "2024-01", new SaasSettings(QuickRatio: QuickRatioVariant.WithoutReactivation)).QuickRatio);
        Assert.Equal((30m - 50m) / 30m, Saas(r, "2024-01").NetMrrChurn); // reactivation lowers net MRR churn
    }

    [Fact]
    public void Cac_default_and_lagged_one_period()
    {
        var csv = Header + "a,1,2024-01-03,,100,USD,month\nb,2,2024-01-20,,50,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-02");
        var costs = new[] { new MonthlyCost(YearMonth.Parse("2023-12"), 2400m), new MonthlyCost(YearMonth.Parse("2024-01"), 1000m), new MonthlyCost(YearMonth.Parse("2024-01"), 200m) };
        var d = Saas(r, "2024-01", new SaasSettings(), costs);
        Assert.Equal((1200m, 600m, 8m), (d.Cost, d.Cac, d.CacPayback)); // ARPA of new customers 75
        var lagged = Saas(r, "2024-01", new SaasSettings(Cac: CacVariant.CostLaggedOnePeriod, GrossMargin: 0.5m), costs);
        Assert.Equal((2400m, 1200m, 32m), (lagged.Cost, lagged.Cac, lagged.CacPayback));
        var feb = Saas(r, "2024-02", new SaasSettings(), costs);
        Assert.Null(feb.Cost);
        Assert.Null(feb.Cac); // no new customers and no cost
        Assert.Null(Saas(r, "2024-01").Cac);
    }

    [Fact]
    public void Period_nrr_and_grr_only_count_customers_active_at_start()
    {
        var csv = Header
                  + "a,1,2023-12-01,2024-01-10,100,USD,month\na,1,2024-01-10,,120,USD,month\n" // existing: +20
                  + "n,1,2024-01-03,2024-01-15,10,USD,month\nn,1,2024-01-15,2024-01-25,50,USD,month\n"; // new: +40 then churn 50
        var r = Compute(csv, "2024-01", "2024-01");
        var s = Saas(r, "2024-01");
        Assert.Equal((1.2m, 1m), (s.Nrr, s.Grr));
        Assert.Equal(0.5m, s.GrossMrrChurn);               // churn 50 / start 100
        Assert.Equal((50m - 20m - 40m) / 100m, s.NetMrrChurn); // expansion of all customers counts here
    }

    [Fact]
    public void Cohort_nrr_and_grr_over_12_months()
    {
        var csv = Header
                  + "a,1,2022-12-01,2023-06-01,100,USD,month\na,1,2023-06-01,,150,USD,month\n"
                  + "b,1,2022-12-01,2023-09-01,100,USD,month\nb,1,2023-09-01,,50,USD,month\n"
                  + "c,1,2022-12-01,2023-05-01,100,USD,month\n"
                  + "d,1,2023-06-01,,500,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        var s = Saas(r, "2024-01");
        Assert.Equal(200m / 300m, s.CohortNrr12);
        Assert.Equal(0.5m, s.CohortGrr12);
        Assert.Equal("0.6667", Money.FormatRatio(s.CohortNrr12));
        Assert.Equal(1m, SaasFormulas.CohortGrr(300m, 300m));
    }

    [Fact]
    public void Cohort_retention_table_by_mrr_and_by_customers()
    {
        var r = Compute(RetentionCsv, "2024-01", "2024-03");
        var rows = r.Cohorts();
        Assert.Equal(3, rows.Count);
        Assert.Equal((3, 300m), (rows[0].Customers, rows[0].StartingMrr));
        Assert.Equal([300m, 200m, 300m], rows[0].RetainedMrr);
        Assert.Equal([3, 2, 2], rows[0].RetainedCustomers);
        Assert.Equal(2m / 3m, rows[0].MrrRetention(1));
        Assert.Equal(2m / 3m, rows[0].CustomerRetention(2));
        Assert.Equal([50m, 50m], rows[1].RetainedMrr);
        Assert.Null(rows[2].MrrRetention(0));
    }

    internal const string RetentionCsv = Header
                                         + "x,1,2024-01-05,,100,USD,month\n"
                                         + "y,1,2024-01-06,2024-02-10,100,USD,month\n"
                                         + "z,1,2024-01-07,2024-03-01,100,USD,month\nz,1,2024-03-01,,200,USD,month\n"
                                         + "w,1,2024-02-01,,50,USD,month\n"
                                         + "old,1,2023-05-01,,70,USD,month\n";
}
