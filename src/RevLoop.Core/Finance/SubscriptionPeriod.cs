using RevLoop.Platform;

namespace RevLoop.Finance;

/// <summary>
/// One period during which one subscription item had a fixed recurring price (METRICS.md §1): the input of every
/// SaaS metric. An upgrade closes one period and opens the next at the same instant.
/// </summary>
public sealed class SubscriptionPeriod : ITrackedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The paying customer as the billing system names it; movements are per customer.</summary>
    public string CustomerId { get; set; } = "";
    /// <summary>The RevLoop account of the customer, when one matches.</summary>
    public Guid? AccountId { get; set; }
    public string? SubscriptionId { get; set; }
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset? End { get; set; }
    /// <summary>Recurring price per billing interval in the currency's minor units (cents), after recurring discounts, without tax.</summary>
    public long AmountMinor { get; set; }
    public string Currency { get; set; } = "USD";
    /// <summary>day, week, month, quarter or year.</summary>
    public string Interval { get; set; } = "month";
    public int IntervalCount { get; set; } = 1;
    public decimal Quantity { get; set; } = 1;
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    public static readonly IReadOnlyList<string> Intervals = ["day", "week", "month", "quarter", "year"];
}

/// <summary>ISO 4217 minor units: most currencies have two decimals; these have none or three.</summary>
public static class MinorUnits
{
    private static readonly HashSet<string> None = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"];
    private static readonly HashSet<string> Three = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

    public static int Decimals(string currency) => None.Contains(currency) ? 0 : Three.Contains(currency) ? 3 : 2;

    public static decimal ToAmount(long minor, string currency) => minor / Pow10(Decimals(currency));

    /// <summary>The amount in minor units, or null when it has more decimals than the currency allows.</summary>
    public static long? ToMinor(decimal amount, string currency)
    {
        var scaled = amount * Pow10(Decimals(currency));
        return scaled == decimal.Truncate(scaled) ? (long)scaled : null;
    }

    private static decimal Pow10(int n) => n switch { 0 => 1m, 3 => 1000m, _ => 100m };
}
