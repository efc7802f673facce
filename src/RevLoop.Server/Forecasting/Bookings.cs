using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Metrics;
using RevLoop.Platform;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Forecasting;

/// <summary>
/// The deal amounts forecasting and the APM read, in base currency. A deal's bookings value is its ACV where set, else
/// its amount. The database sums per currency and close day (the day decides the exchange rate, ADR 0007), so a million
/// deals come back as a few thousand groups; deals in a currency without any rate are left out and counted.
/// </summary>
public static class Bookings
{
    public static async Task<int> FiscalStartMonthAsync(RevLoopDb db, CancellationToken ct) =>
        await db.CompanySettings.AsNoTracking().Select(s => (int?)s.FiscalYearStartMonth).FirstOrDefaultAsync(ct) ?? 1;

    public static FiscalPeriod Period(string? label, int startMonth, DateOnly today) =>
        string.IsNullOrWhiteSpace(label) ? FiscalPeriod.Containing(today, FiscalPeriodKind.Quarter, startMonth)
        : FiscalPeriod.TryParse(label, startMonth, out var p) ? p
        : throw new InputException("period", $"'{label}' is not a fiscal period (FY2027, FY2027-Q1 or FY2027-M01)");

    public static DateOnly Today(RevLoopDb db) => DateOnly.FromDateTime(db.Clock.GetUtcNow().UtcDateTime);

    private sealed class OwnerGroup
    {
        public Guid? OwnerId { get; init; }
        public string Currency { get; init; } = "";
        public DateOnly? CloseDate { get; init; }
        public bool Won { get; init; }
        public string Category { get; init; } = "";
        public long Minor { get; init; }
    }

    /// <summary>Per owner: won, and open commit / best case / pipeline deals closing in the period (lost deals do not count).</summary>
    public static async Task<Dictionary<Guid, CategoryAmounts>> ByOwnerAsync(RevLoopDb db, RateBook rates, FiscalPeriod p, CancellationToken ct)
    {
        var rows = await db.Opportunities.AsNoTracking()
            .Where(o => o.CloseDate >= p.Start && o.CloseDate < p.End && o.LostAt == null && o.OwnerId != null)
            .GroupBy(o => new { o.OwnerId, o.Currency, o.CloseDate, Won = o.WonAt != null, o.ForecastCategory })
            .Select(g => new OwnerGroup { OwnerId = g.Key.OwnerId, Currency = g.Key.Currency, CloseDate = g.Key.CloseDate, Won = g.Key.Won, Category = g.Key.ForecastCategory, Minor = g.Sum(o => o.AcvMinor ?? o.AmountMinor) })
            .ToListAsync(ct);
        var result = new Dictionary<Guid, CategoryAmounts>();
        foreach (var r in rows)
        {
            if (rates.ToBaseMinor(r.Minor, r.Currency, r.CloseDate) is not { } minor) continue;
            var amount = MinorUnits.ToAmount(minor, rates.BaseCurrency);
            var add = r.Won ? new CategoryAmounts(amount, 0, 0, 0) : r.Category switch
            {
                ForecastCategories.Commit => new CategoryAmounts(0, amount, 0, 0),
                ForecastCategories.BestCase => new CategoryAmounts(0, 0, amount, 0),
                ForecastCategories.Pipeline => new CategoryAmounts(0, 0, 0, amount),
                _ => default,
            };
            result[r.OwnerId!.Value] = result.GetValueOrDefault(r.OwnerId!.Value) + add;
        }
        return result;
    }

    public const string NoValue = "(none)";
    /// <summary>The matrix's total row: the deals of every value.</summary>
    public const string AllValues = "(all)";

    public static IQueryable<Opportunity> OfValue(IQueryable<Opportunity> q, string dimension, string value)
    {
        if (value == AllValues) return q;
        var v = value == NoValue ? null : value;
        return dimension switch
        {
            TargetSubjects.Product => q.Where(o => o.ProductFamily == v),
            TargetSubjects.Region => q.Where(o => o.Region == v),
            TargetSubjects.Segment => q.Where(o => o.Segment == v),
            _ => q.Where(o => o.Source == v),
        };
    }

