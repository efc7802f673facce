using System.Text;

namespace RevLoop.Metrics;

/// <summary>Customer churn rate definition. Default: churned (excluding new/reactivated/returned in the period) / customers at start.</summary>
public enum ChurnRateVariant { Default, Stripe }

/// <summary>LTV churn input. Default: the period's customer churn rate; TrailingSixMonths: mean of the 6 previous months' rates (current month excluded).</summary>
public enum LtvVariant { Default, TrailingSixMonths }

/// <summary>Quick ratio numerator with (default) or without reactivation.</summary>
public enum QuickRatioVariant { Default, WithoutReactivation }

/// <summary>CAC cost: the period's cost (default) or the previous period's cost (lagged one period).</summary>
public enum CacVariant { Default, CostLaggedOnePeriod }

/// <summary>Named options of METRICS.md §4. GrossMargin is a fraction (0.8 = 80%).</summary>
public sealed record SaasSettings(
    ChurnRateVariant ChurnRate = ChurnRateVariant.Default,
    LtvVariant Ltv = LtvVariant.Default,
    decimal GrossMargin = 1m,
    QuickRatioVariant QuickRatio = QuickRatioVariant.Default,
    CacVariant Cac = CacVariant.Default);

/// <summary>Sales and marketing cost of a month.</summary>
public sealed record MonthlyCost(YearMonth Month, decimal Amount);

/// <summary>SaaS rates of one month (the period). Ratios are fractions (0.05 = 5%); null = none (division by zero or no data).</summary>
public sealed record SaasMonth(
    YearMonth Month,
    decimal Mrr,
    decimal Arr,
    decimal? Arpa,
    int Customers,
    int NewCustomers,
    int ChurnedCustomers,
    decimal? CustomerChurnRate,
    decimal? GrossMrrChurn,
    decimal? NetMrrChurn,
    decimal? Nrr,
    decimal? Grr,
    decimal? CohortNrr12,
    decimal? CohortGrr12,
    decimal? Ltv,
    decimal? QuickRatio,
    decimal? Cost,
    decimal? Cac,
    decimal? CacPayback);

/// <summary>
/// The formulas of METRICS.md §4, defined once (in <see cref="Exact"/>, on exact fractions; the decimal versions
/// convert their arguments exactly and round the result once). Every function returns null where the metric is "none".
/// </summary>
public static class SaasFormulas
{
    private static Fraction F(decimal v) => Fraction.FromDecimal(v);
    private static Fraction? F(decimal? v) => v is { } x ? Fraction.FromDecimal(x) : null;
    private static decimal? D(Fraction? v) => v?.ToDecimal();

    public static decimal? Arpa(decimal mrr, int customers) => D(Exact.Arpa(F(mrr), customers));

    /// <summary>Default: churned customers (not new, reactivated or returned in the period) / customers with MRR &gt; 0 at start.</summary>
    public static decimal? CustomerChurnRate(int churned, int customersStart) => D(Exact.CustomerChurnRate(churned, customersStart));

    /// <summary>Stripe: churned / (customers at start + new customers).</summary>
    public static decimal? CustomerChurnRateStripe(int churned, int customersStart, int newCustomers) =>
        D(Exact.CustomerChurnRateStripe(churned, customersStart, newCustomers));

    /// <summary>(churn + contraction) / MRR at start.</summary>
    public static decimal? GrossMrrChurn(decimal churn, decimal contraction, decimal mrrStart) => D(Exact.GrossMrrChurn(F(churn), F(contraction), F(mrrStart)));

    /// <summary>(churn + contraction - expansion - reactivation) / MRR at start.</summary>
    public static decimal? NetMrrChurn(decimal churn, decimal contraction, decimal expansion, decimal reactivation, decimal mrrStart) =>
        D(Exact.NetMrrChurn(F(churn), F(contraction), F(expansion), F(reactivation), F(mrrStart)));

    /// <summary>Period NRR: (start + expansion - contraction - churn) / start, movements of customers active at start.</summary>
    public static decimal? Nrr(decimal start, decimal expansion, decimal contraction, decimal churn) => D(Exact.Nrr(F(start), F(expansion), F(contraction), F(churn)));

    /// <summary>Period GRR: (start - contraction - churn) / start, movements of customers active at start.</summary>
    public static decimal? Grr(decimal start, decimal contraction, decimal churn) => D(Exact.Grr(F(start), F(contraction), F(churn)));

    /// <summary>Cohort NRR (12 m): MRR now of customers active 12 months ago / their MRR 12 months ago.</summary>
    public static decimal? CohortNrr(decimal now, decimal then) => D(Exact.CohortNrr(F(now), F(then)));

    /// <summary>Cohort GRR (12 m): sum of min(now, then) per customer / sum of then (never above 1).</summary>
    public static decimal? CohortGrr(decimal sumOfMin, decimal then) => D(Exact.CohortGrr(F(sumOfMin), F(then)));

