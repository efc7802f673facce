using System.Runtime.CompilerServices;
using System.Globalization;

namespace RevLoop.Metrics;

/// <summary>
/// Exact money arithmetic. Internally amounts are integers:
/// native amounts in units of 1e-8 (<see cref="NativeScale"/> decimals), amounts converted
/// into a reporting currency in units of 1e-20 (native 1e-8 units times a rate with 12 decimals).
/// Sums are exact integer sums; rounding (half-up, i.e. away from zero) to cents happens only when printing.
/// </summary>
public static class Money
{
    public const int NativeScale = 8;
    public const long NativeUnit = 100_000_000L;
    public const int RateScale = 12;
    public const long RateUnit = 1_000_000_000_000L;
    public const int ConvertedScale = NativeScale + RateScale;

    private static readonly UInt128 DecimalMax = (UInt128.One << 96) - 1;

    /// <summary>Converts an integer amount with <paramref name="scale"/> decimals to decimal, exactly when it fits in 28 digits.</summary>
    public static decimal ToDecimal(Int128 units, int scale)
    {
        bool negative = units < 0;
        UInt128 mag = negative ? (UInt128)(-units) : (UInt128)units;
        while (scale > 28 || mag > DecimalMax)
        {
            if (scale == 0) throw new OverflowException("amount too large for decimal");
            UInt128 q = mag / 10;
            UInt128 r = mag - q * 10;
            mag = r >= 5 ? q + 1 : q;
            scale--;
        }
        int lo = (int)(uint)mag;
        int mid = (int)(uint)(mag >> 32);
        int hi = (int)(uint)(mag >> 64);
        return new decimal(lo, mid, hi, negative && mag != 0, (byte)scale);
    }

    /// <summary>Rounds half-up (away from zero) to cents and prints with two decimals, '.' and no separators.</summary>
    public static string FormatCents(decimal value) =>
        Math.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Rounds half-up (away from zero) to <paramref name="decimals"/> places.</summary>
    public static decimal Round(decimal value, int decimals) => Math.Round(value, decimals, MidpointRounding.AwayFromZero);

    /// <summary>Formats a ratio (0.05 = 5%) with four decimals; empty when none.</summary>
    public static string FormatRatio(decimal? value) =>
        value is null ? "" : Math.Round(value.Value, 4, MidpointRounding.AwayFromZero).ToString("0.0000", CultureInfo.InvariantCulture);

    public static string FormatCents(decimal? value) => value is null ? "" : FormatCents(value.Value);

    internal static long Pow10(int n)
    {
        long r = 1;
        for (int i = 0; i < n; i++) r *= 10;
        return r;
    }
}

/// <summary>Monthly normalisation of a recurring price (METRICS.md §2).</summary>
public static class MonthlyFactor
{
    /// <summary>How many intervals fit in a year: day 365, week 52, month 12, quarter 4, year 1. Factor = PerYear / 12.</summary>
    public static int PerYear(BillingInterval interval) => interval switch
    {
        BillingInterval.Day => 365,
        BillingInterval.Week => 52,
        BillingInterval.Month => 12,
        BillingInterval.Quarter => 4,
        BillingInterval.Year => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(interval)),
    };

    /// <summary>
    /// Monthly amount of a price, exact to 8 decimals (rounded half-up at the 8th decimal):
    /// amount x quantity x PerYear / (12 x intervalCount). 18.29 per year = 1.52416667 (1.5242 at 4 dp).
    /// </summary>
    public static decimal Monthly(decimal amount, BillingInterval interval, int intervalCount = 1, decimal quantity = 1m)
    {
        if (amount < 0) throw new ArgumentOutOfRangeException(nameof(amount), "negative amount");
        if (quantity < 0) throw new ArgumentOutOfRangeException(nameof(quantity), "negative quantity");
        if (intervalCount < 1) throw new ArgumentOutOfRangeException(nameof(intervalCount));
        if (!FixedPoint.TryFromDecimal(amount, Money.NativeScale, out long units))
            throw new ArgumentException("amount has more than 8 decimals or is too large", nameof(amount));
        if (!FixedPoint.TryFromDecimalAnyScale(quantity, Money.NativeScale, out long qm, out int qs))
            throw new ArgumentException("quantity has more than 8 decimals or is too large", nameof(quantity));
        if (!TryMonthlyUnits(units, qm, qs, interval, intervalCount, out long monthly))
            throw new OverflowException("monthly amount too large");
        return Money.ToDecimal(monthly, Money.NativeScale);
    }

    /// <summary>Monthly amount in 1e-8 units; false on overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryMonthlyUnits(long amountUnits, long qtyMantissa, int qtyScale, BillingInterval interval, int intervalCount, out long monthlyUnits)
    {
        long k = PerYear(interval);
        long den = 12L * intervalCount * Money.Pow10(qtyScale);
        long q = qtyMantissa * k; // qtyMantissa < 1e15, k <= 365: fits
        long hi = Math.BigMul(amountUnits, q, out long lo);
        if (hi == 0 && lo >= 0)
        {
            long r = lo / den;
            long rem = lo - r * den;
            if (rem >= den - rem) r++;
            monthlyUnits = r;
            return true;
        }
        Int128 n = (Int128)amountUnits * q;
        Int128 r2 = n / den;
        Int128 rem2 = n - r2 * den;
        if (rem2 >= den - rem2) r2++;
        if (r2 > long.MaxValue) { monthlyUnits = 0; return false; }
        monthlyUnits = (long)r2;
        return true;
    }
}

