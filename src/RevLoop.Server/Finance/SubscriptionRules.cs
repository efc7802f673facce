using System.Globalization;
using RevLoop.Finance;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Finance;

/// <summary>A subscription period as the API returns it; amount in major units of its currency.</summary>
public sealed record SubscriptionPeriodDto(
    Guid Id, string CustomerId, Guid? AccountId, string? SubscriptionId, DateTimeOffset Start, DateTimeOffset? End,
    decimal Amount, string Currency, string Interval, int IntervalCount, decimal Quantity, long Version)
{
    public static SubscriptionPeriodDto From(SubscriptionPeriod p) => new(p.Id, p.CustomerId, p.AccountId, p.SubscriptionId, p.Start, p.End,
        MinorUnits.ToAmount(p.AmountMinor, p.Currency), p.Currency, p.Interval, p.IntervalCount, p.Quantity, p.Version);
}

/// <summary>Body of POST /api/v1/subscriptions; start/end as ISO 8601 dates or UTC date-times (text, like the CSV).</summary>
public sealed record SubscriptionPeriodInput(
    string? CustomerId, string? Start, decimal? Amount, string? Currency, string? Interval, string? End = null,
    string? SubscriptionId = null, int? IntervalCount = null, decimal? Quantity = null, Guid? AccountId = null);

/// <summary>The validation of METRICS.md §1, shared by the CSV import and the API. Field names are the CSV column names.</summary>
public static class SubscriptionRules
{
    public static readonly string[] Columns = ["customer_id", "subscription_id", "start", "end", "amount", "currency", "interval", "interval_count", "quantity"];

    public static readonly IReadOnlyDictionary<string, string> ApiNames = new Dictionary<string, string>
    {
        ["customer_id"] = "customerId", ["subscription_id"] = "subscriptionId", ["interval_count"] = "intervalCount",
    };

    public static void Fill(SubscriptionPeriod p, string? customerId, string? subscriptionId, string? start, string? end, string? amount,
        string? currency, string? interval, string? intervalCount, string? quantity)
    {
        p.CustomerId = Required("customer_id", customerId);
        if (p.CustomerId.Length > 200) throw new InputException("customer_id", "must be at most 200 characters");
        p.SubscriptionId = string.IsNullOrWhiteSpace(subscriptionId) ? null : subscriptionId.Trim();
        p.Start = Instant("start", Required("start", start));
        p.End = string.IsNullOrWhiteSpace(end) ? null : Instant("end", end);
        if (p.End is { } e && e < p.Start) throw new InputException("end", $"{end} is before start {start}");
        var code = Required("currency", currency).ToUpperInvariant();
        if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper)) throw new InputException("currency", $"'{currency}' is not an ISO 4217 code");
        p.Currency = code;
        var amountText = Required("amount", amount);
        if (!decimal.TryParse(amountText, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            throw new InputException("amount", $"'{amountText}' is not a number (use '.' for decimals)");
        if (value < 0) throw new InputException("amount", "must not be negative");
        p.AmountMinor = MinorUnits.ToMinor(value, code) ?? throw new InputException("amount", $"{amountText} has more decimals than {code} allows ({MinorUnits.Decimals(code)})");
        var iv = Required("interval", interval).ToLowerInvariant();
        if (!SubscriptionPeriod.Intervals.Contains(iv)) throw new InputException("interval", $"'{interval}' is not one of day, week, month, quarter, year");
        p.Interval = iv;
        p.IntervalCount = string.IsNullOrWhiteSpace(intervalCount) ? 1
            : int.TryParse(intervalCount, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
            : throw new InputException("interval_count", $"'{intervalCount}' is not a whole number of at least 1");
        p.Quantity = string.IsNullOrWhiteSpace(quantity) ? 1
            : decimal.TryParse(quantity, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q >= 0 ? q
            : throw new InputException("quantity", $"'{quantity}' is not a non-negative number");
    }

    public static void Fill(SubscriptionPeriod p, SubscriptionPeriodInput i)
    {
        try
        {
            Fill(p, i.CustomerId, i.SubscriptionId, i.Start, i.End, i.Amount?.ToString(CultureInfo.InvariantCulture), i.Currency, i.Interval,
                i.IntervalCount?.ToString(CultureInfo.InvariantCulture), i.Quantity?.ToString(CultureInfo.InvariantCulture));
        }
        catch (InputException e) when (ApiNames.ContainsKey(e.Field))
        {
            throw new InputException(ApiNames[e.Field], e.Reason);
        }
        p.AccountId = i.AccountId;
    }

    /// <summary>An ISO 8601 date (midnight UTC) or date-time (UTC when it has no offset).</summary>
    public static DateTimeOffset Instant(string field, string text)
    {
        text = text.Trim();
        if (text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        if (text.Length > 10 && text[10] == 'T' && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt))
            return dt.ToUniversalTime();
        throw new InputException(field, $"'{text}' is not an ISO 8601 date (2024-01-31) or UTC date-time (2024-01-31T13:00:00Z)");
    }

    private static string Required(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? throw new InputException(field, "is required") : value.Trim();
}