    /// <summary>LTV = ARPA x gross margin / customer churn rate; none when churn is 0 (or unknown).</summary>
    public static decimal? Ltv(decimal? arpa, decimal? churnRate, decimal grossMargin = 1m) => D(Exact.Ltv(F(arpa), F(churnRate), F(grossMargin)));

    /// <summary>(new + expansion + reactivation) / (churn + contraction); none when the denominator is 0.</summary>
    public static decimal? QuickRatio(decimal @new, decimal expansion, decimal reactivation, decimal churn, decimal contraction, bool withReactivation = true) =>
        D(Exact.QuickRatio(F(@new), F(expansion), F(reactivation), F(churn), F(contraction), withReactivation));

    /// <summary>Sales and marketing cost / new customers; none without new customers or cost.</summary>
    public static decimal? Cac(decimal? cost, int newCustomers) => D(Exact.Cac(F(cost), newCustomers));

    /// <summary>CAC payback (months) = CAC / (ARPA of new customers x gross margin).</summary>
    public static decimal? CacPayback(decimal? cac, decimal? arpaOfNewCustomers, decimal grossMargin = 1m) =>
        D(Exact.CacPayback(F(cac), F(arpaOfNewCustomers), F(grossMargin)));

    /// <summary>The definitions, on exact fractions (the engine uses these directly on its exact amounts).</summary>
    internal static class Exact
    {
        public static Fraction? Arpa(Fraction mrr, int customers) => customers > 0 ? mrr / customers : null;

        public static Fraction? CustomerChurnRate(int churned, int customersStart) => customersStart > 0 ? new Fraction(churned, customersStart) : null;

        public static Fraction? CustomerChurnRateStripe(int churned, int customersStart, int newCustomers) =>
            customersStart + newCustomers > 0 ? new Fraction(churned, customersStart + (long)newCustomers) : null;

        public static Fraction? GrossMrrChurn(Fraction churn, Fraction contraction, Fraction mrrStart) =>
            mrrStart.Sign > 0 ? (churn + contraction) / mrrStart : null;

        public static Fraction? NetMrrChurn(Fraction churn, Fraction contraction, Fraction expansion, Fraction reactivation, Fraction mrrStart) =>
            mrrStart.Sign > 0 ? (churn + contraction - expansion - reactivation) / mrrStart : null;

        public static Fraction? Nrr(Fraction start, Fraction expansion, Fraction contraction, Fraction churn) =>
            start.Sign > 0 ? (start + expansion - contraction - churn) / start : null;

        public static Fraction? Grr(Fraction start, Fraction contraction, Fraction churn) =>
            start.Sign > 0 ? (start - contraction - churn) / start : null;

        public static Fraction? CohortNrr(Fraction now, Fraction then) => then.Sign > 0 ? now / then : null;

        public static Fraction? CohortGrr(Fraction sumOfMin, Fraction then) => then.Sign > 0 ? sumOfMin / then : null;

        public static Fraction? Ltv(Fraction? arpa, Fraction? churnRate, Fraction grossMargin) =>
            arpa is null || churnRate is null || churnRate.Value.IsZero ? null : arpa.Value * grossMargin / churnRate.Value;

        public static Fraction? QuickRatio(Fraction @new, Fraction expansion, Fraction reactivation, Fraction churn, Fraction contraction, bool withReactivation)
        {
            var den = churn + contraction;
            return den.IsZero ? null : (@new + expansion + (withReactivation ? reactivation : 0)) / den;
        }

        public static Fraction? Cac(Fraction? cost, int newCustomers) => cost is null || newCustomers == 0 ? null : cost.Value / newCustomers;

        public static Fraction? CacPayback(Fraction? cac, Fraction? arpaOfNewCustomers, Fraction grossMargin) =>
            cac is null || arpaOfNewCustomers is null || arpaOfNewCustomers.Value.IsZero || grossMargin.IsZero
                ? null
                : cac.Value / (arpaOfNewCustomers.Value * grossMargin);
    }
}

