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
    /// <summary>ARR at the end of the month = MRR x 12.</summary>
    public decimal Arr => MrrEnd * 12;

    /// <summary>ARPA at the end of the month = MRR / customers with MRR &gt; 0; null when there are none.</summary>
    public decimal? Arpa => SaasFormulas.Arpa(MrrEnd, CustomersEnd);

    public decimal Movement(MovementKind kind) => kind switch
    {
        MovementKind.New => New,
        MovementKind.Expansion => Expansion,
        MovementKind.Reactivation => Reactivation,
        MovementKind.Contraction => Contraction,
        _ => Churn,
    };
}

/// <summary>A customer and an amount (MRR or a movement) in the result currency.</summary>
public sealed record CustomerAmount(string CustomerId, decimal Amount);

/// <summary>The result of <see cref="MetricsEngine.Compute(PeriodTable, MetricsQuery)"/>: the same numbers for CLI, API and UI.</summary>
public sealed class MetricsResult
{
    private readonly MetricsEngine.Walker _w;
    private readonly int _scale;
    private readonly int _fromIdx; // window index of From

    internal MetricsResult(MetricsEngine.Walker w, string currency, bool fx)
    {
        _w = w;
        _scale = w.Scale;
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

    internal decimal D(Int128 units) => Money.ToDecimal(units, _scale);

    /// <summary>Window index (0 = 12 months before From) of a month; -1 when outside From-12..To.</summary>
    internal int WindowIndex(YearMonth month)
    {
        int i = month.Index - _w.W0.Index;
        return i >= 0 && i < _w.M ? i : -1;
    }

    internal MonthlyMrr BuildMonth(int m) => new(
        _w.W0.AddMonths(m),
        D(_w.MrrStart[m]), D(_w.New[m]), D(_w.Exp[m]), D(_w.React[m]), D(_w.Contr[m]), D(_w.Churn[m]), D(_w.FxLine[m]), D(_w.MrrEnd[m]),
        _w.CustStart[m], _w.NewCnt[m], _w.ReactCnt[m], _w.ChurnCnt[m], _w.CustEnd[m]);

    /// <summary>The roll-forward of <paramref name="month"/> (From-12 .. To are available).</summary>
    public MonthlyMrr Month(YearMonth month)
    {
        int m = WindowIndex(month);
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(month), $"{month} is outside {From.AddMonths(-12)}..{To}");
        return BuildMonth(m);
    }

    /// <summary>
    /// Drill-down: the customers behind a movement of a month, with their summed movement amount in that month,
    /// largest first. Requires <see cref="MetricsQuery.CollectCustomerMovements"/>. The amounts add up exactly
    /// to the month's movement total.
    /// </summary>
    public IReadOnlyList<CustomerAmount> CustomersBehind(YearMonth month, MovementKind kind)
    {
        var log = _w.Log ?? throw new InvalidOperationException("CollectCustomerMovements was not enabled in the query");
        int m = WindowIndex(month);
        if (m < 0) return [];
        var sums = new Dictionary<int, Int128>();
        for (int i = 0; i < log.Count; i++)
        {
            if (log.Month[i] != m || log.Kind[i] != kind) continue;
            sums[log.Customer[i]] = sums.GetValueOrDefault(log.Customer[i]) + log.Amount[i];
        }
        return sums
            .Select(kv => new CustomerAmount(_w.Table.Customers.GetId(kv.Key), D(kv.Value)))
            .OrderByDescending(x => x.Amount).ThenBy(x => x.CustomerId, StringComparer.Ordinal)
            .ToList();
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

    public decimal ArrAt(DateTime instant) => MrrAt(instant) * 12;

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
        return SaasFormulas.Arpa(D(total), n);
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
                rate[c] = _w.Rates!.HasRates(t.Currencies[c]) ? _w.Rates.RateUnits(t.Currencies[c], day) : 0;
        }
        for (int i = 0; i < t.Count; i++)
        {
            if (t.StartTicks[i] <= ticks && ticks < t.EndTicks[i])
                per[t.Customer[i]] += rate is null ? t.Monthly[i] : (Int128)t.Monthly[i] * rate[t.Currency[i]];
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
            rows.Add(new CohortRow(_w.W0.AddMonths(c), _w.CohortSize[c], D(_w.CohortStartMrr[c]), mrr, _w.RetCust[c].ToArray()));
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
    /// <summary>Retained MRR at the end of month k / starting MRR; null when the cohort is empty.</summary>
    public decimal? MrrRetention(int k) => StartingMrr == 0 ? null : RetainedMrr[k] / StartingMrr;

    /// <summary>Customers with MRR &gt; 0 at the end of month k / cohort size; null when the cohort is empty.</summary>
    public decimal? CustomerRetention(int k) => Customers == 0 ? null : (decimal)RetainedCustomers[k] / Customers;
}
