using System.Text;

namespace RevLoop.Metrics.Tests;

internal static class TestUtil
{
    public const string Header = "customer_id,subscription_id,start,end,amount,currency,interval\n";

    public static MemoryStream Utf8(string s) => new(Encoding.UTF8.GetBytes(s));

    public static PeriodTable Table(string csv)
    {
        var errors = new List<RowError>();
        var table = PeriodCsvReader.Read(Utf8(csv), errors);
        Assert.Empty(errors);
        return table;
    }

    public static MetricsResult Compute(string csv, string from, string to, int? window = null, string? currency = null, FxRateTable? rates = null)
        => MetricsEngine.Compute(Table(csv), new MetricsQuery
        {
            From = YearMonth.Parse(from),
            To = YearMonth.Parse(to),
            ReactivationWindowDays = window,
            ReportingCurrency = currency,
            Rates = rates,
            CollectCustomerMovements = true,
        });

    public static MonthlyMrr M(this MetricsResult r, string month) => r.Month(YearMonth.Parse(month));

    public static DateTime Utc(string s) => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    /// <summary>Asserts every field of a month row (contraction and churn as positive amounts).</summary>
    public static void AssertMonth(MonthlyMrr m, decimal start, decimal @new, decimal exp, decimal react, decimal contr, decimal churn, decimal end,
        int cStart, int cNew, int cReact, int cChurn, int cEnd, decimal fx = 0m)
    {
        Assert.Equal(
            (start, @new, exp, react, contr, churn, fx, end, cStart, cNew, cReact, cChurn, cEnd),
            (m.MrrStart, m.New, m.Expansion, m.Reactivation, m.Contraction, m.Churn, m.Fx, m.MrrEnd, m.CustomersStart, m.NewCustomers, m.ReactivatedCustomers, m.ChurnedCustomers, m.CustomersEnd));
    }

    public static (int Code, string Out, string Err) RunMrr(string csv, MrrOptions o)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = new MetricsCommandRunner().RunMrr(Utf8(csv), o, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
