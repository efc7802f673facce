using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RevLoop.Metrics;

/// <summary>
/// Exact money arithmetic. Every amount is an exact rational number: an integer numerator over a denominator
/// that is common to a whole table (see <see cref="PeriodTable"/>), so sums are exact integer sums.
/// Conversion to <see cref="decimal"/> happens once, for output (<see cref="ToDecimal(BigInteger, BigInteger)"/>);
/// rounding half-up (away from zero) to cents or to a ratio's printed precision happens only when printing.
/// </summary>
public static class Money
{
    /// <summary>Most decimals an amount or a quantity may have.</summary>
    public const int NativeScale = 8;
    public const long NativeUnit = 100_000_000L;
    /// <summary>Most decimals an exchange rate may have.</summary>
    public const int RateScale = 12;
    public const long RateUnit = 1_000_000_000_000L;

    internal static readonly UInt128 DecimalMax = (UInt128.One << 96) - 1;
    private static readonly BigInteger DecimalMaxBig = (BigInteger.One << 96) - 1;
    /// <summary>10^0 .. 10^38.</summary>
    internal static readonly UInt128[] Pow10U128 = BuildPow10();
    /// <summary>MaxIntPart[s] = floor(DecimalMax / 10^s): q + 1 &lt;= MaxIntPart[s] means q with s decimals (and a round-up) fits.</summary>
    private static readonly UInt128[] MaxIntPart = Enumerable.Range(0, 29).Select(s => DecimalMax / Pow10U128[s]).ToArray();
    private static readonly BigInteger[] MaxIntPartBig = MaxIntPart.Select(x => (BigInteger)x).ToArray();

    private static UInt128[] BuildPow10()
    {
        var p = new UInt128[39];
        p[0] = 1;
        for (int i = 1; i < p.Length; i++) p[i] = p[i - 1] * 10;
        return p;
    }

