using System.Text;
using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

/// <summary>METRICS.md §6 items 1-7, each through the formulas and through the whole engine.</summary>
public class WorkedExampleTests
{
    [Fact]
    public void Example1_100_monthly_at_100_and_50_yearly_at_600_is_12500()
    {
        var sb = new StringBuilder(Header);
        for (int i = 0; i < 100; i++) sb.Append($"m{i},s{i},2024-01-01,,100,USD,month\n");
        for (int i = 0; i < 50; i++) sb.Append($"y{i},t{i},2024-01-01,,600,USD,year\n");
        var r = Compute(sb.ToString(), "2024-01", "2024-02");
        Assert.Equal(12500m, r.MrrAt(Utc("2024-01-15")));
        Assert.Equal(150000m, r.ArrAt(Utc("2024-01-15")));
        Assert.Equal(12500m, r.M("2024-01").MrrEnd);
        Assert.Equal(12500m, r.M("2024-01").New);
        Assert.Equal(150, r.M("2024-01").NewCustomers);
        Assert.Equal(12500m, r.M("2024-02").MrrEnd);
        Assert.Equal(50m, MonthlyFactor.Monthly(600m, BillingInterval.Year));
    }

    [Fact]
    public void Example2_roll_forward_1000_to_1050()
    {
        var sb = new StringBuilder(Header);
        for (int i = 1; i <= 10; i++)
        {
            if (i == 1) sb.Append("c1,s1,2023-12-01,2024-01-05,100,USD,month\nc1,s1,2024-01-05,,150,USD,month\n");
            else if (i == 2) sb.Append("c2,s2,2023-12-01,2024-01-07,100,USD,month\nc2,s2,2024-01-07,2024-01-20,60,USD,month\n");
            else sb.Append($"c{i},s{i},2023-12-01,,100,USD,month\n");
        }
        sb.Append("trial,t1,2023-12-20,2024-01-10,0,USD,month\ntrial,t1,2024-01-10,,100,USD,month\n");
        var r = Compute(sb.ToString(), "2024-01", "2024-01");
        var jan = r.M("2024-01");
        AssertMonth(jan, start: 1000m, @new: 100m, exp: 50m, react: 0m, contr: 40m, churn: 60m, end: 1050m, 10, 1, 0, 1, 10);
        Assert.Equal(jan.MrrStart + jan.New + jan.Expansion + jan.Reactivation - jan.Contraction - jan.Churn, jan.MrrEnd);
        Assert.Equal([new CustomerAmount("trial", 100m)], r.CustomersBehind(YearMonth.Parse("2024-01"), MovementKind.New));
        Assert.Equal([new CustomerAmount("c1", 50m)], r.CustomersBehind(YearMonth.Parse("2024-01"), MovementKind.Expansion));
        Assert.Equal([new CustomerAmount("c2", 40m)], r.CustomersBehind(YearMonth.Parse("2024-01"), MovementKind.Contraction));
        Assert.Equal([new CustomerAmount("c2", 60m)], r.CustomersBehind(YearMonth.Parse("2024-01"), MovementKind.Churn));
    }

    [Fact]
    public void Example3_arpa_of_100_100_300_500_500_is_300()
    {
        var csv = Header + "a,1,2024-01-01,,100,USD,month\nb,2,2024-01-01,,100,USD,month\nc,3,2024-01-01,,300,USD,month\n"
                  + "d,4,2024-01-01,,500,USD,month\ne,5,2024-01-01,,500,USD,month\nfree,6,2024-01-01,,0,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        Assert.Equal(300m, r.M("2024-01").Arpa);
        Assert.Equal(300m, r.ArpaAt(Utc("2024-01-10")));
        Assert.Equal(5, r.CustomersAt(Utc("2024-01-10")));
        Assert.Equal(300m, SaasFormulas.Arpa(1500m, 5));
        Assert.Null(SaasFormulas.Arpa(0m, 0));
    }

    [Fact]
    public void Example4_ltv_arpa_100_churn_5_percent_is_2000()
    {
        Assert.Equal(2000m, SaasFormulas.Ltv(100m, 0.05m));
        Assert.Null(SaasFormulas.Ltv(100m, 0m));
        var sb = new StringBuilder(Header);
        for (int i = 0; i < 20; i++) sb.Append($"c{i},s{i},2023-12-01,{(i == 0 ? "2024-01-15" : "")},100,USD,month\n");
        var r = Compute(sb.ToString(), "2024-01", "2024-01");
        var s = r.Saas(new SaasSettings()).Single();
        Assert.Equal(100m, s.Arpa);
        Assert.Equal(0.05m, s.CustomerChurnRate);
        Assert.Equal(2000m, s.Ltv);
    }

    [Fact]
    public void Example5_gross_net_churn_nrr_grr()
    {
        Assert.Equal(0.2m, SaasFormulas.GrossMrrChurn(10m, 10m, 100m));
        Assert.Equal(0.1m, SaasFormulas.NetMrrChurn(10m, 10m, 10m, 0m, 100m));
        Assert.Equal(0.9m, SaasFormulas.Nrr(100m, 10m, 10m, 10m));
        Assert.Equal(0.8m, SaasFormulas.Grr(100m, 10m, 10m));
        var csv = Header
                  + "a,1,2023-12-01,2024-01-10,10,USD,month\n"
                  + "b,2,2023-12-01,2024-01-12,20,USD,month\nb,2,2024-01-12,,10,USD,month\n"
                  + "c,3,2023-12-01,2024-01-20,30,USD,month\nc,3,2024-01-20,,40,USD,month\n"
                  + "d,4,2023-12-01,,40,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        var s = r.Saas(new SaasSettings()).Single();
        Assert.Equal((0.2m, 0.1m, 0.9m, 0.8m), (s.GrossMrrChurn, s.NetMrrChurn, s.Nrr, s.Grr));
        AssertMonth(r.M("2024-01"), 100m, 0m, 10m, 0m, 10m, 10m, 90m, 4, 0, 0, 1, 3);
    }

    [Fact]
    public void Example6_quick_ratio_is_3_5()
    {
        Assert.Equal(3.5m, SaasFormulas.QuickRatio(20m, 8m, 0m, 5m, 3m));
        Assert.Null(SaasFormulas.QuickRatio(20m, 8m, 0m, 0m, 0m));
        var csv = Header
                  + "x,1,2023-12-01,2024-01-10,5,USD,month\n"
                  + "y,2,2023-12-01,2024-01-11,10,USD,month\ny,2,2024-01-11,,18,USD,month\n"
                  + "z,3,2023-12-01,2024-01-12,10,USD,month\nz,3,2024-01-12,,7,USD,month\n"
                  + "n,4,2024-01-05,,20,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        Assert.Equal(3.5m, r.Saas(new SaasSettings()).Single().QuickRatio);
    }

    [Fact]
    public void Example7_cac_payback_15_months()
    {
        Assert.Equal(15m, SaasFormulas.CacPayback(1200m, 100m, 0.8m));
        Assert.Equal(1200m, SaasFormulas.Cac(2400m, 2));
        var csv = Header + "a,1,2024-01-03,,100,USD,month\nb,2,2024-01-20,,100,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        var costs = new[] { new MonthlyCost(YearMonth.Parse("2024-01"), 2400m) };
        var s = r.Saas(new SaasSettings(GrossMargin: 0.8m), costs).Single();
        Assert.Equal((2400m, 1200m, 15m), (s.Cost, s.Cac, s.CacPayback));
    }
}
