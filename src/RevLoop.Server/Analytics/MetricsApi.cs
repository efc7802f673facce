using Microsoft.AspNetCore.Http.HttpResults;
using RevLoop.Data;
using RevLoop.Metrics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

public sealed record MrrMonthDto(string Month, decimal MrrStart, decimal New, decimal Expansion, decimal Reactivation, decimal Contraction,
    decimal Churn, decimal Fx, decimal MrrEnd, int CustomersStart, int NewCustomers, int ReactivatedCustomers, int ChurnedCustomers,
    int CustomersEnd, decimal Arr, decimal? Arpa);
public sealed record MrrReportDto(string Currency, bool HasFx, IReadOnlyList<MrrMonthDto> Months);
public sealed record CustomerAmountDto(string CustomerId, decimal Amount);
public sealed record CohortDto(string Cohort, int Customers, decimal StartingMrr, IReadOnlyList<decimal> RetainedMrr, IReadOnlyList<int> RetainedCustomers);
public sealed record SaasMonthDto(string Month, decimal Mrr, decimal Arr, decimal? Arpa, int Customers, int NewCustomers, int ChurnedCustomers,
    decimal? CustomerChurnRate, decimal? GrossMrrChurn, decimal? NetMrrChurn, decimal? Nrr, decimal? Grr, decimal? CohortNrr12, decimal? CohortGrr12,
    decimal? Ltv, decimal? QuickRatio);

/// <summary>The SaaS metrics over the stored subscription periods: the same engine and numbers as `revloop metrics`.</summary>
public static class MetricsApi
{
    public static void MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/metrics").WithTags("Metrics").RequireAuthorization(ApiPolicies.Read, ApiPolicies.Revenue);
        g.MapGet("/mrr", Mrr);
        g.MapGet("/mrr/customers", Customers);
        g.MapGet("/retention", Retention);
        g.MapGet("/saas", Saas);
    }

    /// <summary>Money as printed everywhere: rounded half-up to cents only at the end.</summary>
    public static decimal Cents(decimal v) => Money.RoundToCents(v);
    private static decimal? Ratio(decimal? v) => v is { } x ? Math.Round(x, 6, MidpointRounding.AwayFromZero) : null;

    public static async Task<MetricsResult> ComputeAsync(RevLoopDb db, string? from, string? to, string? currency, int? reactivationWindow, bool cohorts, CancellationToken ct)
    {
        try
        {
            var query = MetricsCommandRunner.BuildQuery(new MrrOptions { From = from, To = to, ReactivationWindowDays = reactivationWindow }, cohorts);
            var code = string.IsNullOrWhiteSpace(currency) ? null : currency.Trim().ToUpperInvariant();
            query = new MetricsQuery
            {
                From = query.From, To = query.To, ReactivationWindowDays = query.ReactivationWindowDays, ComputeCohorts = cohorts,
                ReportingCurrency = code, Rates = await StoredSubscriptions.RatesAsync(db, code, ct), CollectCustomerMovements = true,
            };
            var table = await Task.Run(() => StoredSubscriptions.Load(db), ct);
            return MetricsEngine.Compute(table, query);
        }
        catch (MetricsInputException e)
        {
            var field = e.Message.Contains("--from", StringComparison.Ordinal) ? "from" : e.Message.Contains("--to", StringComparison.Ordinal) ? "to" : "query";
            throw new InputException(field, e.Message.Replace("--", "", StringComparison.Ordinal));
        }
    }

    public static async Task<Ok<MrrReportDto>> Mrr(string? from, string? to, string? currency, int? reactivationWindow, RevLoopDb db, CancellationToken ct)
    {
        var r = await ComputeAsync(db, from, to, currency, reactivationWindow, false, ct);
        return TypedResults.Ok(new MrrReportDto(r.Currency, r.HasFx, r.Months.Select(m => new MrrMonthDto(m.Month.ToString(), Cents(m.MrrStart), Cents(m.New),
            Cents(m.Expansion), Cents(m.Reactivation), Cents(m.Contraction), Cents(m.Churn), Cents(m.Fx), Cents(m.MrrEnd), m.CustomersStart,
            m.NewCustomers, m.ReactivatedCustomers, m.ChurnedCustomers, m.CustomersEnd, Cents(m.Arr), m.Arpa is { } a ? Cents(a) : null)).ToList()));
    }

    /// <summary>Drill-down: the customers behind one movement of one month, largest first.</summary>
    public static async Task<Ok<IReadOnlyList<CustomerAmountDto>>> Customers(string month, string movement, string? currency, int? reactivationWindow, RevLoopDb db, CancellationToken ct)
    {
        if (!YearMonth.TryParse(month, out var ym)) throw new InputException("month", $"'{month}' is not a month YYYY-MM");
        if (!Enum.TryParse<MovementKind>(movement, ignoreCase: true, out var kind)) throw new InputException("movement", "must be one of new, expansion, reactivation, contraction, churn");
        var r = await ComputeAsync(db, month, month, currency, reactivationWindow, false, ct);
        return TypedResults.Ok<IReadOnlyList<CustomerAmountDto>>(r.CustomersBehind(ym, kind).OrderByDescending(c => c.Amount).ThenBy(c => c.CustomerId, StringComparer.Ordinal)
            .Select(c => new CustomerAmountDto(c.CustomerId, Cents(c.Amount))).ToList());
    }

    public static async Task<Ok<IReadOnlyList<CohortDto>>> Retention(string? from, string? to, string? currency, RevLoopDb db, CancellationToken ct)
    {
        var r = await ComputeAsync(db, from, to, currency, null, true, ct);
        return TypedResults.Ok<IReadOnlyList<CohortDto>>(r.Cohorts().Select(c => new CohortDto(c.Cohort.ToString(), c.Customers, Cents(c.StartingMrr),
            c.RetainedMrr.Select(Cents).ToList(), c.RetainedCustomers)).ToList());
    }

    public static async Task<Ok<IReadOnlyList<SaasMonthDto>>> Saas(string? from, string? to, string? currency, string? churnRate, string? ltv, decimal? grossMargin,
        string? quickRatio, RevLoopDb db, CancellationToken ct)
    {
        SaasSettings settings;
        try
        {
            settings = new SaasSettings(MetricsOptionValues.ParseChurnRate(churnRate ?? "default"), MetricsOptionValues.ParseLtv(ltv ?? "default"),
                grossMargin ?? 1m, MetricsOptionValues.ParseQuickRatio(quickRatio ?? "default"));
        }
        catch (MetricsInputException e) { throw new InputException("query", e.Message); }
        if (settings.GrossMargin is < 0 or > 1) throw new InputException("grossMargin", "must be between 0 and 1");
        var r = await ComputeAsync(db, from, to, currency, null, true, ct);
        return TypedResults.Ok<IReadOnlyList<SaasMonthDto>>(r.Saas(settings).Select(m => new SaasMonthDto(m.Month.ToString(), Cents(m.Mrr), Cents(m.Arr),
            m.Arpa is { } a ? Cents(a) : null, m.Customers, m.NewCustomers, m.ChurnedCustomers, Ratio(m.CustomerChurnRate), Ratio(m.GrossMrrChurn),
            Ratio(m.NetMrrChurn), Ratio(m.Nrr), Ratio(m.Grr), Ratio(m.CohortNrr12), Ratio(m.CohortGrr12), m.Ltv is { } l ? Cents(l) : null, Ratio(m.QuickRatio))).ToList());
    }
}