/// <summary>Fixed-point helpers for decimal and UTF-8 number text.</summary>
internal static class FixedPoint
{
    internal enum Status { Ok, Invalid, Negative, TooManyDecimals, Overflow }

    /// <summary>decimal -> integer with exactly <paramref name="scale"/> decimals; false if it would lose digits or overflow.</summary>
    internal static bool TryFromDecimal(decimal value, int scale, out long units)
    {
        units = 0;
        decimal scaled = value * Money.Pow10(scale);
        if (scaled != decimal.Truncate(scaled)) return false;
        if (scaled > long.MaxValue || scaled < long.MinValue) return false;
        units = (long)scaled;
        return true;
    }

    /// <summary>decimal -> (mantissa, scale) with the smallest scale &lt;= maxScale.</summary>
    internal static bool TryFromDecimalAnyScale(decimal value, int maxScale, out long mantissa, out int scale)
    {
        for (scale = 0; scale <= maxScale; scale++)
        {
            decimal scaled = value * Money.Pow10(scale);
            if (scaled == decimal.Truncate(scaled))
            {
                if (scaled > 999_999_999_999_999m || scaled < 0) break;
                mantissa = (long)scaled;
                return true;
            }
        }
        mantissa = 0;
        scale = 0;
        return false;
    }

    /// <summary>
    /// Parses a non-negative decimal number "123", "123.45", ".5" (no exponent, no sign except a
    /// leading '-' which is reported as <see cref="Status.Negative"/>) into mantissa and scale (number of decimals).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Status Parse(ReadOnlySpan<byte> s, int maxScale, int maxIntDigits, out long mantissa, out int scale)
    {
        mantissa = 0;
        scale = 0;
        if (s.IsEmpty) return Status.Invalid;
        int i = 0;
        bool negative = false;
        if (s[0] == (byte)'-') { negative = true; i = 1; }
        else if (s[0] == (byte)'+') i = 1;
        int intDigits = 0;
        int fracDigits = 0;
        bool dot = false;
        bool sawDigit = false;
        bool tooManyDecimals = false;
        long m = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - (byte)'0');
            if (d <= 9)
            {
                sawDigit = true;
                if (dot)
                {
                    if (fracDigits >= maxScale) { if (d != 0) tooManyDecimals = true; continue; }
                    fracDigits++;
                }
                else
                {
                    if (m == 0 && d == 0) continue; // leading zero
                    if (++intDigits > maxIntDigits) return Status.Overflow;
                }
                m = m * 10 + d;
            }
            else if (s[i] == (byte)'.' && !dot)
            {
                dot = true;
            }
            else
            {
                return Status.Invalid;
            }
        }
        if (!sawDigit) return Status.Invalid;
        if (tooManyDecimals) return Status.TooManyDecimals;
        if (negative && m != 0) return Status.Negative;
        mantissa = m;
        scale = fracDigits;
        return Status.Ok;
    }
}
