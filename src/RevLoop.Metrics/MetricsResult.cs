using System.Numerics;

namespace RevLoop.Metrics;

/// <summary>
/// MRR roll-forward of one month. Contraction and churn are positive amounts that are subtracted:
/// MrrEnd = MrrStart + New + Expansion + Reactivation - Contraction - Churn + Fx (exactly).
/// MrrStart = MRR at the end of the day before the month; MrrEnd = at the end of the month's last day.
/// Customer counts count movements (a customer who churns and comes back in one month counts in both).
/// </summary>
public sealed record MonthlyMrr(
    YearMonth Month,
    decimal MrrStart,
    decimal New,
    decimal Expansion,
    decimal Reactivation,
    decimal Contraction,
    decimal Churn,
    decimal Fx,
    decimal MrrEnd,
    int CustomersStart,
    int NewCustomers,
    int ReactivatedCustomers,
    int ChurnedCustomers,
    int CustomersEnd)
{
    private readonly decimal? _arr;
    private readonly decimal? _arpa;
    private readonly bool _arpaSet;

    /// <summary>ARR at the end of the month = MRR x 12 (from the exact MRR when the engine built the record).</summary>
    public decimal Arr { get => _arr ?? MrrEnd * 12; init => _arr = value; }

    /// <summary>
    /// ARPA at the end of the month = MRR / customers with MRR &gt; 0; null when there are none
    /// (from the exact MRR when the engine built the record).
    /// </summary>
    public decimal? Arpa
    {
        get => _arpaSet ? _arpa : SaasFormulas.Arpa(MrrEnd, CustomersEnd);
        init { _arpa = value; _arpaSet = true; }
    }

    public decimal Movement(MovementKind kind) => kind switch
    {
        MovementKind.New => New,
        MovementKind.Expansion => Expansion,
        MovementKind.Reactivation => Reactivation,
        MovementKind.Contraction => Contraction,
        _ => Churn,
    };
}

/// <summary>The exact amounts of one month's roll-forward.</summary>
internal readonly record struct ExactMonth(Fraction MrrStart, Fraction New, Fraction Expansion, Fraction Reactivation, Fraction Contraction,
    Fraction Churn, Fraction Fx, Fraction MrrEnd);

/// <summary>A customer and an amount (MRR or a movement) in the result currency.</summary>
public sealed record CustomerAmount(string CustomerId, decimal Amount);

/// <summary>The result of <see cref="MetricsEngine.Compute(PeriodTable, MetricsQuery)"/>: the same numbers for CLI, API and UI.</summary>
public sealed class MetricsResult
{
    private readonly MetricsEngine.Walker _w;
    private readonly BigInteger _den;
    private readonly ulong _den64; // _den when it fits in 64 bits, else 0
    private readonly int _fromIdx; // window index of From

    internal MetricsResult(MetricsEngine.Walker w, string currency, bool fx)
    {
        _w = w;
        _den = w.Denominator;
        _den64 = _den <= ulong.MaxValue ? (ulong)_den : 0;
        Currency = currency;
        HasFx = fx;
        From = w.From;
        To = w.To;
        _fromIdx = 12;
        var months = new List<MonthlyMrr>(w.M - 12);
        for (int m = 12; m < w.M; m++) months.Add(BuildMonth(m));
        Months = months;
    }

    /// <summary>Currency of every amount: the reporting currency, or the single currency of the input.</summary>
    public string Currency { get; }

    /// <summary>True when amounts were converted into a reporting currency (an fx line exists).</summary>
    public bool HasFx { get; }

    public YearMonth From { get; }
    public YearMonth To { get; }

    /// <summary>One entry per month, From to To inclusive.</summary>
    public IReadOnlyList<MonthlyMrr> Months { get; }

    internal MetricsEngine.Walker Walker => _w;

    /// <summary>An exact amount (numerator over the result's denominator) as a decimal, rounded only here.</summary>
    internal decimal D(Int128 units) => _den64 != 0 ? Money.ToDecimalOver(units, _den64) : Money.ToDecimal(units, _den);

    /// <summary>An exact amount as a fraction, for derived metrics.</summary>
    internal Fraction F(Int128 units) => new(units, _den);

    /// <summary>Window index (0 = 12 months before From) of a month; -1 when outside From-12..To.</summary>
    internal int WindowIndex(YearMonth month)
    {
        int i = month.Index - _w.W0.Index;
        return i >= 0 && i < _w.M ? i : -1;
    }

