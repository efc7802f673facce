using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Metrics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

/// <summary>
/// Feeds the metrics engine from the periods stored in RevLoop, so the API, the UI and `metrics` without
/// --subscriptions compute exactly what the CLI computes from a CSV.
/// </summary>
public static class StoredSubscriptions
{
    public static PeriodTable Load(RevLoopDb db)
    {
        var errors = new List<RowError>();
        var rows = db.SubscriptionPeriods.AsNoTracking()
            .Select(p => new { p.CustomerId, p.SubscriptionId, p.Start, p.End, p.AmountMinor, p.Currency, p.Interval, p.IntervalCount, p.Quantity })
            .AsEnumerable()
            .Select(p => new RevLoop.Metrics.SubscriptionPeriod(p.CustomerId, p.SubscriptionId, p.Start.UtcDateTime, p.End?.UtcDateTime,
                MinorUnits.ToAmount(p.AmountMinor, p.Currency), p.Currency, Enum.Parse<BillingInterval>(p.Interval, ignoreCase: true), p.IntervalCount, p.Quantity));
        var table = PeriodTable.FromRecords(rows, errors);
        // Stored rows were validated on the way in; an error here means the database was edited around RevLoop.
        if (errors.Count > 0) throw new InvalidOperationException($"stored subscription periods fail validation: {errors[0]}");
        return table;
    }

    /// <summary>The company's dated exchange rates into the reporting currency (stored as base-currency units per unit).</summary>
    public static async Task<FxRateTable?> RatesAsync(RevLoopDb db, string? reportingCurrency, CancellationToken ct)
    {
        if (reportingCurrency is null) return null;
        var settings = await SettingsApi.LoadAsync(db, ct);
        if (!string.Equals(settings.BaseCurrency, reportingCurrency, StringComparison.OrdinalIgnoreCase))
            throw new InputException("currency", $"stored exchange rates convert into the base currency {settings.BaseCurrency}; ask for currency={settings.BaseCurrency}");
        var rates = await db.ExchangeRates.AsNoTracking().ToListAsync(ct);
        return FxRateTable.FromRates(settings.BaseCurrency, rates.Select(r => new FxRate(r.Date, r.CurrencyCode, r.Rate)));
    }
}