    /// <summary>
    /// The amounts behind the APM for one dimension: closing in the period and a year earlier, and created in both, from
    /// the visible deals' columns in memory (ADR 0012; a loop over every deal, no query per deal). Amounts are summed per
    /// (value, currency, close day, ...) before conversion, as a database GROUP BY would, so the rate rule of ADR 0007
    /// applies per close day.
    /// </summary>
    /// <param name="priorOpen">Also last year's open pipeline as it stood (from history; not needed for targets).</param>
    public static async Task<List<ApmFact>> ApmFactsAsync(RevLoopDb db, RateBook rates, string dimension, FiscalPeriod p, DateOnly asOf, CancellationToken ct, bool priorOpen = true)
    {
        var prior = p.PriorYear;
        var priorAsOf = asOf.AddYears(-1);
        long createdTo = Instant(asOf < p.End ? asOf.AddDays(1) : p.End).UtcTicks;
        long priorCreatedTo = Instant(priorAsOf < prior.End ? priorAsOf.AddDays(1) : prior.End).UtcTicks;
        var (start, priorStart) = (Instant(p.Start).UtcTicks, Instant(prior.Start).UtcTicks);
        long priorEnd = Instant(priorAsOf.AddDays(1)).UtcTicks;
        var visible = await Analytics.AnalyticsFilter.VisibleOwnersAsync(db, null, ct);
        var closing = new Dictionary<(string? Value, string Currency, DateOnly? Close, bool Won, string Category), long>();
        var created = new Dictionary<(string? Value, string Currency, DateOnly? Close, bool Prior), long>();
        var priorOpenDeals = new List<(string? Value, string Currency, DateOnly Close, long Minor)>();
        await Analytics.OpportunityHistoryColumns.For(db).ReadAsync(db, c =>
        {
            foreach (int d in c.Live(visible))
            {
                var o = c.Now(d);
                long minor = o.AcvMinor ?? o.AmountMinor;
                var value = o.Value(dimension);
                if (o.LostTicks is null && o.CloseDate is { } close && ((close >= p.Start && close < p.End) || (close >= prior.Start && close < prior.End)))
                {
                    var key = (value, o.Currency, o.CloseDate, o.WonTicks is not null, o.ForecastCategory);
                    closing[key] = closing.GetValueOrDefault(key) + minor;
                }
                if ((o.CreatedTicks >= start && o.CreatedTicks < createdTo) || (o.CreatedTicks >= priorStart && o.CreatedTicks < priorCreatedTo))
                {
                    var key = (value, o.Currency, o.CloseDate, o.CreatedTicks < start);
                    created[key] = created.GetValueOrDefault(key) + minor;
                }
                // Last year's open pipeline: open at the end of that day, its close date and amount as they stood then (the
                // old value of the first change after it); ACV, where set, as it is now.
                if (priorOpen && o.CreatedTicks < priorEnd && (o.WonTicks is null || o.WonTicks >= priorEnd) && (o.LostTicks is null || o.LostTicks >= priorEnd)
                    && o.ForecastCategory != ForecastCategories.Omitted)
                {
                    DateOnly? then = c.FirstOldValueSince(d, DealField.CloseDate, priorEnd, out long day) ? (day == long.MinValue ? null : DateOnly.FromDayNumber((int)day)) : o.CloseDate;
                    if (then is not { } closeThen || closeThen < prior.Start || closeThen >= prior.End) continue;
                    long amountThen = o.AcvMinor ?? (c.FirstOldValueSince(d, DealField.Amount, priorEnd, out long was) ? (was == long.MinValue ? 0 : was) : o.AmountMinor);
                    priorOpenDeals.Add((value, o.Currency, closeThen, amountThen));
                }
            }
            return 0;
        }, ct);

        var facts = new List<ApmFact>(closing.Count * 2 + created.Count + priorOpenDeals.Count);
        foreach (var ((v, currency, close, won, category), sum) in closing)
        {
            if (rates.ToBaseMinor(sum, currency, close) is not { } minor) continue;
            var amount = MinorUnits.ToAmount(minor, rates.BaseCurrency);
            var value = v ?? NoValue;
            var isPrior = close < p.Start;
            if (won)
            {
                if (!isPrior) facts.Add(new ApmFact(value, ApmFactKind.Won, false, amount));
                else
                {
                    facts.Add(new ApmFact(value, ApmFactKind.WonWholePeriod, true, amount));
                    if (close <= priorAsOf) facts.Add(new ApmFact(value, ApmFactKind.Won, true, amount));
                }
            }
            else if (!isPrior && category != ForecastCategories.Omitted)
            {
                facts.Add(new ApmFact(value, ApmFactKind.Open, false, amount));
                if (category == ForecastCategories.Commit) facts.Add(new ApmFact(value, ApmFactKind.OpenCommit, false, amount));
            }
        }
        foreach (var ((v, currency, close, isPrior), sum) in created)
        {
            if (rates.ToBaseMinor(sum, currency, close) is not { } minor) continue;
            facts.Add(new ApmFact(v ?? NoValue, ApmFactKind.Created, isPrior, MinorUnits.ToAmount(minor, rates.BaseCurrency)));
        }
        foreach (var (v, currency, close, minorThen) in priorOpenDeals)
        {
            if (rates.ToBaseMinor(minorThen, currency, close) is not { } baseMinor) continue;
            facts.Add(new ApmFact(v ?? NoValue, ApmFactKind.Open, true, MinorUnits.ToAmount(baseMinor, rates.BaseCurrency)));
        }
        return facts;
    }

    public static DateTimeOffset Instant(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
