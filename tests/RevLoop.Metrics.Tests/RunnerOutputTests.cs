using System.Text.Json;
using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

public class RunnerOutputTests
{
    // Example 2 of METRICS.md §6 plus a reactivation and an annual plan
    private const string Small = Header
                                 + "c1,s1,2023-12-01,2024-01-05,100,USD,month\n"
                                 + "c1,s1,2024-01-05,,150,USD,month\n"
                                 + "c2,s2,2023-12-01,2024-01-07,100,USD,month\n"
                                 + "c2,s2,2024-01-07,2024-01-20,60,USD,month\n"
                                 + "c3,s3,2023-12-01,,750,USD,month\n"
                                 + "t,t1,2023-12-20,2024-01-10,0,USD,month\n"
                                 + "t,t1,2024-01-10,,100,USD,month\n"
                                 + "c2,s4,2024-03-02,,18.29,USD,year\n";

    private const string SmallCsv =
        "month,mrr_start,new,expansion,reactivation,contraction,churn,mrr_end,customers_start,new_customers,reactivated_customers,churned_customers,customers_end\n"
        + "2023-12,0.00,950.00,0.00,0.00,0.00,0.00,950.00,0,3,0,0,3\n"
        + "2024-01,950.00,100.00,50.00,0.00,40.00,60.00,1000.00,3,1,0,1,3\n"
        + "2024-02,1000.00,0.00,0.00,0.00,0.00,0.00,1000.00,3,0,0,0,3\n"
        + "2024-03,1000.00,0.00,0.00,1.52,0.00,0.00,1001.52,3,0,1,0,4\n";

    [Fact]
    public void Mrr_csv_exact_text()
    {
        var (code, output, err) = RunMrr(Small, new MrrOptions { From = "2023-12", To = "2024-03" });
        Assert.Equal((0, ""), (code, err));
        Assert.Equal(SmallCsv, output);
    }

    [Fact]
    public void Mrr_table_exact_text()
    {
        var (code, output, _) = RunMrr(Small, new MrrOptions { From = "2024-02", To = "2024-03", Format = OutputFormat.Table });
        Assert.Equal(0, code);
        Assert.Equal(
            "month    mrr_start   new  expansion  reactivation  contraction  churn  mrr_end  customers_start  new_customers  reactivated_customers  churned_customers  customers_end\n"
            + "2024-02    1000.00  0.00       0.00          0.00         0.00   0.00  1000.00                3              0                      0                  0              3\n"
            + "2024-03    1000.00  0.00       0.00          1.52         0.00   0.00  1001.52                3              0                      1                  0              4\n",
            output);
    }

    [Fact]
    public void Mrr_json_is_camel_case_with_rounded_money()
    {
        var (code, output, _) = RunMrr(Small, new MrrOptions { From = "2024-01", To = "2024-03", Format = OutputFormat.Json });
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("USD", root.GetProperty("currency").GetString());
        var months = root.GetProperty("months");
        Assert.Equal(3, months.GetArrayLength());
        var jan = months[0];
        Assert.Equal("2024-01", jan.GetProperty("month").GetString());
        Assert.Equal(950m, jan.GetProperty("mrrStart").GetDecimal());
        Assert.Equal(1000m, jan.GetProperty("mrrEnd").GetDecimal());
        Assert.Equal(40m, jan.GetProperty("contraction").GetDecimal());
        Assert.Equal(1, jan.GetProperty("churnedCustomers").GetInt32());
        Assert.Equal(12000m, jan.GetProperty("arr").GetDecimal());
        Assert.Equal(333.33m, jan.GetProperty("arpa").GetDecimal());
        Assert.False(jan.TryGetProperty("fx", out _));
        Assert.Equal(1.52m, months[2].GetProperty("reactivation").GetDecimal());
    }

