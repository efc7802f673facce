using System.Globalization;
using System.Text;

namespace RevLoop.Metrics.Tests;

/// <summary>
/// Seeded random data checked against a naive day-by-day oracle in exact BigInteger rationals and the roll-forward identity
/// (exactly, on the engine's exact amounts, and on the printed decimals).
/// </summary>
public class GeneratedDataTests
{
    private static int PerYear(BillingInterval i) => i switch
    {
        BillingInterval.Day => 365, BillingInterval.Week => 52, BillingInterval.Month => 12, BillingInterval.Quarter => 4, _ => 1,
    };

    private sealed record Row(string Customer, long Start, long End, decimal Amount, string Currency, BillingInterval Interval, int Count, int Quantity)
    {
        public Rational Monthly { get; } = Rational.FromDecimal(Amount) * Quantity * PerYear(Interval) / (12 * Count);
        public int StartDay => (int)(Start / TimeSpan.TicksPerDay);
        public int EndDay => End == long.MaxValue ? int.MaxValue : (int)(End / TimeSpan.TicksPerDay);
    }

    private static List<Row> Generate(int seed, int customers, string[] currencies)
    {
        var rnd = new Random(seed);
        var rows = new List<Row>();
        var origin = new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        string[] amounts = ["0", "10", "29.99", "18.29", "100", "250.5", "9.99"];
        var intervals = Enum.GetValues<BillingInterval>();
        for (int c = 0; c < customers; c++)
        {
            string id = "cust" + c.ToString(CultureInfo.InvariantCulture);
            int subs = rnd.Next(1, 4);
            for (int s = 0; s < subs; s++)
            {
                var t = origin.AddDays(rnd.Next(0, 1000)).AddMinutes(rnd.Next(4) == 0 ? rnd.Next(0, 1440) : 0);
                string cur = currencies[rnd.Next(currencies.Length)];
                int pieces = rnd.Next(1, 5);
                for (int p = 0; p < pieces; p++)
                {
                    // lengths from 0 (same instant), same day, to ~a year
                    var len = rnd.Next(6) switch
                    {
                        0 => TimeSpan.FromHours(rnd.Next(0, 20)),
                        1 => TimeSpan.FromDays(1),
                        _ => TimeSpan.FromDays(rnd.Next(1, 400)) + TimeSpan.FromMinutes(rnd.Next(3) == 0 ? rnd.Next(1440) : 0),
                    };
                    var end = t + len;
                    bool open = p == pieces - 1 && rnd.Next(3) == 0;
                    rows.Add(new Row(id, t.Ticks, open ? long.MaxValue : end.Ticks, decimal.Parse(amounts[rnd.Next(amounts.Length)], CultureInfo.InvariantCulture), cur,
                        intervals[rnd.Next(intervals.Length)], rnd.Next(5) == 0 ? 6 : 1, rnd.Next(1, 4)));
                    if (open) break;
                    t = rnd.Next(4) == 0 ? end.AddDays(rnd.Next(1, 200)) : end;
                }
            }
        }
        // shuffle so that rows are not grouped by customer (exercises the counting sort)
        for (int i = rows.Count - 1; i > 0; i--)
        {
            int j = rnd.Next(i + 1);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
        return rows;
    }

    private static string ToCsv(List<Row> rows)
    {
        var sb = new StringBuilder("customer_id,subscription_id,start,end,amount,currency,interval,interval_count,quantity\n");
        foreach (var r in rows)
        {
            sb.Append(r.Customer).Append(",s,")
              .Append(new DateTime(r.Start, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append(',')
              .Append(r.End == long.MaxValue ? "" : new DateTime(r.End, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append(',')
              .Append(r.Amount.ToString(CultureInfo.InvariantCulture)).Append(',').Append(r.Currency).Append(',')
              .Append(r.Interval.ToString().ToLowerInvariant()).Append(',').Append(r.Count).Append(',').Append(r.Quantity).Append('\n');
        }
        return sb.ToString();
    }

    private sealed class OracleMonth
    {
        public Rational Start = Rational.Zero, New = Rational.Zero, Exp = Rational.Zero, React = Rational.Zero, Contr = Rational.Zero,
            Churn = Rational.Zero, Fx = Rational.Zero, End = Rational.Zero;
        public int CStart, CNew, CReact, CChurn, CEnd;
    }

    private static Rational Sum<T>(IEnumerable<T> items, Func<T, Rational> f)
    {
        var s = Rational.Zero;
        foreach (var x in items) s += f(x);
        return s;
    }

    /// <summary>Compares a month exactly (engine's exact amounts) and as decimals (each exact amount converted once).</summary>
    private static void AssertOracle(MetricsResult r, MonthlyMrr m, OracleMonth o)
    {
        var e = r.ExactMonthOf(m.Month);
        Assert.Equal((o.Start, o.New, o.Exp, o.React, o.Contr, o.Churn, o.Fx, o.End),
            (Rational.Of(e.MrrStart), Rational.Of(e.New), Rational.Of(e.Expansion), Rational.Of(e.Reactivation), Rational.Of(e.Contraction),
                Rational.Of(e.Churn), Rational.Of(e.Fx), Rational.Of(e.MrrEnd)));
        TestUtil.AssertMonth(m, o.Start.ToDecimal(), o.New.ToDecimal(), o.Exp.ToDecimal(), o.React.ToDecimal(), o.Contr.ToDecimal(), o.Churn.ToDecimal(),
            o.End.ToDecimal(), o.CStart, o.CNew, o.CReact, o.CChurn, o.CEnd, o.Fx.ToDecimal());
    }

    /// <summary>Day-by-day, customer-by-customer evaluation straight from METRICS.md §3.</summary>
    private static Dictionary<YearMonth, OracleMonth> Oracle(List<Row> rows, YearMonth from, YearMonth to, int? window, Func<string, int, Rational> rate)
    {
        var result = new Dictionary<YearMonth, OracleMonth>();
        for (var m = from; m <= to; m = m.AddMonths(1)) result[m] = new OracleMonth();
        int d0 = from.FirstDay.DayNumber, dl = to.LastDay.DayNumber;
        foreach (var g in rows.GroupBy(r => r.Customer))
        {
            var list = g.ToList();
            int first = list.Min(r => r.StartDay) - 1;
            var currencies = list.Select(r => r.Currency).Distinct().ToList();
            var memo = new Dictionary<(string, int), Rational>();
            Rational Native(string cur, int day)
            {
                if (!memo.TryGetValue((cur, day), out var v))
                    memo[(cur, day)] = v = Sum(list.Where(r => r.Currency == cur && r.StartDay <= day && day < r.EndDay), r => r.Monthly);
                return v;
            }
            bool everPaid = false;
            int churnDay = 0;
            for (int d = first + 1; d <= dl; d++)
            {
                Rational before = 0, after = 0, fx = 0, nb = 0, na = 0;
                foreach (var cur in currencies)
                {
                    Rational b = Native(cur, d - 1), a = Native(cur, d);
                    nb += b;
                    na += a;
                    before += b * rate(cur, d);
                    after += a * rate(cur, d);
                    fx += b * (rate(cur, d) - rate(cur, d - 1));
                }
                if (d == d0 && nb > 0) { result[from].Start += Sum(currencies, c => Native(c, d - 1) * rate(c, d - 1)); result[from].CStart++; }
                bool inRange = d >= d0;
                var om = inRange ? result[YearMonth.OfDayNumber(d)] : null;
                if (om is not null) om.Fx += fx;
                if (nb == 0 && na > 0)
                {
                    bool isNew = !everPaid || (window is { } w && d - churnDay > w);
                    everPaid = true;
                    if (om is null) continue;
                    if (isNew) { om.New += after; om.CNew++; } else { om.React += after; om.CReact++; }
                }
                else if (nb > 0 && na == 0)
                {
                    churnDay = d;
                    if (om is null) continue;
                    om.Churn += before;
                    om.CChurn++;
                }
                else if (nb > 0 && om is not null)
                {
                    if (after > before) om.Exp += after - before;
                    else om.Contr += before - after;
                }
            }
            for (var m = from; m <= to; m = m.AddMonths(1))
            {
                int last = m.LastDay.DayNumber;
                Rational end = Sum(currencies, c => Native(c, last) * rate(c, last));
                result[m].End += end;
                if (Sum(currencies, c => Native(c, last)) > 0) result[m].CEnd++;
            }
        }
        for (var m = from.AddMonths(1); m <= to; m = m.AddMonths(1))
        {
            result[m].Start = result[m.AddMonths(-1)].End;
            result[m].CStart = result[m.AddMonths(-1)].CEnd;
        }
        return result;
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, 30)]
    [InlineData(3, 0)]
    public void Engine_matches_day_by_day_oracle(int seed, int? window)
    {
        var rows = Generate(seed, 150, ["USD"]);
        var from = new YearMonth(2022, 7);
        var to = new YearMonth(2024, 6);
        var r = TestUtil.Compute(ToCsv(rows), from.ToString(), to.ToString(), window);
        var oracle = Oracle(rows, from, to, window, (_, _) => 1);
        foreach (var m in r.Months) AssertOracle(r, m, oracle[m.Month]);
        Assert.True(r.Months.Sum(m => m.New + m.Reactivation + m.Churn) > 0);
    }

    [Fact]
    public void Engine_matches_oracle_with_three_currencies_and_daily_rates()
    {
        var rnd = new Random(7);
        var from = new YearMonth(2023, 1);
        var to = new YearMonth(2023, 12);
        var rates = new List<FxRate>();
        foreach (var (cur, baseRate) in new[] { ("EUR", 1.1m), ("GBP", 1.25m) })
        {
            for (var d = from.AddMonths(-13).FirstDay; d <= to.LastDay; d = d.AddDays(1))
                if (rnd.Next(3) != 0) rates.Add(new FxRate(d, cur, baseRate + rnd.Next(-500, 500) / 10000m));
        }
        var table = FxRateTable.FromRates("USD", rates);
        var rows = Generate(11, 120, ["USD", "EUR", "GBP"]);
        var r = TestUtil.Compute(ToCsv(rows), from.ToString(), to.ToString(), currency: "USD", rates: table);
        var oracle = Oracle(rows, from, to, null, (c, d) => c == "USD" ? 1 : Rational.FromDecimal(table.RateOn(c, DateOnly.FromDayNumber(d))));
        foreach (var m in r.Months)
        {
            AssertOracle(r, m, oracle[m.Month]);
            var e = r.ExactMonthOf(m.Month);
            Assert.Equal(e.MrrEnd, e.MrrStart + e.New + e.Expansion + e.Reactivation - e.Contraction - e.Churn + e.Fx);
            Assert.NotEqual(0m, m.Fx);
        }
    }

    [Fact]
    public void Roll_forward_identity_holds_every_month_on_many_customers()
    {
        var rows = Generate(99, 20000, ["USD"]);
        var from = new YearMonth(2022, 1);
        var to = new YearMonth(2025, 6);
        var r = TestUtil.Compute(ToCsv(rows), from.ToString(), to.ToString(), window: 90);
        Assert.Equal(42, r.Months.Count);
        MonthlyMrr? prev = null;
        foreach (var m in r.Months)
        {
            var e = r.ExactMonthOf(m.Month);
            Assert.Equal(e.MrrEnd, e.MrrStart + e.New + e.Expansion + e.Reactivation - e.Contraction - e.Churn);
            Assert.Equal(m.CustomersEnd, m.CustomersStart + m.NewCustomers + m.ReactivatedCustomers - m.ChurnedCustomers);
            if (prev is not null) Assert.Equal((prev.MrrEnd, prev.CustomersEnd), (m.MrrStart, m.CustomersStart));
            foreach (var kind in Enum.GetValues<MovementKind>())
            {
                var exact = kind switch
                {
                    MovementKind.New => e.New, MovementKind.Expansion => e.Expansion, MovementKind.Reactivation => e.Reactivation,
                    MovementKind.Contraction => e.Contraction, _ => e.Churn,
                };
                Assert.Equal(Rational.Of(exact), Sum(r.CustomersBehindExact(m.Month, kind), x => Rational.Of(x.Amount)));
                Assert.Equal(m.Movement(kind), Rational.Of(exact).ToDecimal());
            }
            Assert.Equal(m.NewCustomers + m.ReactivatedCustomers > 0, r.CustomersBehind(m.Month, MovementKind.New).Count + r.CustomersBehind(m.Month, MovementKind.Reactivation).Count > 0);
            prev = m;
        }
        Assert.Equal(0m, r.Months[0].MrrStart);
        Assert.True(r.Months.Max(m => m.CustomersEnd) > 5000);
        // end of the last day = the last tick before the next month: the exact-instant view agrees
        var last = r.Months[^1];
        var instant = to.LastDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(1).AddTicks(-1);
        var perCustomer = r.MrrByCustomerAt(instant);
        Assert.Equal(last.CustomersEnd, perCustomer.Count);
        Assert.Equal(Rational.Of(r.ExactMonthOf(to).MrrEnd), Sum(r.MrrByCustomerAtExact(instant), x => Rational.Of(x.Amount)));
        Assert.Equal(last.MrrEnd, r.MrrAt(instant));
    }
    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void Cohort_metrics_match_oracle(int seed)
    {
        var rows = Generate(seed, 200, ["USD"]);
        var from = new YearMonth(2023, 1);
        var to = new YearMonth(2024, 12);
        var r = TestUtil.Compute(ToCsv(rows), from.ToString(), to.ToString());
        var saas = r.Saas(new SaasSettings()).ToDictionary(x => x.Month);
        var cohorts = r.Cohorts().ToDictionary(x => x.Cohort);
        var num = new Dictionary<YearMonth, Rational>();
        var den = new Dictionary<YearMonth, Rational>();
        var min = new Dictionary<YearMonth, Rational>();
        var size = new Dictionary<YearMonth, int>();
        var start = new Dictionary<YearMonth, Rational>();
        var retained = new Dictionary<(YearMonth, int), (Rational Mrr, int Customers)>();
        foreach (var g in rows.GroupBy(x => x.Customer))
        {
            var list = g.ToList();
            Rational At(int day) => Sum(list.Where(x => x.StartDay <= day && day < x.EndDay), x => x.Monthly);
            Rational MonthEnd(YearMonth m) => At(m.LastDay.DayNumber);
            int firstPaid = Enumerable.Range(list.Min(x => x.StartDay), to.LastDay.DayNumber - list.Min(x => x.StartDay) + 1).FirstOrDefault(d => At(d) > 0, -1);
            if (firstPaid >= 0 && YearMonth.OfDayNumber(firstPaid) >= from)
            {
                var c = YearMonth.OfDayNumber(firstPaid);
                size[c] = size.GetValueOrDefault(c) + 1;
                start[c] = start.GetValueOrDefault(c) + At(firstPaid);
                for (var m = c; m <= to; m = m.AddMonths(1))
                {
                    var v = MonthEnd(m);
                    var cur = retained.GetValueOrDefault((c, m.Index - c.Index));
                    retained[(c, m.Index - c.Index)] = (cur.Mrr + v, cur.Customers + (v > 0 ? 1 : 0));
                }
            }
            for (var m = from; m <= to; m = m.AddMonths(1))
            {
                var then = MonthEnd(m.AddMonths(-12));
                if (then <= 0) continue;
                var now = MonthEnd(m);
                num[m] = num.GetValueOrDefault(m) + now;
                den[m] = den.GetValueOrDefault(m) + then;
                min[m] = min.GetValueOrDefault(m) + Rational.Min(now, then);
            }
        }
        decimal? Ratio(Rational a, Rational b) => b.Sign > 0 ? (a / b).ToDecimal() : null;
        for (var m = from; m <= to; m = m.AddMonths(1))
        {
            Assert.Equal(Ratio(num.GetValueOrDefault(m), den.GetValueOrDefault(m)), saas[m].CohortNrr12);
            Assert.Equal(Ratio(min.GetValueOrDefault(m), den.GetValueOrDefault(m)), saas[m].CohortGrr12);
            var row = cohorts[m];
            Assert.Equal((size.GetValueOrDefault(m), start.GetValueOrDefault(m).ToDecimal()), (row.Customers, row.StartingMrr));
            for (int k = 0; k < row.RetainedMrr.Count; k++)
            {
                var e = retained.GetValueOrDefault((m, k));
                Assert.Equal((e.Mrr.ToDecimal(), e.Customers), (row.RetainedMrr[k], row.RetainedCustomers[k]));
                Assert.Equal(Ratio(e.Mrr, start.GetValueOrDefault(m)), row.MrrRetention(k));
            }
        }
        Assert.True(den.Count > 5);
        Assert.True(size.Values.Sum() > 20);
    }
}
