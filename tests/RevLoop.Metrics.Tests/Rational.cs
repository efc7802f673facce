using System.Globalization;
using System.Numerics;

namespace RevLoop.Metrics.Tests;

/// <summary>Reference exact rational (System.Numerics.BigInteger, always in lowest terms) for the slow oracles of the tests.</summary>
internal readonly struct Rational : IEquatable<Rational>, IComparable<Rational>
{
    private readonly BigInteger _den; // 0 only in default(Rational) = 0/1

    public Rational(BigInteger num, BigInteger den)
    {
        if (den.IsZero) throw new DivideByZeroException();
        if (den.Sign < 0) { num = -num; den = -den; }
        var g = BigInteger.GreatestCommonDivisor(num, den);
        if (!g.IsOne && !g.IsZero) { num /= g; den /= g; }
        Num = num;
        _den = den;
    }

    public BigInteger Num { get; }
    public BigInteger Den => _den.IsZero ? BigInteger.One : _den;

    public static readonly Rational Zero = new(0, 1);

    public static implicit operator Rational(long v) => new(v, 1);

    public static Rational Parse(string s) => FromDecimal(decimal.Parse(s, CultureInfo.InvariantCulture));

    public static Rational FromDecimal(decimal d)
    {
        int[] bits = decimal.GetBits(d);
        var mant = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        if (bits[3] < 0) mant = -mant;
        return new Rational(mant, BigInteger.Pow(10, (bits[3] >> 16) & 0xFF));
    }

    internal static Rational Of(Fraction f) => new(f.Num, f.Den);

    public static Rational operator +(Rational a, Rational b) => new(a.Num * b.Den + b.Num * a.Den, a.Den * b.Den);
    public static Rational operator -(Rational a, Rational b) => new(a.Num * b.Den - b.Num * a.Den, a.Den * b.Den);
    public static Rational operator -(Rational a) => new(-a.Num, a.Den);
    public static Rational operator *(Rational a, Rational b) => new(a.Num * b.Num, a.Den * b.Den);
    public static Rational operator /(Rational a, Rational b) => new(a.Num * b.Den, a.Den * b.Num);
    public static bool operator ==(Rational a, Rational b) => a.Equals(b);
    public static bool operator !=(Rational a, Rational b) => !a.Equals(b);
    public static bool operator <(Rational a, Rational b) => a.CompareTo(b) < 0;
    public static bool operator >(Rational a, Rational b) => a.CompareTo(b) > 0;
    public static bool operator <=(Rational a, Rational b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Rational a, Rational b) => a.CompareTo(b) >= 0;

    public int Sign => Num.Sign;
    public static Rational Min(Rational a, Rational b) => a <= b ? a : b;

    public bool Equals(Rational other) => Num == other.Num && Den == other.Den;
    public override bool Equals(object? obj) => obj is Rational r && Equals(r);
    public override int GetHashCode() => HashCode.Combine(Num, Den);
    public int CompareTo(Rational other) => (Num * other.Den).CompareTo(other.Num * Den);

    /// <summary>Through the engine's single conversion to decimal.</summary>
    public decimal ToDecimal() => Money.ToDecimal(Num, Den);

    /// <summary>Rounded half-up (away from zero) to <paramref name="decimals"/> places straight from the exact value, independently of decimal.</summary>
    public string Format(int decimals)
    {
        var scale = BigInteger.Pow(10, decimals);
        var mag = BigInteger.Abs(Num) * scale;
        var q = BigInteger.DivRem(mag, Den, out var r);
        if (r * 2 >= Den) q += 1;
        string digits = q.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        string text = decimals == 0 ? digits : digits[..^decimals] + "." + digits[^decimals..];
        return Num.Sign < 0 && !q.IsZero ? "-" + text : text;
    }

    public override string ToString() => Den.IsOne ? Num.ToString(CultureInfo.InvariantCulture) : $"{Num}/{Den}";
}