    [Fact]
    public void Invalid_rows_fail_with_exit_code_2_unless_skipped()
    {
        string csv = Small + "c9,s9,2024-01-01,,12x,USD,month\n,s10,2024-01-01,,1,USD,weekly\n";
        var (code, output, err) = RunMrr(csv, new MrrOptions { From = "2023-12", To = "2024-03" });
        Assert.Equal((2, ""), (code, output));
        Assert.Equal(
            "line 10: amount: invalid number '12x'\n"
            + "line 11: customer_id: missing\n"
            + "line 11: interval: unknown interval 'weekly'\n"
            + "error: 2 invalid row(s); fix them or use --skip-invalid\n",
            err);

        var (code2, output2, err2) = RunMrr(csv, new MrrOptions { From = "2023-12", To = "2024-03", SkipInvalid = true });
        Assert.Equal(0, code2);
        Assert.Equal(SmallCsv, output2);
        Assert.Equal("line 10: amount: invalid number '12x'\nline 11: customer_id: missing\nline 11: interval: unknown interval 'weekly'\n", err2);
    }

    [Theory]
    [InlineData("2024-13", null, "error: invalid --from '2024-13', expected YYYY-MM\n")]
    [InlineData("2024-03", "2024-01", "error: --to 2024-01 is before --from 2024-03\n")]
    public void Bad_options_exit_2(string from, string? to, string message)
    {
        var (code, output, err) = RunMrr(Small, new MrrOptions { From = from, To = to });
        Assert.Equal((2, "", message), (code, output, err));
    }

    [Fact]
    public void Missing_column_exits_2()
    {
        var (code, _, err) = RunMrr("customer_id,start\na,2024-01-01\n", new MrrOptions());
        Assert.Equal((2, "error: missing required column(s): amount, currency, interval\n"), (code, err));
    }

    [Fact]
    public void Option_values_parse()
    {
        Assert.Equal(OutputFormat.Table, MetricsOptionValues.ParseFormat("TABLE"));
        Assert.Equal(ChurnRateVariant.Stripe, MetricsOptionValues.ParseChurnRate("stripe"));
        Assert.Equal(LtvVariant.TrailingSixMonths, MetricsOptionValues.ParseLtv("trailing-6m"));
        Assert.Equal(QuickRatioVariant.WithoutReactivation, MetricsOptionValues.ParseQuickRatio("without-reactivation"));
        Assert.Equal(CacVariant.CostLaggedOnePeriod, MetricsOptionValues.ParseCac("lagged"));
        Assert.Equal(RetentionBasis.Customers, MetricsOptionValues.ParseRetentionBasis("customers"));
        var ex = Assert.Throws<MetricsInputException>(() => MetricsOptionValues.ParseFormat("xml"));
        Assert.Equal("invalid format 'xml', expected one of: csv, json, table", ex.Message);
    }

    [Fact]
    public void Saas_csv_exact_text_with_costs()
    {
        var csv = Header + "a,1,2024-01-03,,100,USD,month\nb,2,2024-01-20,,100,USD,month\nc,3,2023-12-01,2024-02-10,50,USD,month\n";
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = new MetricsCommandRunner().RunSaas(Utf8(csv), Utf8("month,amount\n2024-01,2400\n2024-02,300.5\n"),
            new SaasOptions { From = "2024-01", To = "2024-02", GrossMargin = 0.8m }, stdout, stderr);
        Assert.Equal((0, ""), (code, stderr.ToString()));
        Assert.Equal(
            ReportWriter.SaasCsvHeader + "\n"
            + "2024-01,250.00,3000.00,83.33,3,2,0,0.0000,0.0000,0.0000,1.0000,1.0000,,,,,2400.00,1200.00,15.00\n"
            + "2024-02,200.00,2400.00,100.00,2,0,1,0.3333,0.2000,0.2000,0.8000,0.8000,,,240.00,0.0000,300.50,,\n",
            stdout.ToString());
    }

    [Fact]
    public void Saas_bad_costs_exit_2()
    {
        var stderr = new StringWriter();
        int code = new MetricsCommandRunner().RunSaas(Utf8(Small), Utf8("month,amount\n2024-1,5\n"), new SaasOptions(), new StringWriter(), stderr);
        Assert.Equal((2, "error: costs line 2: month: invalid month '2024-1', expected YYYY-MM\n"), (code, stderr.ToString()));
    }

