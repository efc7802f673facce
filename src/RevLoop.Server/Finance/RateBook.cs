using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Platform;

namespace RevLoop.Finance;

/// <summary>
/// The company's dated exchange rates, read once per process and database and read again after a change of the rates
/// or the settings (<see cref="SettingsVersion"/>; and at least every 30 seconds, for changes made by another process): a deal's amount in the base currency uses the rate of
/// its close date (a closed deal keeps the rate of the day it closed), or today's rate while the close date is still
/// ahead. A rate is "units of the base currency per unit of the currency" and applies from its date until the next one.
/// Before a currency's first rate its earliest rate applies, so an old deal is not left out of a sum.
/// Converting at read time (instead of storing a base amount) means a corrected or late rate changes every total at once.
/// </summary>
public sealed class RateBook
{
    private readonly Dictionary<string, (DateOnly[] Dates, decimal[] Rates)> byCurrency;

    private sealed record Loaded(long Version, DateTimeOffset At, string BaseCurrency, Dictionary<string, (DateOnly[] Dates, decimal[] Rates)> ByCurrency);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Loaded> Cache = new();
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    public string BaseCurrency { get; }
    public DateOnly Today { get; }

    public RateBook(string baseCurrency, DateOnly today, IEnumerable<ExchangeRate> rates) : this(baseCurrency, today, ByCurrency(rates)) { }

    private RateBook(string baseCurrency, DateOnly today, Dictionary<string, (DateOnly[] Dates, decimal[] Rates)> byCurrency)
    {
        BaseCurrency = baseCurrency;
        Today = today;
        this.byCurrency = byCurrency;
    }

    private static Dictionary<string, (DateOnly[] Dates, decimal[] Rates)> ByCurrency(IEnumerable<ExchangeRate> rates) =>
        rates.GroupBy(r => r.CurrencyCode, StringComparer.Ordinal).ToDictionary(g => g.Key, g =>
        {
            var sorted = g.OrderBy(r => r.Date).ToArray();
            return (sorted.Select(r => r.Date).ToArray(), sorted.Select(r => r.Rate).ToArray());
        }, StringComparer.Ordinal);

    public static async Task<RateBook> LoadAsync(RevLoopDb db, CancellationToken ct)
    {
        var now = db.Clock.GetUtcNow();
        var key = db.DatabaseKey;
        // The version is read before the rates: a change saved meanwhile leaves this copy already outdated.
        var version = SettingsVersion.Current;
        if (!Cache.TryGetValue(key, out var loaded) || loaded.Version != version || now - loaded.At > MaxAge || now < loaded.At)
        {
            var baseCurrency = await db.CompanySettings.AsNoTracking().Select(s => s.BaseCurrency).FirstOrDefaultAsync(ct) ?? "USD";
            var rates = await db.ExchangeRates.AsNoTracking().ToListAsync(ct);
            Cache[key] = loaded = new Loaded(version, now, baseCurrency, ByCurrency(rates));
        }
        return new RateBook(loaded.BaseCurrency, DateOnly.FromDateTime(now.UtcDateTime), loaded.ByCurrency);
    }

    /// <summary>The day whose rate converts a deal: its close date once that has come, else today.</summary>
    public DateOnly RateDay(DateOnly? closeDate) => closeDate is { } d && d <= Today ? d : Today;

    /// <summary>Base currency per unit of <paramref name="currency"/> on <paramref name="day"/>; null when the currency has no rate at all.</summary>
    public decimal? Rate(string currency, DateOnly day)
    {
        if (currency == BaseCurrency) return 1m;
        if (!byCurrency.TryGetValue(currency, out var r)) return null;
        var i = Array.BinarySearch(r.Dates, day);
        if (i < 0) i = ~i - 1;
        return r.Rates[Math.Max(i, 0)];
    }

    /// <summary>A deal amount (minor units of its currency) in minor units of the base currency, rounded half away from zero.</summary>
    public long? ToBaseMinor(long minor, string currency, DateOnly? closeDate)
    {
        if (currency == BaseCurrency) return minor;
        if (Rate(currency, RateDay(closeDate)) is not { } rate) return null;
        var baseAmount = MinorUnits.ToAmount(minor, currency) * rate;
        var decimals = MinorUnits.Decimals(BaseCurrency);
        return (long)(Math.Round(baseAmount, decimals, MidpointRounding.AwayFromZero) * (decimals switch { 0 => 1m, 3 => 1000m, _ => 100m }));
    }

    public decimal? ToBase(long minor, string currency, DateOnly? closeDate) =>
        ToBaseMinor(minor, currency, closeDate) is { } m ? MinorUnits.ToAmount(m, BaseCurrency) : null;
}