    /// <summary>units / 10^scale as decimal (exact when it fits in 28-29 significant digits; see <see cref="ToDecimal(BigInteger, BigInteger)"/>).</summary>
    public static decimal ToDecimal(Int128 units, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 38);
        return scale <= 19 ? ToDecimalOver(units, (ulong)Pow10U128[scale]) : ToDecimal((BigInteger)units, (BigInteger)Pow10U128[scale]);
    }

    /// <summary>
    /// The exact rational <paramref name="numerator"/> / <paramref name="denominator"/> as a decimal: exact when it has a
    /// terminating expansion that fits (trailing zeros removed); otherwise rounded half away from zero to as many decimals
    /// as a decimal holds (28 at most, 28-29 significant digits), except that an inexact result never ends in the digit 0:
    /// it is moved one unit in the last place towards the exact value. That keeps the result within one unit in the last
    /// place and guarantees that rounding it half-up to fewer decimals (cents, a ratio's 4 decimals) gives the same result
    /// as rounding the exact value: an inexact value can never look like an exact tie such as x.xx5000...0.
    /// </summary>
    public static decimal ToDecimal(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException();
        if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
        if (denominator <= ulong.MaxValue && numerator >= (BigInteger)Int128.MinValue + 1 && numerator <= (BigInteger)Int128.MaxValue)
            return ToDecimalOver((Int128)numerator, (ulong)denominator);
        bool negative = numerator.Sign < 0;
        var n = BigInteger.Abs(numerator);
        var q = BigInteger.DivRem(n, denominator, out var r);
        if (r.IsZero) return FromMagnitude(q > DecimalMaxBig ? throw TooLarge() : (UInt128)q, 0, negative);
        if (q >= DecimalMaxBig) throw TooLarge();
        int s = 28;
        while (q >= MaxIntPartBig[s]) s--;
        var f = BigInteger.DivRem(r * (BigInteger)Pow10U128[s], denominator, out var rem);
        return Finish((UInt128)q, (UInt128)f, s, !rem.IsZero, rem >= denominator - rem, negative);
    }

    /// <summary>Fast path of <see cref="ToDecimal(BigInteger, BigInteger)"/> for a denominator that fits in 64 bits.</summary>
    internal static decimal ToDecimalOver(Int128 numerator, ulong denominator)
    {
        if (denominator == 0) throw new DivideByZeroException();
        bool negative = numerator < 0;
        UInt128 n = negative ? (UInt128)(-(numerator + 1)) + 1 : (UInt128)numerator;
        UInt128 q;
        ulong r;
        if (n <= ulong.MaxValue)
        {
            ulong nl = (ulong)n;
            ulong ql = nl / denominator;
            r = nl - ql * denominator;
            q = ql;
        }
        else
        {
            q = n / denominator;
            r = (ulong)(n - q * denominator);
        }
        if (r == 0) return FromMagnitude(q, 0, negative);
        if (q >= DecimalMax) throw TooLarge();
        int s = 28;
        while (q >= MaxIntPart[s]) s--;
        UInt128 f = 0;
        ulong rem = r;
        int left = s;
        while (left > 0 && rem != 0)
        {
            int k = Math.Min(left, 19);
            ulong p = (ulong)Pow10U128[k];
            UInt128 t = Math.BigMul(rem, p);
            UInt128 d = t / denominator;
            rem = (ulong)(t - d * denominator);
            f = f * p + d;
            left -= k;
        }
        if (left > 0) f *= Pow10U128[left];
        return Finish(q, f, s, rem != 0, rem >= denominator - rem, negative);
    }

    private static decimal Finish(UInt128 q, UInt128 f, int s, bool inexact, bool roundUp, bool negative)
    {
        UInt128 mant = q * Pow10U128[s] + f;
        if (inexact)
        {
            if (roundUp) mant++;
            if (mant % 10 == 0) mant = roundUp ? mant - 1 : mant + 1;
        }
        else
        {
            while (s > 0 && mant % 10 == 0) { mant /= 10; s--; }
        }
        return FromMagnitude(mant, s, negative);
    }

    private static decimal FromMagnitude(UInt128 mant, int scale, bool negative)
    {
        if (mant > DecimalMax) throw TooLarge();
        return new decimal((int)(uint)mant, (int)(uint)(mant >> 32), (int)(uint)(mant >> 64), negative && mant != 0, (byte)scale);
    }

    private static OverflowException TooLarge() => new("amount too large for decimal");

    /// <summary>Rounds half-up (away from zero) to cents and prints with two decimals, '.' and no separators.</summary>
    public static string FormatCents(decimal value) =>
        Math.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Rounds half-up (away from zero) to cents, always with two decimals (100 -> 100.00), as money is printed.</summary>
    public static decimal RoundToCents(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero) + 0.00m;

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

