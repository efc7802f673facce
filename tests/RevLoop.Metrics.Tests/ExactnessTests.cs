using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

/// <summary>
/// Every amount is exact (integers over a common denominator) and rounded half-up to cents only when printed
/// (METRICS.md §2): sums of thirds, weekly and 6-monthly prices, fractional quantities, a property test against a
/// slow BigInteger reference, the magnitudes the engine must handle, and the explicit overflow errors.
/// </summary>
public class ExactnessTests
{
    private static string TestData(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    private static Rational R(string s) => Rational.Parse(s);

    private static Rational ExactEnd(MetricsResult r, string month) => Rational.Of(r.ExactMonthOf(YearMonth.Parse(month)).MrrEnd);

    [Fact]
    public void Tiny_csv_checked_by_hand_prints_189_03_at_the_end_of_march()
    {
        var (code, output, err) = RunMrr(TestData("tiny.csv"), new MrrOptions { From = "2023-12", To = "2024-05" });
        Assert.Equal((0, ""), (code, err));
        Assert.Equal(TestData("tiny.expected.csv"), output);

        // 60 + 18.30/12 + 2 x 100/3 + 2 x 365/12 = 189.025 exactly (the old 1e-8 rounding gave 189.02499999 -> 189.02)
        var r = MetricsEngine.Compute(Table(TestData("tiny.csv")), new MetricsQuery { From = YearMonth.Parse("2023-12"), To = YearMonth.Parse("2024-05") });
        Assert.Equal(R("60") + R("18.30") / 12 + 2 * (R("100") / 3) + 2 * (R("365") / 12), ExactEnd(r, "2024-03"));
        Assert.Equal(R("189.025"), ExactEnd(r, "2024-03"));
        Assert.Equal(189.025m, r.M("2024-03").MrrEnd);
        Assert.Equal("189.03", Money.FormatCents(r.M("2024-03").MrrEnd));
        Assert.Equal(189.025m, r.M("2024-04").MrrStart);
    }

    [Theory]
    [InlineData(3, "100")]
    [InlineData(300, "10000")]
    [InlineData(7, "233.33333333333333333333333333")] // 700/3
    public void Customers_at_100_per_quarter_sum_exactly(int customers, string expected)
    {
        var sb = new StringBuilder(Header);
        for (int i = 0; i < customers; i++) sb.Append($"c{i},s{i},2024-01-01,,100,USD,quarter\n");
        var r = Compute(sb.ToString(), "2024-01", "2024-02");
        Assert.Equal(R("100") * customers / 3, ExactEnd(r, "2024-01"));
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), r.M("2024-01").MrrEnd);
        Assert.Equal(r.M("2024-01").MrrEnd, r.M("2024-01").New);
        Assert.Equal(r.M("2024-01").MrrEnd, r.MrrAt(Utc("2024-01-15")));
        var (_, csv, _) = RunMrr(sb.ToString(), new MrrOptions { From = "2024-01", To = "2024-01" });
        string cents = (R("100") * customers / 3).Format(2);
        Assert.Equal($"2024-01,0.00,{cents},0.00,0.00,0.00,0.00,{cents},0,{customers},0,0,{customers}\n", csv.Split('\n', 2)[1]);
        if (customers == 300) Assert.Equal("10000.00", cents);
        if (customers == 3) Assert.Equal("100.00", cents);
    }

    [Fact]
    public void Three_thirds_on_one_customer_and_their_churn_cancel_exactly()
    {
        var csv = Header
                  + "a,1,2024-01-01,2024-03-01,100,USD,quarter\na,2,2024-01-01,2024-03-01,100,USD,quarter\na,3,2024-01-01,2024-03-01,100,USD,quarter\n";
        var r = Compute(csv, "2024-01", "2024-03");
        Assert.Equal(100m, r.M("2024-01").New);
        Assert.Equal(100m, r.M("2024-03").Churn);
        Assert.Equal(0m, r.M("2024-03").MrrEnd);
        Assert.Equal([new CustomerAmount("a", 100m)], r.CustomersBehind(YearMonth.Parse("2024-03"), MovementKind.Churn));
    }

    [Fact]
    public void Weekly_prices_times_three_customers()
    {
        var csv = Header + "a,1,2024-01-01,,10,USD,week\nb,1,2024-01-01,,10,USD,week\nc,1,2024-01-01,,10.01,USD,week\n";
        var r = Compute(csv, "2024-01", "2024-01");
        // (10 + 10 + 10.01) x 52 / 12 = 130.043333...; one row is 43.333... and its thirds add up exactly
        Assert.Equal(R("30.01") * 52 / 12, ExactEnd(r, "2024-01"));
        Assert.Equal(130.04333333333333333333333333m, r.M("2024-01").MrrEnd);
        var r2 = Compute(Header + "a,1,2024-01-01,,10,USD,week\nb,1,2024-01-01,,10,USD,week\nc,1,2024-01-01,,10,USD,week\n", "2024-01", "2024-01");
        Assert.Equal(130m, r2.M("2024-01").MrrEnd);
        Assert.Equal(1560m, r2.M("2024-01").Arr);
        Assert.Equal(43.333333333333333333333333333m, r2.M("2024-01").Arpa);
    }

    [Fact]
    public void Six_monthly_and_other_interval_counts_are_exact()
    {
        var csv = "customer_id,start,amount,currency,interval,interval_count\n"
                  + "a,2024-01-01,100,USD,month,6\nb,2024-01-01,100,USD,month,6\nc,2024-01-01,100,USD,month,6\n" // 3 x 100/6 = 50
                  + "d,2024-01-01,70,USD,month,7\n"          // 10
                  + "e,2024-01-01,1000,USD,year,11\n"       // 1000/132
                  + "f,2024-01-01,99.99,USD,week,13\n"      // 99.99 x 52 / 156 = 33.33
                  + "g,2024-01-01,5,USD,day,12\n"           // 5 x 365 / 144
                  + "h,2024-01-01,10,USD,quarter,999983\n"; // the largest counts the parser accepts
        var r = Compute(csv, "2024-01", "2024-01");
        var expected = R("50") + 10 + R("1000") / 132 + R("99.99") * 52 / 156 + R("5") * 365 / 144 + R("10") * 4 / (12 * 999983L);
        Assert.Equal(expected, ExactEnd(r, "2024-01"));
        Assert.Equal(expected.ToDecimal(), r.M("2024-01").MrrEnd);
        var six = Compute("customer_id,start,amount,currency,interval,interval_count\na,2024-01-01,100,USD,month,6\nb,2024-01-01,100,USD,month,6\nc,2024-01-01,100,USD,month,6\n", "2024-01", "2024-01");
        Assert.Equal(50m, six.M("2024-01").MrrEnd);
    }

    [Fact]
    public void Fractional_quantity_is_folded_in_exactly()
    {
        var csv = "customer_id,start,amount,currency,interval,quantity\n"
                  + "a,2024-01-01,100,USD,quarter,0.6\n"   // 20
                  + "b,2024-01-01,18.29,USD,year,0.6\n"    // 0.9145
                  + "c,2024-01-01,10,USD,week,0.6\n"       // 26
                  + "d,2024-01-01,9.99,USD,month,0.60\n";  // 5.994
        var r = Compute(csv, "2024-01", "2024-01");
        Assert.Equal(R("52.9085"), ExactEnd(r, "2024-01"));
        Assert.Equal(52.9085m, r.M("2024-01").MrrEnd);
        Assert.Equal("52.91", Money.FormatCents(r.M("2024-01").MrrEnd));
        Assert.Equal([20m, 0.9145m, 26m, 5.994m], Enumerable.Range(0, 4).Select(Table(csv).MonthlyAmount));
        // three customers at 100/quarter x 0.6 plus one at 100/quarter x 0.33333333
        var r2 = Compute("customer_id,start,amount,currency,interval,quantity\na,2024-01-01,100,USD,quarter,0.6\nb,2024-01-01,100,USD,quarter,0.6\nc,2024-01-01,100,USD,quarter,0.6\nd,2024-01-01,100,USD,quarter,0.33333333\n", "2024-01", "2024-01");
        Assert.Equal(R("60") + R("33.333333") / 3, ExactEnd(r2, "2024-01"));
    }

    [Fact]
    public void Records_and_csv_give_the_same_exact_amounts()
    {
        var periods = new[]
        {
            new SubscriptionPeriod("a", "1", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, 100m, "USD", BillingInterval.Quarter, 1, 0.6m),
            new SubscriptionPeriod("b", "2", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, 10.00000000m, "USD", BillingInterval.Week, 6),
            new SubscriptionPeriod("c", "3", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, 18.29m, "USD", BillingInterval.Year),
        };
        var r = MetricsEngine.Compute(periods, new MetricsQuery { From = YearMonth.Parse("2024-01"), To = YearMonth.Parse("2024-01") }, []);
        Assert.Equal(R("20") + R("10") * 52 / 72 + R("18.29") / 12, ExactEnd(r, "2024-01"));
        Assert.Equal(MonthlyFactor.Monthly(10m, BillingInterval.Week, 6), Table(Header.Replace("interval\n", "interval,interval_count\n") + "b,2,2024-01-01,,10,USD,week,6\n").MonthlyAmount(0));
    }

    [Fact]
    public void Fx_conversion_of_thirds_is_exact()
    {
        var rates = FxRateTable.FromRates("USD", [new FxRate(new DateOnly(2024, 1, 1), "EUR", 1.0823m), new FxRate(new DateOnly(2024, 1, 16), "EUR", 1.0824m)]);
        var csv = Header + "a,1,2024-01-01,,100,EUR,quarter\nb,1,2024-01-01,,100,EUR,quarter\nc,1,2024-01-01,,100,EUR,quarter\nd,1,2024-01-01,,10,USD,week\n";
        var r = Compute(csv, "2024-01", "2024-01", currency: "USD", rates: rates);
        var e = r.ExactMonthOf(YearMonth.Parse("2024-01"));
        Assert.Equal(R("100") * R("1.0824") + R("520") / 12, Rational.Of(e.MrrEnd));
        Assert.Equal(R("100") * R("1.0823") + R("520") / 12, Rational.Of(e.New));
        Assert.Equal(R("0.01"), Rational.Of(e.Fx));
        Assert.Equal(e.MrrEnd, e.MrrStart + e.New + e.Expansion + e.Reactivation - e.Contraction - e.Churn + e.Fx);
        Assert.Equal(0.01m, r.M("2024-01").Fx);
    }

    // ---------- property test against a slow BigInteger reference ----------

    private sealed record Row(string Customer, long Start, long End, decimal Amount, BillingInterval Interval, int Count, decimal Quantity)
    {
        public int StartDay => (int)(Start / TimeSpan.TicksPerDay);
        public int EndDay => End == long.MaxValue ? int.MaxValue : (int)(End / TimeSpan.TicksPerDay);

        public Rational Monthly()
        {
            int perYear = Interval switch
            {
                BillingInterval.Day => 365, BillingInterval.Week => 52, BillingInterval.Month => 12, BillingInterval.Quarter => 4, _ => 1,
            };
            return Rational.FromDecimal(Amount) * Rational.FromDecimal(Quantity) * perYear / (12L * Count);
        }
    }

    private static decimal RandomDecimal(Random rnd, int maxIntDigits, int maxScale)
    {
        int scale = rnd.Next(0, maxScale + 1);
        long mantissa = rnd.NextInt64(0, (long)Math.Pow(10, rnd.Next(1, maxIntDigits + 1) + scale));
        return new decimal((int)(mantissa & 0xFFFFFFFF), (int)(mantissa >> 32), 0, false, (byte)scale);
    }

    private static List<Row> RandomRows(int seed, int customers)
    {
        var rnd = new Random(seed);
        var origin = new DateTime(2021, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        decimal[] quantities = [1m, 1m, 1m, 2m, 3m, 0.6m, 1.5m, 0.125m, 0.33333333m];
        int[] counts = [1, 1, 1, 1, 2, 3, 5, 6, 7, 11, 12, 13];
        string[] amounts = ["100", "18.29", "18.30", "10", "9.99", "0", "49.99", "33.33"];
        var rows = new List<Row>();
        for (int c = 0; c < customers; c++)
        {
            string id = "c" + c.ToString(CultureInfo.InvariantCulture);
            var t = origin.AddDays(rnd.Next(0, 1100)).AddMinutes(rnd.Next(3) == 0 ? rnd.Next(1440) : 0);
            int n = rnd.Next(1, 7);
            for (int p = 0; p < n; p++)
            {
                var end = t + (rnd.Next(5) == 0 ? TimeSpan.FromHours(rnd.Next(1, 30)) : TimeSpan.FromDays(rnd.Next(1, 300)));
                bool open = p == n - 1 && rnd.Next(3) == 0;
                decimal amount = rnd.Next(3) == 0 ? RandomDecimal(rnd, 6, 8) : decimal.Parse(amounts[rnd.Next(amounts.Length)], CultureInfo.InvariantCulture);
                decimal quantity = rnd.Next(6) == 0 ? RandomDecimal(rnd, 3, 8) : quantities[rnd.Next(quantities.Length)];
                rows.Add(new Row(id, t.Ticks, open ? long.MaxValue : end.Ticks, amount, (BillingInterval)rnd.Next(5), counts[rnd.Next(counts.Length)], quantity));
                // parallel subscription sometimes, else the next row continues (or follows a gap)
                if (rnd.Next(4) != 0) t = rnd.Next(4) == 0 ? end.AddDays(rnd.Next(1, 120)) : end;
            }
        }
        return rows;
    }

    private static string ToCsv(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder("customer_id,start,end,amount,currency,interval,interval_count,quantity\n");
        foreach (var r in rows)
        {
            sb.Append(r.Customer).Append(',')
              .Append(new DateTime(r.Start, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append(',')
              .Append(r.End == long.MaxValue ? "" : new DateTime(r.End, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append(',')
              .Append(r.Amount.ToString(CultureInfo.InvariantCulture)).Append(",USD,").Append(r.Interval.ToString().ToLowerInvariant()).Append(',')
              .Append(r.Count.ToString(CultureInfo.InvariantCulture)).Append(',').Append(r.Quantity.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return sb.ToString();
    }

    private sealed class RefMonth
    {
        public Rational Start, New, Exp, React, Contr, Churn, End;
        public int CStart, CNew, CReact, CChurn, CEnd;
    }

    /// <summary>
    /// Slow reference: per customer, its exact MRR (BigInteger rationals) re-summed from the rows at every day on which
    /// a row starts or ends, classified per METRICS.md §3.
    /// </summary>
    private static Dictionary<YearMonth, RefMonth> Reference(List<Row> rows, YearMonth from, YearMonth to, int? window)
    {
        var months = new Dictionary<YearMonth, RefMonth>();
        for (var m = from; m <= to; m = m.AddMonths(1)) months[m] = new RefMonth();
        int d0 = from.FirstDay.DayNumber, dl = to.LastDay.DayNumber;
        foreach (var g in rows.GroupBy(r => r.Customer))
        {
            var list = g.Select(r => (r.StartDay, r.EndDay, Monthly: r.Monthly())).ToList();
            Rational At(int day)
            {
                Rational s = Rational.Zero;
                foreach (var r in list) if (r.StartDay <= day && day < r.EndDay) s += r.Monthly;
                return s;
            }
            var days = list.SelectMany(r => new[] { r.StartDay, r.EndDay }).Where(d => d != int.MaxValue && d <= dl).Distinct().Order().ToList();
            Rational prev = Rational.Zero;
            bool everPaid = false;
            int churnDay = 0;
            foreach (int d in days)
            {
                var cur = At(d);
                if (cur == prev) continue;
                var month = d >= d0 ? months[YearMonth.OfDayNumber(d)] : null;
                if (prev.Sign == 0)
                {
                    bool isNew = !everPaid || (window is { } w && d - churnDay > w);
                    everPaid = true;
                    if (month is not null && isNew) { month.New += cur; month.CNew++; }
                    else if (month is not null) { month.React += cur; month.CReact++; }
                }
                else if (cur.Sign == 0)
                {
                    churnDay = d;
                    if (month is not null) { month.Churn += prev; month.CChurn++; }
                }
                else if (month is not null)
                {
                    if (cur > prev) month.Exp += cur - prev;
                    else month.Contr += prev - cur;
                }
                prev = cur;
            }
            var before = At(d0 - 1);
            months[from].Start += before;
            if (before.Sign > 0) months[from].CStart++;
            for (var m = from; m <= to; m = m.AddMonths(1))
            {
                var end = At(m.LastDay.DayNumber);
                months[m].End += end;
                if (end.Sign > 0) months[m].CEnd++;
            }
        }
        for (var m = from.AddMonths(1); m <= to; m = m.AddMonths(1))
        {
            months[m].Start = months[m.AddMonths(-1)].End;
            months[m].CStart = months[m.AddMonths(-1)].CEnd;
        }
        return months;
    }

    [Theory]
    [InlineData(101, null)]
    [InlineData(202, 45)]
    public void Property_engine_equals_bigint_rational_reference_on_random_rows(int seed, int? window)
    {
        var rows = RandomRows(seed, 900);
        Assert.InRange(rows.Count, 2000, 4000);
        var from = new YearMonth(2022, 1);
        var to = new YearMonth(2024, 9);
        string csv = ToCsv(rows);
        var r = Compute(csv, from.ToString(), to.ToString(), window);
        var reference = Reference(rows, from, to, window);
        var printed = new StringBuilder(ReportWriter.MrrCsvHeader + "\n");
        foreach (var m in r.Months)
        {
            var o = reference[m.Month];
            var e = r.ExactMonthOf(m.Month);
            Assert.Equal((o.Start, o.New, o.Exp, o.React, o.Contr, o.Churn, o.End),
                (Rational.Of(e.MrrStart), Rational.Of(e.New), Rational.Of(e.Expansion), Rational.Of(e.Reactivation), Rational.Of(e.Contraction), Rational.Of(e.Churn), Rational.Of(e.MrrEnd)));
            Assert.Equal((o.CStart, o.CNew, o.CReact, o.CChurn, o.CEnd), (m.CustomersStart, m.NewCustomers, m.ReactivatedCustomers, m.ChurnedCustomers, m.CustomersEnd));
            Assert.Equal(o.End.ToDecimal(), m.MrrEnd);
            printed.Append(m.Month).Append(',').AppendJoin(',', new[] { o.Start, o.New, o.Exp, o.React, o.Contr, o.Churn, o.End }.Select(x => x.Format(2)))
                .Append(',').AppendJoin(',', new[] { o.CStart, o.CNew, o.CReact, o.CChurn, o.CEnd }).Append('\n');
        }
        Assert.True(reference.Values.Sum(x => x.CNew + x.CReact + x.CChurn) > 300);
        // the printed report = the exact values rounded half-up to cents, straight from BigInteger
        var (code, output, _) = RunMrr(csv, new MrrOptions { From = from.ToString(), To = to.ToString(), ReactivationWindowDays = window });
        Assert.Equal(0, code);
        Assert.Equal(printed.ToString(), output);
    }

    // ---------- magnitudes and overflow ----------

    [Fact]
    public void Three_million_rows_of_1e9_with_8_decimals_and_quantity_1e6_sum_exactly_also_converted()
    {
        const int rows = 3_000_000, customers = 1000;
        var builder = new PeriodTableBuilder(rows);
        var ids = Enumerable.Range(0, customers).Select(i => builder.Customers.Intern(Encoding.UTF8.GetBytes("c" + i))).ToArray();
        CurrencyIndex.TryKey("EUR"u8, out int eur);
        int cur = builder.CurrencyIndex.Intern(eur);
        long start = new DateTime(2024, 1, 10, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var factors = Enum.GetValues<BillingInterval>().Select(i => builder.Factors.Intern(i, 1)).ToArray();
        const long amount = 99_999_999_999_999_999; // 999,999,999.99999999
        for (int i = 0; i < rows; i++)
            builder.Add(ids[i % customers], start, long.MaxValue, PeriodTableBuilder.Product(amount, 1_000_000), 8, factors[i % 5], cur);
        var table = builder.Build();
        var perRow = R("999999999.99999999") * 1_000_000 / 12;
        var expected = (rows / 5) * perRow * (365 + 52 + 12 + 4 + 1);

        var r = MetricsEngine.Compute(table, new MetricsQuery { From = YearMonth.Parse("2024-01"), To = YearMonth.Parse("2024-01"), ComputeCohorts = false });
        Assert.Equal(expected, ExactEnd(r, "2024-01"));
        Assert.Equal(expected.ToDecimal(), r.M("2024-01").MrrEnd);
        Assert.Equal(expected.Format(2), Money.FormatCents(r.M("2024-01").MrrEnd));

        var rates = FxRateTable.FromRates("USD", [new FxRate(new DateOnly(2024, 1, 1), "EUR", 1.0823m), new FxRate(new DateOnly(2024, 1, 20), "EUR", 1.0825m)]);
        var fx = MetricsEngine.Compute(table, new MetricsQuery { From = YearMonth.Parse("2024-01"), To = YearMonth.Parse("2024-01"), ReportingCurrency = "USD", Rates = rates, ComputeCohorts = false });
        var e = fx.ExactMonthOf(YearMonth.Parse("2024-01"));
        Assert.Equal(expected * R("1.0825"), Rational.Of(e.MrrEnd));
        Assert.Equal(expected * R("0.0002"), Rational.Of(e.Fx));
    }

    [Fact]
    public void Amounts_beyond_exact_integer_range_fail_with_a_clear_error_instead_of_rounding()
    {
        string head = "customer_id,start,amount,currency,interval,interval_count,quantity\n";
        // product of 8-decimal amount and 8-decimal quantity x 365/12 exceeds 2^124
        var (code, output, err) = RunMrr(head + "a,2024-01-01,9999999999.99999999,USD,day,1,999999999.99999999\n", new MrrOptions());
        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith("error: amounts too large to compute exactly", err);

        // the least common multiple of these interval counts does not fit 128 bits
        var sb = new StringBuilder(head);
        foreach (int ic in new[] { 999983, 999979, 999961, 999959, 999953, 999931, 999917 }) sb.Append($"a,2024-01-01,1,USD,month,{ic},1\n");
        (code, _, err) = RunMrr(sb.ToString(), new MrrOptions());
        Assert.Equal(2, code);
        Assert.Equal("error: interval_count values 999917, 999931, 999953, 999959, 999961, 999979, 999983 have a least common multiple too large for exact arithmetic\n", err);

        // fits natively, but not once multiplied by a 12-decimal rate
        string big = head + "a,2024-01-01,9999999999.99999999,EUR,month,1,99999999\n";
        Assert.Equal(0, RunMrr(big, new MrrOptions()).Code);
        (code, _, err) = RunMrr(big, new MrrOptions { ReportingCurrency = "USD", Rates = Utf8("date,currency,rate\n2024-01-01,EUR,999999.123456789012\n") });
        Assert.Equal(2, code);
        Assert.StartsWith("error: amounts and exchange rates too large to compute exactly", err);
    }

    // ---------- decimal conversion ----------

    [Fact]
    public void Conversion_to_decimal_happens_once_and_never_fakes_a_tie()
    {
        static decimal Q(BigInteger n, BigInteger d) => Money.ToDecimal(n, d);
        Assert.Equal(33.333333333333333333333333333m, Q(100, 3));
        Assert.Equal(100m / 3m, Q(100, 3));
        Assert.Equal(2m / 3m, Q(2, 3));
        Assert.Equal(-2m / 3m, Q(-2, 3));
        Assert.Equal(2m / 3m, Q(-2, -3));
        Assert.Equal(189.025m, Q(189025, 1000));
        Assert.Equal(1.5m, Money.ToDecimal(150_000_000, 8)); // the scale overload: units / 10^scale
        Assert.Equal("189.025", Money.ToDecimal(new BigInteger(378050), new BigInteger(2000)).ToString(CultureInfo.InvariantCulture)); // trailing zeros dropped
        Assert.Equal(0.0000000000000000000000000001m, Money.ToDecimal(BigInteger.One, BigInteger.Pow(10, 40)));
        // within 1e-40 of the half-cent 189.025: correct rounding at 28 digits would give the tie 189.025000...0 and print the
        // wrong cent; the conversion keeps an inexact value off the tie so that printing rounds like the exact value
        var den = BigInteger.Pow(10, 43);
        var tie = 189025 * BigInteger.Pow(10, 40);
        Assert.Equal("189.02", Money.FormatCents(Money.ToDecimal(tie - 1, den)));
        Assert.Equal("189.03", Money.FormatCents(Money.ToDecimal(tie, den)));
        Assert.Equal("189.03", Money.FormatCents(Money.ToDecimal(tie + 1, den)));
        Assert.Equal("-189.02", Money.FormatCents(Money.ToDecimal(-(tie - 1), den)));
        Assert.Equal("0.1250", Money.FormatRatio(Money.ToDecimal(BigInteger.Pow(10, 39) * 125, BigInteger.Pow(10, 42))));
        Assert.Equal("0.1249", Money.FormatRatio(Money.ToDecimal(BigInteger.Pow(10, 39) * 12495 - 1, BigInteger.Pow(10, 44))));
        Assert.Equal("0.1250", Money.FormatRatio(Money.ToDecimal(BigInteger.Pow(10, 39) * 12495 + 1, BigInteger.Pow(10, 44))));
        Assert.Throws<OverflowException>(() => Money.ToDecimal(BigInteger.Pow(10, 30), BigInteger.One));
        // the same rational in other terms converts identically
        Assert.Equal(Money.ToDecimal(new BigInteger(1), new BigInteger(7)), Money.ToDecimal(BigInteger.Pow(10, 30), BigInteger.Pow(10, 30) * 7));
    }

    [Fact]
    public void Saas_ratios_are_computed_from_exact_amounts()
    {
        // start 100/3 x 3 = 100; one third churns: gross MRR churn exactly 1/3, printed 0.3333
        var csv = Header + "a,1,2023-12-01,,100,USD,quarter\nb,1,2023-12-01,,100,USD,quarter\nc,1,2023-12-01,2024-01-10,100,USD,quarter\n";
        var r = Compute(csv, "2024-01", "2024-01");
        var s = r.Saas(new SaasSettings()).Single();
        Assert.Equal(1m / 3m, s.GrossMrrChurn);
        Assert.Equal(2m / 3m, s.Grr);
        Assert.Equal(100m / 3m, s.Arpa);
        Assert.Equal(800m, s.Arr);
        Assert.Equal(200m / 3m, s.Mrr);
        Assert.Equal(100m, s.Ltv); // ARPA 100/3 / churn rate 1/3
    }

    [Fact]
    public void Json_money_keeps_two_decimals_from_exact_values()
    {
        var (_, json, _) = RunMrr(Header + "a,1,2024-01-01,,100,USD,quarter\nb,1,2024-01-01,,100,USD,quarter\nc,1,2024-01-01,,100,USD,quarter\n",
            new MrrOptions { From = "2024-01", To = "2024-01", Format = OutputFormat.Json });
        Assert.Contains("\"mrrEnd\": 100.00,", json);
        Assert.Contains("\"arr\": 1200.00,", json);
        Assert.Contains("\"arpa\": 33.33", json);
        Assert.Equal(100.00m, Money.RoundToCents(99.995m));
        Assert.Equal("100.00", Money.RoundToCents(100m).ToString(CultureInfo.InvariantCulture));
    }

    // ---------- colour and progress never reach redirected output ----------

    private static readonly Regex Ansi = new("\u001b\\[[0-9;]*m", RegexOptions.Compiled);

    [Fact]
    public void Table_is_coloured_only_when_asked_and_colour_changes_no_text()
    {
        string csv = TestData("tiny.csv");
        var plain = RunMrr(csv, new MrrOptions { From = "2024-01", To = "2024-04", Format = OutputFormat.Table });
        var coloured = RunMrr(csv, new MrrOptions { From = "2024-01", To = "2024-04", Format = OutputFormat.Table, Color = true });
        Assert.DoesNotContain('\u001b', plain.Out);
        Assert.Contains("\u001b[1mmonth\u001b[0m", coloured.Out);
        Assert.Contains("\u001b[31m99.98\u001b[0m", coloured.Out);   // churn in red
        Assert.Contains("\u001b[32m230.00\u001b[0m", coloured.Out);  // new in green
        Assert.Equal(plain.Out, Ansi.Replace(coloured.Out, ""));
        foreach (var format in new[] { OutputFormat.Csv, OutputFormat.Json })
            Assert.DoesNotContain('\u001b', RunMrr(csv, new MrrOptions { Format = format, Color = true }).Out);

        var stdout = new StringWriter();
        new MetricsCommandRunner().RunSaas(Utf8(csv), null, new SaasOptions { From = "2024-01", To = "2024-04", Format = OutputFormat.Table, Color = true }, stdout, new StringWriter());
        var plainSaas = new StringWriter();
        new MetricsCommandRunner().RunSaas(Utf8(csv), null, new SaasOptions { From = "2024-01", To = "2024-04", Format = OutputFormat.Table }, plainSaas, new StringWriter());
        Assert.Contains('\u001b', stdout.ToString());
        Assert.Equal(plainSaas.ToString(), Ansi.Replace(stdout.ToString(), ""));
    }

    [Fact]
    public void Progress_goes_to_stderr_only_and_is_erased_when_parsing_ends()
    {
        var sb = new StringBuilder(Header);
        for (int i = 0; i < 5; i++) sb.Append('c').Append(i).Append(",s,2024-01-01,,1,USD,month\n");
        sb.Append("bad,s,2024-01-01,,x,USD,month\n");
        string csv = sb.ToString();
        var quiet = RunMrr(csv, new MrrOptions { From = "2024-01", To = "2024-01", SkipInvalid = true });
        var shown = RunMrr(csv, new MrrOptions { From = "2024-01", To = "2024-01", SkipInvalid = true, ShowProgress = true, ProgressEvery = 2 });
        Assert.Equal(0, shown.Code);
        Assert.Equal(quiet.Out, shown.Out);
        // the progress line is erased before the invalid rows are listed
        Assert.Matches(@"^\rreading subscriptions: 2 rows \(\d+%\)\rreading subscriptions: 4 rows \(\d+%\)\rreading subscriptions: 6 rows \(\d+%\)\r\u001b\[K", shown.Err);
        Assert.EndsWith("\r\u001b[K" + quiet.Err, shown.Err);
        // at the real interval, small inputs never show it
        Assert.Equal(quiet.Err, RunMrr(csv, new MrrOptions { From = "2024-01", To = "2024-01", SkipInvalid = true, ShowProgress = true }).Err);
    }

    [Fact]
    public void Reader_reports_progress_every_500k_rows()
    {
        var sb = new StringBuilder(Header, 20_000_000);
        for (int i = 0; i < 1_000_001; i++) sb.Append('c').Append(i % 1000).Append(",s,2024-01-01,,1,USD,month\n");
        var calls = new List<long>();
        var table = PeriodCsvReader.Read(Utf8(sb.ToString()), [], calls.Add);
        Assert.Equal(1_000_001, table.Count);
        Assert.Equal([500_000L, 1_000_000L], calls);
    }
}