    internal MonthlyMrr BuildMonth(int m) => new(
        _w.W0.AddMonths(m),
        D(_w.MrrStart[m]), D(_w.New[m]), D(_w.Exp[m]), D(_w.React[m]), D(_w.Contr[m]), D(_w.Churn[m]), D(_w.FxLine[m]), D(_w.MrrEnd[m]),
        _w.CustStart[m], _w.NewCnt[m], _w.ReactCnt[m], _w.ChurnCnt[m], _w.CustEnd[m])
    {
        Arr = (F(_w.MrrEnd[m]) * 12).ToDecimal(),
        Arpa = SaasFormulas.Exact.Arpa(F(_w.MrrEnd[m]), _w.CustEnd[m])?.ToDecimal(),
    };

    /// <summary>The roll-forward of <paramref name="month"/> (From-12 .. To are available).</summary>
    public MonthlyMrr Month(YearMonth month)
    {
        int m = WindowIndex(month);
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(month), $"{month} is outside {From.AddMonths(-12)}..{To}");
        return BuildMonth(m);
    }

    /// <summary>The exact amounts of a month's roll-forward (for checks; the decimals of <see cref="Month"/> are these, rounded once).</summary>
    internal ExactMonth ExactMonthOf(YearMonth month)
    {
        int m = WindowIndex(month);
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(month));
        return new(F(_w.MrrStart[m]), F(_w.New[m]), F(_w.Exp[m]), F(_w.React[m]), F(_w.Contr[m]), F(_w.Churn[m]), F(_w.FxLine[m]), F(_w.MrrEnd[m]));
    }

    /// <summary>
    /// Drill-down: the customers behind a movement of a month, with their summed movement amount in that month,
    /// largest first. Requires <see cref="MetricsQuery.CollectCustomerMovements"/>. The amounts add up exactly
    /// to the month's movement total.
    /// </summary>
    public IReadOnlyList<CustomerAmount> CustomersBehind(YearMonth month, MovementKind kind) =>
        CustomersBehindUnits(month, kind)
            .Select(kv => new CustomerAmount(_w.Table.Customers.GetId(kv.Key), D(kv.Value)))
            .OrderByDescending(x => x.Amount).ThenBy(x => x.CustomerId, StringComparer.Ordinal)
            .ToList();

    /// <summary>Exact version of <see cref="CustomersBehind"/> (customer id, amount), in no particular order.</summary>
    internal IReadOnlyList<(string CustomerId, Fraction Amount)> CustomersBehindExact(YearMonth month, MovementKind kind) =>
        CustomersBehindUnits(month, kind).Select(kv => (_w.Table.Customers.GetId(kv.Key), F(kv.Value))).ToList();

    private Dictionary<int, Int128> CustomersBehindUnits(YearMonth month, MovementKind kind)
    {
        var log = _w.Log ?? throw new InvalidOperationException("CollectCustomerMovements was not enabled in the query");
        var sums = new Dictionary<int, Int128>();
        int m = WindowIndex(month);
        if (m < 0) return sums;
        for (int i = 0; i < log.Count; i++)
        {
            if (log.Month[i] != m || log.Kind[i] != kind) continue;
            sums[log.Customer[i]] = sums.GetValueOrDefault(log.Customer[i]) + log.Amount[i];
        }
        return sums;
    }

    /// <summary>Exact MRR per customer (MRR &gt; 0 only) at an instant.</summary>
    internal IReadOnlyList<(string CustomerId, Fraction Amount)> MrrByCustomerAtExact(DateTime instant)
    {
        var per = PerCustomerAt(instant);
        var list = new List<(string, Fraction)>();
        for (int c = 0; c < per.Length; c++)
            if (per[c] > 0) list.Add((_w.Table.Customers.GetId(c), F(per[c])));
        return list;
    }

    /// <summary>MRR per customer (MRR &gt; 0 only) at an exact instant: rows with start &lt;= instant &lt; end.</summary>
    public IReadOnlyList<CustomerAmount> MrrByCustomerAt(DateTime instant)
    {
        var per = PerCustomerAt(instant);
        var list = new List<CustomerAmount>();
        for (int c = 0; c < per.Length; c++)
            if (per[c] > 0) list.Add(new CustomerAmount(_w.Table.Customers.GetId(c), D(per[c])));
        return list;
    }

    /// <summary>MRR per customer (MRR &gt; 0 only) at the end of the last day of <paramref name="month"/> (the month's mrr_end view).</summary>
    public IReadOnlyList<CustomerAmount> MrrByCustomerAtEndOf(YearMonth month) =>
        MrrByCustomerAt(month.LastDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(1).AddTicks(-1));

    /// <summary>Total MRR at an exact instant (rows with start &lt;= instant &lt; end; FX at the rate of that day).</summary>
    public decimal MrrAt(DateTime instant)
    {
        Int128 total = 0;
        foreach (var v in PerCustomerAt(instant)) total += v;
        return D(total);
    }

    public decimal ArrAt(DateTime instant)
    {
        Int128 total = 0;
        foreach (var v in PerCustomerAt(instant)) total += v;
        return (F(total) * 12).ToDecimal();
    }

    public int CustomersAt(DateTime instant)
    {
        int n = 0;
        foreach (var v in PerCustomerAt(instant)) if (v > 0) n++;
        return n;
    }

    public decimal? ArpaAt(DateTime instant)
    {
        Int128 total = 0;
        int n = 0;
        foreach (var v in PerCustomerAt(instant)) { total += v; if (v > 0) n++; }
        return SaasFormulas.Exact.Arpa(F(total), n)?.ToDecimal();
    }

    private Int128[] PerCustomerAt(DateTime instant)
    {
        var t = _w.Table;
        long ticks = (instant.Kind == DateTimeKind.Local ? instant.ToUniversalTime() : instant).Ticks;
        var per = new Int128[t.Customers.Count];
        long[]? rate = null;
        if (HasFx)
        {
            rate = new long[t.Currencies.Count];
            int day = (int)(ticks / TimeSpan.TicksPerDay);
            for (int c = 0; c < rate.Length; c++)
                rate[c] = _w.Rates!.HasRates(t.Currencies[c]) ? _w.Rates.RateUnits(t.Currencies[c], day) / _w.RateDivisor : 0;
        }
        for (int i = 0; i < t.Count; i++)
        {
            if (t.StartTicks[i] <= ticks && ticks < t.EndTicks[i])
                per[t.Customer[i]] += rate is null ? t.Monthly[i] : MetricsEngine.Mul(t.Monthly[i], rate[t.Currency[i]]);
        }
        return per;
    }

    /// <summary>Cohort retention table for cohorts From..To (cohort = month of first MRR &gt; 0).</summary>
    public IReadOnlyList<CohortRow> Cohorts()
    {
        if (_w.RetMrr.Length == 0) throw new InvalidOperationException("ComputeCohorts was disabled in the query");
        var rows = new List<CohortRow>();
        for (int c = _fromIdx; c < _w.M; c++)
        {
            var mrr = _w.RetMrr[c].Select(D).ToArray();
            var start = F(_w.CohortStartMrr[c]);
            int size = _w.CohortSize[c];
            rows.Add(new CohortRow(_w.W0.AddMonths(c), size, start.ToDecimal(), mrr, _w.RetCust[c].ToArray())
            {
                ExactMrrRetention = _w.RetMrr[c].Select(v => start.IsZero ? (decimal?)null : (F(v) / start).ToDecimal()).ToArray(),
            });
        }
        return rows;
    }

    /// <summary>SaaS rates per month From..To (METRICS.md §4).</summary>
    public IReadOnlyList<SaasMonth> Saas(SaasSettings settings, IReadOnlyList<MonthlyCost>? costs = null) =>
        SaasCalculator.Compute(this, settings ?? new SaasSettings(), costs);
}