/// <summary>An exact rational number (numerator over a positive denominator) for derived metrics; not reduced.</summary>
internal readonly struct Fraction : IEquatable<Fraction>, IComparable<Fraction>
{
    private readonly BigInteger _den; // 0 only in default(Fraction), which is 0/1

    public Fraction(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException();
        if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
        Num = numerator;
        _den = denominator;
    }

    public BigInteger Num { get; }
    public BigInteger Den => _den.IsZero ? BigInteger.One : _den;

    public int Sign => Num.Sign;
    public bool IsZero => Num.IsZero;

    public static implicit operator Fraction(long value) => new(value, BigInteger.One);

    public static Fraction FromDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mant = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        if (bits[3] < 0) mant = -mant;
        return new Fraction(mant, (BigInteger)Money.Pow10U128[(bits[3] >> 16) & 0xFF]);
    }

    public static Fraction operator +(Fraction a, Fraction b) =>
        a.Den == b.Den ? new(a.Num + b.Num, a.Den) : new(a.Num * b.Den + b.Num * a.Den, a.Den * b.Den);
    public static Fraction operator -(Fraction a, Fraction b) =>
        a.Den == b.Den ? new(a.Num - b.Num, a.Den) : new(a.Num * b.Den - b.Num * a.Den, a.Den * b.Den);
    public static Fraction operator *(Fraction a, Fraction b) => new(a.Num * b.Num, a.Den * b.Den);
    public static Fraction operator /(Fraction a, Fraction b) => new(a.Num * b.Den, a.Den * b.Num);
    public static bool operator <(Fraction a, Fraction b) => a.CompareTo(b) < 0;
    public static bool operator >(Fraction a, Fraction b) => a.CompareTo(b) > 0;
    public static bool operator <=(Fraction a, Fraction b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Fraction a, Fraction b) => a.CompareTo(b) >= 0;
    public static bool operator ==(Fraction a, Fraction b) => a.Equals(b);
    public static bool operator !=(Fraction a, Fraction b) => !a.Equals(b);

    public decimal ToDecimal() => Money.ToDecimal(Num, Den);

    public int CompareTo(Fraction other) => (Num * other.Den).CompareTo(other.Num * Den);
    public bool Equals(Fraction other) => Num * other.Den == other.Num * Den;
    public override bool Equals(object? obj) => obj is Fraction f && Equals(f);
    public override int GetHashCode()
    {
        var g = BigInteger.GreatestCommonDivisor(Num, Den);
        return HashCode.Combine(Num / g, Den / g);
    }
    public override string ToString() => $"{Num}/{Den}";
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

    /// <summary>The monthly factor PerYear / (12 x intervalCount) in lowest terms.</summary>
    internal static (long Numerator, long Denominator) Factor(BillingInterval interval, long intervalCount)
    {
        long p = PerYear(interval);
        long q = 12L * intervalCount;
        long g = Gcd(p, q);
        return (p / g, q / g);
    }

    internal static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    /// <summary>
    /// Monthly amount of a price: amount x quantity x PerYear / (12 x intervalCount), exact; as a decimal it is exact
    /// when it terminates, else rounded at 28 decimals (<see cref="Money.ToDecimal(System.Numerics.BigInteger, System.Numerics.BigInteger)"/>).
    /// 18.29 per year = 1.524166... (1.5242 at 4 dp); 10 per week = 43.333... (43.33).
    /// </summary>
    public static decimal Monthly(decimal amount, BillingInterval interval, int intervalCount = 1, decimal quantity = 1m) =>
        MonthlyExact(amount, interval, intervalCount, quantity).ToDecimal();

    /// <summary>The exact monthly amount (same validation as the CSV reader: at most 8 decimals, not negative).</summary>
    internal static Fraction MonthlyExact(decimal amount, BillingInterval interval, int intervalCount, decimal quantity)
    {
        if (amount < 0) throw new ArgumentOutOfRangeException(nameof(amount), "negative amount");
        if (quantity < 0) throw new ArgumentOutOfRangeException(nameof(quantity), "negative quantity");
        if (intervalCount < 1) throw new ArgumentOutOfRangeException(nameof(intervalCount));
        if (!FixedPoint.TryFromDecimal(amount, Money.NativeScale, out _))
            throw new ArgumentException("amount has more than 8 decimals or is too large", nameof(amount));
        if (!FixedPoint.TryFromDecimalAnyScale(quantity, Money.NativeScale, out _, out _))
            throw new ArgumentException("quantity has more than 8 decimals or is too large", nameof(quantity));
        var (p, q) = Factor(interval, intervalCount);
        return Fraction.FromDecimal(amount) * Fraction.FromDecimal(quantity) * new Fraction(p, q);
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

    /// <summary>Removes trailing decimal zeros: (2900, 2) -> (29, 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StripZeros(ref long mantissa, ref int scale)
    {
        while (scale > 0)
        {
            long q = mantissa / 10;
            if (q * 10 != mantissa) return;
            mantissa = q;
            scale--;
        }
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
