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

/// <summary>The formulas of METRICS.md §4, defined once. Every function returns null where the metric is "none".</summary>
public static class SaasFormulas
{
    public static decimal? Arpa(decimal mrr, int customers) => customers > 0 ? mrr / customers : null;

    /// <summary>Default: churned customers (not new, reactivated or returned in the period) / customers with MRR &gt; 0 at start.</summary>
    public static decimal? CustomerChurnRate(int churned, int customersStart) => customersStart > 0 ? (decimal)churned / customersStart : null;

    /// <summary>Stripe: churned / (customers at start + new customers).</summary>
    public static decimal? CustomerChurnRateStripe(int churned, int customersStart, int newCustomers) =>
        customersStart + newCustomers > 0 ? (decimal)churned / (customersStart + newCustomers) : null;

    /// <summary>(churn + contraction) / MRR at start.</summary>
    public static decimal? GrossMrrChurn(decimal churn, decimal contraction, decimal mrrStart) =>
        mrrStart > 0 ? (churn + contraction) / mrrStart : null;

    /// <summary>(churn + contraction - expansion - reactivation) / MRR at start.</summary>
    public static decimal? NetMrrChurn(decimal churn, decimal contraction, decimal expansion, decimal reactivation, decimal mrrStart) =>
        mrrStart > 0 ? (churn + contraction - expansion - reactivation) / mrrStart : null;

    /// <summary>Period NRR: (start + expansion - contraction - churn) / start, movements of customers active at start.</summary>
    public static decimal? Nrr(decimal start, decimal expansion, decimal contraction, decimal churn) =>
        start > 0 ? (start + expansion - contraction - churn) / start : null;

    /// <summary>Period GRR: (start - contraction - churn) / start, movements of customers active at start.</summary>
    public static decimal? Grr(decimal start, decimal contraction, decimal churn) =>
        start > 0 ? (start - contraction - churn) / start : null;

    /// <summary>Cohort NRR (12 m): MRR now of customers active 12 months ago / their MRR 12 months ago.</summary>
    public static decimal? CohortNrr(decimal now, decimal then) => then > 0 ? now / then : null;

    /// <summary>Cohort GRR (12 m): sum of min(now, then) per customer / sum of then (never above 1).</summary>
    public static decimal? CohortGrr(decimal sumOfMin, decimal then) => then > 0 ? sumOfMin / then : null;

    /// <summary>LTV = ARPA x gross margin / customer churn rate; none when churn is 0 (or unknown).</summary>
    public static decimal? Ltv(decimal? arpa, decimal? churnRate, decimal grossMargin = 1m) =>
        arpa is null || churnRate is null || churnRate == 0 ? null : arpa.Value * grossMargin / churnRate.Value;

    /// <summary>(new + expansion + reactivation) / (churn + contraction); none when the denominator is 0.</summary>
    public static decimal? QuickRatio(decimal @new, decimal expansion, decimal reactivation, decimal churn, decimal contraction, bool withReactivation = true)
    {
        decimal den = churn + contraction;
        return den == 0 ? null : (@new + expansion + (withReactivation ? reactivation : 0)) / den;
    }

    /// <summary>Sales and marketing cost / new customers; none without new customers or cost.</summary>
    public static decimal? Cac(decimal? cost, int newCustomers) => cost is null || newCustomers == 0 ? null : cost.Value / newCustomers;

    /// <summary>CAC payback (months) = CAC / (ARPA of new customers x gross margin).</summary>
    public static decimal? CacPayback(decimal? cac, decimal? arpaOfNewCustomers, decimal grossMargin = 1m) =>
        cac is null || arpaOfNewCustomers is null || arpaOfNewCustomers == 0 || grossMargin == 0
            ? null
            : cac.Value / (arpaOfNewCustomers.Value * grossMargin);
}

internal static class SaasCalculator
{
    public static IReadOnlyList<SaasMonth> Compute(MetricsResult r, SaasSettings s, IReadOnlyList<MonthlyCost>? costs)
    {
        var w = r.Walker;
        Dictionary<int, decimal>? costByMonth = null;
        if (costs is not null)
        {
            costByMonth = new();
            foreach (var c in costs) costByMonth[c.Month.Index] = costByMonth.GetValueOrDefault(c.Month.Index) + c.Amount;
        }

        decimal? ChurnRate(int m) => s.ChurnRate == ChurnRateVariant.Stripe
            ? SaasFormulas.CustomerChurnRateStripe(w.ChurnCnt[m], w.CustStart[m], w.NewCnt[m])
            : SaasFormulas.CustomerChurnRate(w.ChurnForRate[m], w.CustStart[m]);

        var list = new List<SaasMonth>();
        for (int m = 12; m < w.M; m++)
        {
            var ym = w.W0.AddMonths(m);
            decimal mrrStart = r.D(w.MrrStart[m]), mrrEnd = r.D(w.MrrEnd[m]);
            decimal nw = r.D(w.New[m]), exp = r.D(w.Exp[m]), react = r.D(w.React[m]), contr = r.D(w.Contr[m]), churn = r.D(w.Churn[m]);
            decimal? arpa = SaasFormulas.Arpa(mrrEnd, w.CustEnd[m]);
            decimal? churnRate = ChurnRate(m);
            decimal? ltvChurn = churnRate;
            if (s.Ltv == LtvVariant.TrailingSixMonths)
            {
                decimal sum = 0;
                int n = 0;
                for (int k = m - 6; k < m; k++)
                {
                    if (ChurnRate(k) is { } cr) { sum += cr; n++; }
                }
                ltvChurn = n == 0 ? null : sum / n;
            }
            decimal? cost = null;
            if (costByMonth is not null)
            {
                int key = s.Cac == CacVariant.CostLaggedOnePeriod ? ym.Index - 1 : ym.Index;
                if (costByMonth.TryGetValue(key, out var cv)) cost = cv;
            }
            decimal? cac = SaasFormulas.Cac(cost, w.NewCnt[m]);
            decimal? arpaNew = SaasFormulas.Arpa(nw, w.NewCnt[m]);
            list.Add(new SaasMonth(
                ym,
                mrrEnd,
                mrrEnd * 12,
                arpa,
                w.CustEnd[m],
                w.NewCnt[m],
                w.ChurnCnt[m],
                churnRate,
                SaasFormulas.GrossMrrChurn(churn, contr, mrrStart),
                SaasFormulas.NetMrrChurn(churn, contr, exp, react, mrrStart),
                SaasFormulas.Nrr(mrrStart, r.D(w.ExistExp[m]), r.D(w.ExistContr[m]), r.D(w.ExistChurn[m])),
                SaasFormulas.Grr(mrrStart, r.D(w.ExistContr[m]), r.D(w.ExistChurn[m])),
                w.RetMrr.Length == 0 ? null : SaasFormulas.CohortNrr(r.D(w.CohortNum[m]), r.D(w.CohortDen[m])),
                w.RetMrr.Length == 0 ? null : SaasFormulas.CohortGrr(r.D(w.CohortMin[m]), r.D(w.CohortDen[m])),
                SaasFormulas.Ltv(arpa, ltvChurn, s.GrossMargin),
                SaasFormulas.QuickRatio(nw, exp, react, churn, contr, s.QuickRatio == QuickRatioVariant.Default),
                cost,
                cac,
                SaasFormulas.CacPayback(cac, arpaNew, s.GrossMargin)));
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