    [Fact]
    public void Retention_csv_exact_text_by_mrr_and_customers()
    {
        var stdout = new StringWriter();
        int code = new MetricsCommandRunner().RunRetention(Utf8(SaasTests.RetentionCsv), new RetentionOptions { From = "2024-01", To = "2024-03" }, stdout, new StringWriter());
        Assert.Equal(0, code);
        Assert.Equal(
            "cohort,customers,starting_mrr,m0,m1,m2\n"
            + "2024-01,3,300.00,1.0000,0.6667,1.0000\n"
            + "2024-02,1,50.00,1.0000,1.0000,\n"
            + "2024-03,0,0.00,,,\n",
            stdout.ToString());
        stdout = new StringWriter();
        new MetricsCommandRunner().RunRetention(Utf8(SaasTests.RetentionCsv), new RetentionOptions { From = "2024-01", To = "2024-02", By = RetentionBasis.Customers }, stdout, new StringWriter());
        Assert.Equal("cohort,customers,starting_mrr,m0,m1\n2024-01,3,300.00,1.0000,0.6667\n2024-02,1,50.00,1.0000,\n", stdout.ToString());
    }

    [Fact]
    public void Retention_json()
    {
        var stdout = new StringWriter();
        new MetricsCommandRunner().RunRetention(Utf8(SaasTests.RetentionCsv), new RetentionOptions { From = "2024-01", To = "2024-03", Format = OutputFormat.Json }, stdout, new StringWriter());
        using var doc = JsonDocument.Parse(stdout.ToString());
        var c0 = doc.RootElement.GetProperty("cohorts")[0];
        Assert.Equal("2024-01", c0.GetProperty("cohort").GetString());
        Assert.Equal([1m, 0.6667m, 1m], c0.GetProperty("retention").EnumerateArray().Select(e => e.GetDecimal()));
        Assert.Equal([3, 2, 2], c0.GetProperty("retainedCustomers").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("cohorts")[2].GetProperty("retention").EnumerateArray().Single().ValueKind);
    }

    [Fact]
    public void Saas_json_and_table_with_named_options()
    {
        var csv = Header + "a,1,2023-12-01,2024-01-10,100,USD,month\nb,1,2023-12-01,,100,USD,month\nc,1,2023-11-01,2023-11-20,100,USD,month\nc,1,2024-01-12,,100,USD,month\n";
        var stdout = new StringWriter();
        int code = new MetricsCommandRunner().RunSaas(Utf8(csv), null, new SaasOptions
        {
            From = "2024-01", To = "2024-01", Format = OutputFormat.Json,
            ChurnRate = ChurnRateVariant.Stripe, QuickRatio = QuickRatioVariant.WithoutReactivation,
        }, stdout, new StringWriter());
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.ToString());
        var m = doc.RootElement.GetProperty("months")[0];
        Assert.Equal(0.5m, m.GetProperty("customerChurnRate").GetDecimal()); // 1 churned / (2 at start + 0 new)
        Assert.Equal(0m, m.GetProperty("quickRatio").GetDecimal());          // reactivation excluded
        Assert.Equal(JsonValueKind.Null, m.GetProperty("cac").ValueKind);
        Assert.Equal(JsonValueKind.Null, m.GetProperty("cohortNrr12m").ValueKind);
        Assert.Equal(200m, m.GetProperty("mrr").GetDecimal());

        stdout = new StringWriter();
        new MetricsCommandRunner().RunSaas(Utf8(csv), null, new SaasOptions { From = "2024-01", To = "2024-01", Format = OutputFormat.Table }, stdout, new StringWriter());
        // default churn rate 1/2, LTV 100 / 0.5, quick ratio with reactivation (0 + 0 + 100) / 100; empty trailing cells trimmed
        Assert.Equal(
            "month       mrr      arr    arpa  customers  new_customers  churned_customers  customer_churn_rate  gross_mrr_churn  net_mrr_churn     nrr     grr  cohort_nrr_12m  cohort_grr_12m     ltv  quick_ratio  cost  cac  cac_payback_months\n"
            + "2024-01  200.00  2400.00  100.00          2              0                  1               0.5000           0.5000         0.0000  0.5000  0.5000                                  200.00       1.0000\n",
            stdout.ToString());
    }
}