/// <summary>
/// One cohort: customers whose first MRR &gt; 0 fell in <paramref name="Cohort"/>. StartingMrr = sum of each member's
/// first MRR (its "new" movement). Cell k (k = 0 is the cohort month) = value at the end of month Cohort+k.
/// </summary>
public sealed record CohortRow(YearMonth Cohort, int Customers, decimal StartingMrr, IReadOnlyList<decimal> RetainedMrr, IReadOnlyList<int> RetainedCustomers)
{
    /// <summary>Retention ratios from the exact amounts, when the engine built the row.</summary>
    internal IReadOnlyList<decimal?>? ExactMrrRetention { get; init; }

    /// <summary>Retained MRR at the end of month k / starting MRR; null when the cohort is empty.</summary>
    public decimal? MrrRetention(int k) =>
        ExactMrrRetention is { } exact ? exact[k] : StartingMrr == 0 ? null : (Fraction.FromDecimal(RetainedMrr[k]) / Fraction.FromDecimal(StartingMrr)).ToDecimal();

    /// <summary>Customers with MRR &gt; 0 at the end of month k / cohort size; null when the cohort is empty.</summary>
    public decimal? CustomerRetention(int k) => Customers == 0 ? null : new Fraction(RetainedCustomers[k], Customers).ToDecimal();
}
