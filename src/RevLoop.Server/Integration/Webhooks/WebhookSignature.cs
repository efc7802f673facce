using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RevLoop.Server.Integration.Webhooks;

/// <summary>
/// The RevLoop-Signature header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>, one v1 per secret in force
/// (two while a rotated-out secret is still valid). See docs/webhooks.md for how a receiver verifies it.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "RevLoop-Signature", EventIdHeader = "RevLoop-Event-Id", DeliveryIdHeader = "RevLoop-Delivery-Id";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public static string HeaderValue(IEnumerable<string> secrets, long timestamp, ReadOnlySpan<byte> body)
    {
        var sb = new StringBuilder("t=").Append(timestamp.ToString(CultureInfo.InvariantCulture));
        foreach (var secret in secrets) sb.Append(",v1=").Append(Sign(secret, timestamp, body));
        return sb.ToString();
    }

    /// <summary>The secrets that sign right now: the current one, then the previous one while it has not expired.</summary>
    public static IReadOnlyList<string> ActiveSecrets(RevLoop.Integration.WebhookSubscription s, DateTimeOffset now) =>
        s.PreviousSecret is { } previous && s.PreviousSecretExpiresAt > now ? [s.Secret, previous] : [s.Secret];

    /// <summary>A new random secret: "whsec_" and 32 random bytes, base64url.</summary>
    public static string NewSecret() =>
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Comma-separated event types with '*' wildcards: "*", "account.*", "account.created,account.deleted", "*.deleted".</summary>
public static partial class EventFilter
{
    [GeneratedRegex(@"^(\*|[a-z0-9_]+)(\.(\*|[a-z0-9_]+))*$")]
    private static partial Regex PatternSyntax();

    /// <summary>The filter in canonical form (trimmed, lower case, no duplicates); throws <see cref="Platform.InputException"/> naming eventFilter.</summary>
    public static string Normalise(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) throw new Platform.InputException("eventFilter", "is required: comma-separated event types such as \"account.*\" or \"*\"");
        var patterns = filter.Split(',', StringSplitOptions.TrimEntries).Select(p => p.ToLowerInvariant()).ToList();
        foreach (var p in patterns)
        {
            if (p.Length == 0) throw new Platform.InputException("eventFilter", "has an empty entry (two commas in a row or a trailing comma)");
            if (!PatternSyntax().IsMatch(p))
                throw new Platform.InputException("eventFilter", $"'{p}' is not an event type pattern: use names like \"account.created\", \"account.*\" or \"*\"");
        }
        var result = string.Join(",", patterns.Distinct());
        if (result.Length > 1000) throw new Platform.InputException("eventFilter", "must be at most 1000 characters");
        return result;
    }

    public static bool Matches(string filter, string eventType)
    {
        foreach (var raw in filter.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (Glob(raw, eventType)) return true;
        return false;
    }

    /// <summary>'*' matches any run of characters (including dots), everything else literally.</summary>
    private static bool Glob(string pattern, string value)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = v; }
            else if (p < pattern.Length && char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(value[v])) { p++; v++; }
            else if (star >= 0) { p = star + 1; v = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}

/// <summary>When to try again after a failed attempt.</summary>
public static class WebhookRetry
{
    /// <summary>4xx answers are final except 408 (timeout) and 429 (rate limited); everything else is worth another try.</summary>
    public static bool IsRetryable(int? statusCode) => statusCode is null or 408 or 429 || statusCode is < 400 or >= 500;

    /// <summary>Delay after the n-th failed attempt (1-based): base * 2^(n-1) with ±20% jitter, capped.</summary>
    public static TimeSpan Backoff(int failedAttempts, TimeSpan baseDelay, TimeSpan cap, double random)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var ms = baseDelay.TotalMilliseconds * Math.Pow(2, exponent) * (0.8 + 0.4 * random);
        return TimeSpan.FromMilliseconds(Math.Min(ms, cap.TotalMilliseconds));
    }

    /// <summary>The Retry-After header as a delay: delta seconds or an HTTP date; null when absent or unreadable.</summary>
    public static TimeSpan? RetryAfter(string? header, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        header = header.Trim();
        if (long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(Math.Min(seconds, 86_400 * 30));
        if (DateTimeOffset.TryParseExact(header, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
            return date <= now ? TimeSpan.Zero : date - now;
        return null;
    }
}