internal static class SaasCalculator
{
    public static IReadOnlyList<SaasMonth> Compute(MetricsResult r, SaasSettings s, IReadOnlyList<MonthlyCost>? costs)
    {
        var w = r.Walker;
        Dictionary<int, Fraction>? costByMonth = null;
        if (costs is not null)
        {
            costByMonth = new();
            foreach (var c in costs) costByMonth[c.Month.Index] = costByMonth.GetValueOrDefault(c.Month.Index) + Fraction.FromDecimal(c.Amount);
        }
        var margin = Fraction.FromDecimal(s.GrossMargin);

        Fraction? ChurnRate(int m) => s.ChurnRate == ChurnRateVariant.Stripe
            ? SaasFormulas.Exact.CustomerChurnRateStripe(w.ChurnCnt[m], w.CustStart[m], w.NewCnt[m])
            : SaasFormulas.Exact.CustomerChurnRate(w.ChurnForRate[m], w.CustStart[m]);

        static decimal? D(Fraction? v) => v?.ToDecimal();

        var list = new List<SaasMonth>();
        for (int m = 12; m < w.M; m++)
        {
            var ym = w.W0.AddMonths(m);
            Fraction mrrStart = r.F(w.MrrStart[m]), mrrEnd = r.F(w.MrrEnd[m]);
            Fraction nw = r.F(w.New[m]), exp = r.F(w.Exp[m]), react = r.F(w.React[m]), contr = r.F(w.Contr[m]), churn = r.F(w.Churn[m]);
            Fraction? arpa = SaasFormulas.Exact.Arpa(mrrEnd, w.CustEnd[m]);
            Fraction? churnRate = ChurnRate(m);
            Fraction? ltvChurn = churnRate;
            if (s.Ltv == LtvVariant.TrailingSixMonths)
            {
                Fraction sum = 0;
                int n = 0;
                for (int k = m - 6; k < m; k++)
                {
                    if (ChurnRate(k) is { } cr) { sum += cr; n++; }
                }
                ltvChurn = n == 0 ? null : sum / n;
            }
            Fraction? cost = null;
            if (costByMonth is not null)
            {
                int key = s.Cac == CacVariant.CostLaggedOnePeriod ? ym.Index - 1 : ym.Index;
                if (costByMonth.TryGetValue(key, out var cv)) cost = cv;
            }
            Fraction? cac = SaasFormulas.Exact.Cac(cost, w.NewCnt[m]);
            Fraction? arpaNew = SaasFormulas.Exact.Arpa(nw, w.NewCnt[m]);
            bool cohorts = w.RetMrr.Length != 0;
            list.Add(new SaasMonth(
                ym,
                mrrEnd.ToDecimal(),
                (mrrEnd * 12).ToDecimal(),
                D(arpa),
                w.CustEnd[m],
                w.NewCnt[m],
                w.ChurnCnt[m],
                D(churnRate),
                D(SaasFormulas.Exact.GrossMrrChurn(churn, contr, mrrStart)),
                D(SaasFormulas.Exact.NetMrrChurn(churn, contr, exp, react, mrrStart)),
                D(SaasFormulas.Exact.Nrr(mrrStart, r.F(w.ExistExp[m]), r.F(w.ExistContr[m]), r.F(w.ExistChurn[m]))),
                D(SaasFormulas.Exact.Grr(mrrStart, r.F(w.ExistContr[m]), r.F(w.ExistChurn[m]))),
                cohorts ? D(SaasFormulas.Exact.CohortNrr(r.F(w.CohortNum[m]), r.F(w.CohortDen[m]))) : null,
                cohorts ? D(SaasFormulas.Exact.CohortGrr(r.F(w.CohortMin[m]), r.F(w.CohortDen[m]))) : null,
                D(SaasFormulas.Exact.Ltv(arpa, ltvChurn, margin)),
                D(SaasFormulas.Exact.QuickRatio(nw, exp, react, churn, contr, s.QuickRatio == QuickRatioVariant.Default)),
                D(cost),
                D(cac),
                D(SaasFormulas.Exact.CacPayback(cac, arpaNew, margin))));
        }
        return list;
    }
}

/// <summary>Reads a sales and marketing cost CSV: header month,amount (month YYYY-MM; repeated months are added).</summary>
public static class CostCsvReader
{
    public static IReadOnlyList<MonthlyCost> Read(Stream csv)
    {
        var reader = new CsvRecordReader(csv, 1 << 16);
        if (!reader.Read()) throw new MetricsInputException("costs: empty input, header month,amount required");
        int cMonth = -1, cAmount = -1;
        for (int i = 0; i < reader.FieldCount; i++)
        {
            switch (Encoding.UTF8.GetString(reader.Field(i)).Trim().ToLowerInvariant())
            {
                case "month": cMonth = i; break;
                case "amount": cAmount = i; break;
            }
        }
        if (cMonth < 0 || cAmount < 0) throw new MetricsInputException("costs: header must contain month and amount");
        int headerFields = reader.FieldCount;
        var list = new List<MonthlyCost>();
        while (reader.Read())
        {
            long line = reader.Line;
            if (reader.Malformed is not null || reader.FieldCount != headerFields)
                throw new MetricsInputException($"costs line {line}: row: expected {headerFields} fields");
            string monthText = Encoding.UTF8.GetString(reader.Field(cMonth));
            if (!YearMonth.TryParse(monthText, out var month))
                throw new MetricsInputException($"costs line {line}: month: invalid month '{monthText}', expected YYYY-MM");
            var st = FixedPoint.Parse(reader.Field(cAmount), Money.NativeScale, 15, out long m, out int sc);
            if (st != FixedPoint.Status.Ok)
                throw new MetricsInputException($"costs line {line}: amount: invalid amount '{PeriodCsvReader.Text(reader.Field(cAmount))}'");
            list.Add(new MonthlyCost(month, Money.ToDecimal(m, sc)));
        }
        return list;
    }
}
