using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace RevLoop.Metrics;

/// <summary>
/// One subscription item period (METRICS.md §1) as the server materialises it from database rows.
/// <paramref name="Start"/> is inclusive, <paramref name="End"/> exclusive (null = still running); both UTC
/// (Unspecified kind is taken as UTC, Local is converted).
/// </summary>
public sealed record SubscriptionPeriod(
    string CustomerId,
    string? SubscriptionId,
    DateTime Start,
    DateTime? End,
    decimal Amount,
    string Currency,
    BillingInterval Interval,
    int IntervalCount = 1,
    decimal Quantity = 1m);

/// <summary>Thrown for input that cannot be read at all (no header, missing required column, bad rates file...).</summary>
public sealed class MetricsInputException(string message) : Exception(message);

/// <summary>
/// Columnar (struct-of-arrays) store of valid subscription item periods. Customers are interned to
/// dense int indexes. Monthly amounts are exact: row r's monthly amount in its currency is
/// <c>Monthly[r] / Denominator</c>, where the integer <see cref="Denominator"/> is common to the whole table:
/// 10^S x Q, S = the most decimals of any amount x quantity product, Q = the least common multiple of the
/// denominators of the monthly factors PerYear / (12 x interval_count) present (12 at most for interval_count 1).
/// </summary>
public sealed class PeriodTable
{
    /// <summary>
    /// Bound on the sum of all monthly numerators (and, with FX, on that sum x the largest rate numerator): every
    /// intermediate of the engine (movement sums, roll-forward, fx line) stays below 8x this, inside Int128.
    /// </summary>
    internal static readonly UInt128 MaxTotal = UInt128.One << 124;

    internal PeriodTable(int count, int[] customer, long[] startTicks, long[] endTicks, Int128[] monthly, short[] currency,
        CustomerIndex customers, string[] currencies, BigInteger denominator, UInt128 total)
    {
        Count = count;
        Customer = customer;
        StartTicks = startTicks;
        EndTicks = endTicks;
        Monthly = monthly;
        Currency = currency;
        Customers = customers;
        Currencies = currencies;
        Denominator = denominator;
        Denominator64 = denominator <= ulong.MaxValue ? (ulong)denominator : 0;
        Total = total;
    }

    public int Count { get; }
    internal int[] Customer { get; }
    internal long[] StartTicks { get; }
    /// <summary>Exclusive end; <see cref="long.MaxValue"/> when open.</summary>
    internal long[] EndTicks { get; }
    /// <summary>Monthly amount x <see cref="Denominator"/> (an exact, non-negative integer) in the row's currency.</summary>
    internal Int128[] Monthly { get; }
    internal short[] Currency { get; }
    /// <summary>Common denominator of <see cref="Monthly"/>.</summary>
    internal BigInteger Denominator { get; }
    /// <summary><see cref="Denominator"/> when it fits in 64 bits, else 0.</summary>
    internal ulong Denominator64 { get; }
    /// <summary>Sum of <see cref="Monthly"/> over all rows (at most <see cref="MaxTotal"/>).</summary>
    internal UInt128 Total { get; }

    public CustomerIndex Customers { get; }
    public IReadOnlyList<string> Currencies { get; }

    /// <summary>Monthly amount of row <paramref name="row"/> (exact value; as a decimal see <see cref="Money.ToDecimal(BigInteger, BigInteger)"/>).</summary>
    public decimal MonthlyAmount(int row)
    {
        if ((uint)row >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(row));
        return Denominator64 != 0 ? Money.ToDecimalOver(Monthly[row], Denominator64) : Money.ToDecimal(Monthly[row], Denominator);
    }

    /// <summary>
    /// Builds a table from materialised records; invalid records are added to <paramref name="errors"/>
    /// with Line = 1-based position in the sequence, and are left out.
    /// </summary>
    public static PeriodTable FromRecords(IEnumerable<SubscriptionPeriod> periods, List<RowError> errors)
    {
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(errors);
        var builder = new PeriodTableBuilder(periods is ICollection<SubscriptionPeriod> c ? c.Count : 1024);
        long line = 0;
        Span<byte> idBuf = stackalloc byte[256];
        foreach (var p in periods)
        {
            line++;
            int before = errors.Count;
            if (string.IsNullOrWhiteSpace(p.CustomerId)) errors.Add(new RowError(line, "customer_id", "missing"));
            long start = ToUtc(p.Start).Ticks;
            long end = p.End is { } e ? ToUtc(e).Ticks : long.MaxValue;
            if (end < start) errors.Add(new RowError(line, "end", "before start"));
            long amountUnits = 0;
            if (p.Amount < 0) errors.Add(new RowError(line, "amount", "negative amount"));
            else if (!FixedPoint.TryFromDecimal(p.Amount, Money.NativeScale, out amountUnits))
                errors.Add(new RowError(line, "amount", "more than 8 decimals or too large"));
            int currency = -1;
            if (string.IsNullOrEmpty(p.Currency)) errors.Add(new RowError(line, "currency", "missing"));
            else if (!CurrencyIndex.TryKey(Encoding.ASCII.GetBytes(p.Currency), out int ckey))
                errors.Add(new RowError(line, "currency", $"invalid currency '{p.Currency}'"));
            else currency = ckey;
            if (!Enum.IsDefined(p.Interval)) errors.Add(new RowError(line, "interval", $"unknown interval '{p.Interval}'"));
            if (p.IntervalCount < 1) errors.Add(new RowError(line, "interval_count", "must be a positive integer"));
            long qm = 0;
            int qs = 0;
            if (p.Quantity < 0) errors.Add(new RowError(line, "quantity", "negative quantity"));
            else if (!FixedPoint.TryFromDecimalAnyScale(p.Quantity, Money.NativeScale, out qm, out qs))
                errors.Add(new RowError(line, "quantity", "more than 8 decimals or too large"));
            if (errors.Count != before) continue;
            int amountScale = Money.NativeScale;
            FixedPoint.StripZeros(ref amountUnits, ref amountScale);
            int byteCount = Encoding.UTF8.GetByteCount(p.CustomerId);
            Span<byte> id = byteCount <= idBuf.Length ? idBuf[..byteCount] : new byte[byteCount];
            Encoding.UTF8.GetBytes(p.CustomerId, id);
            int cust = builder.Customers.Intern(id);
            builder.Add(cust, start, end, PeriodTableBuilder.Product(amountUnits, qm), amountScale + qs,
                builder.Factors.Intern(p.Interval, p.IntervalCount), builder.CurrencyIndex.Intern(currency));
        }
        return builder.Build();
    }

    private static DateTime ToUtc(DateTime t) => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
}

/// <summary>
/// Collects rows with their exact price as (amount x quantity mantissa, its number of decimals, monthly factor) and
/// turns them into integers over one common denominator in <see cref="Build"/>, once every scale and factor is known.
/// </summary>
internal sealed class PeriodTableBuilder
{
    private const int ScaleBits = 5; // product scale 0..16
    private int _count;
    private int[] _customer;
    private long[] _start;
    private long[] _end;
    private Int128[] _product; // amount mantissa x quantity mantissa; replaced in place by the monthly numerator in Build
    private int[] _meta;       // product scale | factor index << ScaleBits
    private short[] _currency;
    private int _maxScale;

    public PeriodTableBuilder(int capacity)
    {
        capacity = Math.Max(capacity, 16);
        _customer = new int[capacity];
        _start = new long[capacity];
        _end = new long[capacity];
        _product = new Int128[capacity];
        _meta = new int[capacity];
        _currency = new short[capacity];
    }

    public CustomerIndex Customers { get; } = new();
    public CurrencyIndex CurrencyIndex { get; } = new();
    public FactorIndex Factors { get; } = new();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int128 Product(long amountMantissa, long quantityMantissa) =>
        quantityMantissa == 1 ? amountMantissa : Math.BigMul(amountMantissa, quantityMantissa);

    /// <param name="product">amount mantissa x quantity mantissa (non-negative)</param>
    /// <param name="scale">decimals of <paramref name="product"/> (0..16)</param>
    /// <param name="factor">index from <see cref="Factors"/></param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int customer, long startTicks, long endTicks, Int128 product, int scale, int factor, int currency)
    {
        if (_count == _customer.Length) Grow();
        int i = _count++;
        _customer[i] = customer;
        _start[i] = startTicks;
        _end[i] = endTicks;
        _product[i] = product;
        _meta[i] = scale | (factor << ScaleBits);
        _currency[i] = (short)currency;
        if (scale > _maxScale) _maxScale = scale;
    }

    private void Grow()
    {
        int n = _customer.Length * 2;
        Array.Resize(ref _customer, n);
        Array.Resize(ref _start, n);
        Array.Resize(ref _end, n);
        Array.Resize(ref _product, n);
        Array.Resize(ref _meta, n);
        Array.Resize(ref _currency, n);
    }

    /// <summary>
    /// Chooses the common denominator D = 10^S x Q (S = most decimals of any product, Q = lcm of the reduced factor
    /// denominators) and replaces every product by its exact monthly numerator product x 10^(S - scale) x p x Q / q.
    /// Throws <see cref="MetricsInputException"/> when the numerators would not fit the exact integer range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PeriodTable Build()
    {
        var factors = Factors.Items;
        int scale = _maxScale;
        UInt128 q = 1;
        foreach (var (interval, count) in factors)
        {
            var (_, fq) = MonthlyFactor.Factor(interval, count);
            UInt128 g = UInt128Gcd(q, (UInt128)fq);
            if (!TryMul(q / g, (UInt128)fq, out q))
                throw new MetricsInputException("interval_count values " + string.Join(", ", factors.Select(f => f.Count).Distinct().Order().Take(20))
                                                + " have a least common multiple too large for exact arithmetic");
        }
        // coefficient per (factor, scale): p x Q / q x 10^(S - scale); UInt128.MaxValue marks "too large"
        var coef = new UInt128[Math.Max(1, factors.Count) << ScaleBits];
        for (int f = 0; f < factors.Count; f++)
        {
            var (fp, fq) = MonthlyFactor.Factor(factors[f].Interval, factors[f].Count);
            bool ok = TryMul(q / (UInt128)fq, (UInt128)fp, out UInt128 mult);
            for (int s = 0; s <= scale; s++)
                coef[(f << ScaleBits) | s] = ok && TryMul(mult, Money.Pow10U128[scale - s], out UInt128 c) ? c : UInt128.MaxValue;
        }
        var product = _product;
        var meta = _meta;
        UInt128 total = 0;
        for (int i = 0; i < _count; i++)
        {
            UInt128 p = (UInt128)product[i];
            if (p == 0) continue;
            UInt128 c = coef[meta[i]];
            UInt128 v;
            if (p <= ulong.MaxValue && c <= ulong.MaxValue) v = Math.BigMul((ulong)p, (ulong)c);
            else if (c == UInt128.MaxValue || !TryMul(p, c, out v)) throw TooLarge(scale, q);
            if (v > PeriodTable.MaxTotal) throw TooLarge(scale, q);
            total += v;
            if (total > PeriodTable.MaxTotal) throw TooLarge(scale, q);
            product[i] = (Int128)v;
        }
        var denominator = (BigInteger)Money.Pow10U128[scale] * (BigInteger)q;
        return new(_count, _customer, _start, _end, _product, _currency, Customers, CurrencyIndex.Codes(), denominator, total);
    }

    private static MetricsInputException TooLarge(int scale, UInt128 q) =>
        new($"amounts too large to compute exactly: the monthly amounts, as integers over the common denominator 10^{scale} x {q}, "
            + "add up to more than 2^124 (fewer decimals in amounts and quantities, or fewer distinct interval counts, keep them smaller)");

    private static bool TryMul(UInt128 a, UInt128 b, out UInt128 product)
    {
        if (a != 0 && b > UInt128.MaxValue / a) { product = 0; return false; }
        product = a * b;
        return true;
    }

    private static UInt128 UInt128Gcd(UInt128 a, UInt128 b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}

/// <summary>Interns (interval, interval_count) pairs: the distinct monthly factors of a table.</summary>
internal sealed class FactorIndex
{
    private const int SmallCounts = 64;
    private readonly int[] _small = new int[SmallCounts << 3]; // index + 1 by key, for interval_count < 64
    private readonly Dictionary<long, int> _byKey = new();

    public List<(BillingInterval Interval, long Count)> Items { get; } = new();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Intern(BillingInterval interval, long count)
    {
        long key = (count << 3) | (long)interval;
        if ((ulong)count < SmallCounts)
        {
            int i = _small[key] - 1;
            if (i >= 0) return i;
        }
        return InternSlow(interval, count, key);
    }

    private int InternSlow(BillingInterval interval, long count, long key)
    {
        if (!_byKey.TryGetValue(key, out int idx))
        {
            if (Items.Count >= 1 << 25) throw new MetricsInputException("too many distinct interval counts");
            idx = Items.Count;
            Items.Add((interval, count));
            _byKey[key] = idx;
            if ((ulong)count < SmallCounts) _small[key] = idx + 1;
        }
        return idx;
    }
}

/// <summary>Interns customer ids (UTF-8 bytes) into dense int indexes.</summary>
public sealed class CustomerIndex
{
    private int[] _slots = new int[1 << 16]; // entry + 1, 0 = empty
    private int _mask = (1 << 16) - 1;
    private int _count;
    private int[] _hash = new int[1 << 15];
    private int[] _offset = new int[1 << 15];
    private int[] _length = new int[1 << 15];
    private byte[] _arena = new byte[1 << 18];
    private int _arenaUsed;

    public int Count => _count;

    public string GetId(int index)
    {
        if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
        return Encoding.UTF8.GetString(_arena, _offset[index], _length[index]);
    }

    public bool TryGetIndex(string id, out int index)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(id);
        index = Find(bytes, Hash(bytes));
        return index >= 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal int Intern(ReadOnlySpan<byte> key)
    {
        int h = Hash(key);
        int slot = h & _mask;
        while (true)
        {
            int e = _slots[slot] - 1;
            if (e < 0) break;
            if (_hash[e] == h && _length[e] == key.Length && key.SequenceEqual(_arena.AsSpan(_offset[e], key.Length))) return e;
            slot = (slot + 1) & _mask;
        }
        int idx = _count;
        if (idx == _hash.Length)
        {
            int n = idx * 2;
            Array.Resize(ref _hash, n);
            Array.Resize(ref _offset, n);
            Array.Resize(ref _length, n);
        }
        if (_arenaUsed + key.Length > _arena.Length)
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + key.Length));
        key.CopyTo(_arena.AsSpan(_arenaUsed));
        _hash[idx] = h;
        _offset[idx] = _arenaUsed;
        _length[idx] = key.Length;
        _arenaUsed += key.Length;
        _count++;
        _slots[slot] = idx + 1;
        if (_count * 2 > _slots.Length) Rehash();
        return idx;
    }

    private int Find(ReadOnlySpan<byte> key, int h)
    {
        int slot = h & _mask;
        while (true)
        {
            int e = _slots[slot] - 1;
            if (e < 0) return -1;
            if (_hash[e] == h && _length[e] == key.Length && key.SequenceEqual(_arena.AsSpan(_offset[e], key.Length))) return e;
            slot = (slot + 1) & _mask;
        }
    }

    private void Rehash()
    {
        var slots = new int[_slots.Length * 2];
        int mask = slots.Length - 1;
        for (int e = 0; e < _count; e++)
        {
            int slot = _hash[e] & mask;
            while (slots[slot] != 0) slot = (slot + 1) & mask;
            slots[slot] = e + 1;
        }
        _slots = slots;
        _mask = mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Hash(ReadOnlySpan<byte> s)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)s.Length;
        while (s.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(s)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 29;
            s = s[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < s.Length; i++) tail |= (ulong)s[i] << (8 * i);
        h = (h ^ tail) * 0x94D049BB133111EBUL;
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 32;
        return (int)h & 0x7FFFFFFF;
    }
}

/// <summary>Interns ISO 4217 codes (three ASCII letters, upper-cased).</summary>
public sealed class CurrencyIndex
{
    private readonly Dictionary<int, int> _byKey = new();
    private readonly List<int> _keys = new();
    private int _lastKey = -1;
    private int _lastIndex = -1;

    internal static bool TryKey(ReadOnlySpan<byte> code, out int key)
    {
        key = 0;
        if (code.Length != 3) return false;
        for (int i = 0; i < 3; i++)
        {
            int c = code[i];
            if (c >= 'a' && c <= 'z') c -= 32;
            if (c < 'A' || c > 'Z') return false;
            key = (key << 8) | c;
        }
        return true;
    }

    internal static string KeyToCode(int key) =>
        new([(char)((key >> 16) & 0xFF), (char)((key >> 8) & 0xFF), (char)(key & 0xFF)]);

    internal int Intern(int key)
    {
        if (key == _lastKey) return _lastIndex;
        if (!_byKey.TryGetValue(key, out int idx))
        {
            if (_keys.Count >= short.MaxValue) throw new MetricsInputException("too many currencies");
            idx = _keys.Count;
            _keys.Add(key);
            _byKey[key] = idx;
        }
        _lastKey = key;
        _lastIndex = idx;
        return idx;
    }

    internal string[] Codes() => _keys.Select(KeyToCode).ToArray();
}

/// <summary>ISO 8601 date / UTC date-time parsing from UTF-8 into DateTime ticks.</summary>
internal static class Utf8Date
{
    /// <summary>
    /// Accepts YYYY-MM-DD, optionally followed by 'T' or ' ' and HH:MM[:SS[.fffffff]] and an optional
    /// zone 'Z', '+HH:MM', '-HH:MM' or '+HHMM' (converted to UTC; no zone = UTC).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParse(ReadOnlySpan<byte> s, out long ticks)
    {
        ticks = 0;
        if (s.Length < 10 || s[4] != '-' || s[7] != '-') return false;
        if (!D4(s, 0, out int y) || !D2(s, 5, out int mo) || !D2(s, 8, out int d)) return false;
        if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo)) return false;
        long t = (long)new DateOnly(y, mo, d).DayNumber * TimeSpan.TicksPerDay;
        if (s.Length == 10) { ticks = t; return true; }
        byte sep = s[10];
        if (sep != 'T' && sep != 't' && sep != ' ') return false;
        if (s.Length < 16 || s[13] != ':') return false;
        if (!D2(s, 11, out int hh) || !D2(s, 14, out int mm) || hh > 23 || mm > 59) return false;
        int i = 16;
        int ss = 0;
        long frac = 0;
        if (i < s.Length && s[i] == ':')
        {
            if (!D2(s, i + 1, out ss) || ss > 59) return false;
            i += 3;
            if (i < s.Length && (s[i] == '.' || s[i] == ','))
            {
                i++;
                int digits = 0;
                int startFrac = i;
                while (i < s.Length && (uint)(s[i] - '0') <= 9)
                {
                    if (digits < 7) { frac = frac * 10 + (s[i] - '0'); digits++; }
                    i++;
                }
                if (i == startFrac) return false;
                for (; digits < 7; digits++) frac *= 10;
            }
        }
        t += hh * TimeSpan.TicksPerHour + mm * TimeSpan.TicksPerMinute + ss * TimeSpan.TicksPerSecond + frac;
        if (i < s.Length)
        {
            byte z = s[i];
            if ((z == 'Z' || z == 'z') && i + 1 == s.Length) { }
            else if (z == '+' || z == '-')
            {
                int oh, om;
                if (i + 6 == s.Length && s[i + 3] == ':') { if (!D2(s, i + 1, out oh) || !D2(s, i + 4, out om)) return false; }
                else if (i + 5 == s.Length) { if (!D2(s, i + 1, out oh) || !D2(s, i + 3, out om)) return false; }
                else if (i + 3 == s.Length) { if (!D2(s, i + 1, out oh)) return false; om = 0; }
                else return false;
                if (oh > 23 || om > 59) return false;
                long off = oh * TimeSpan.TicksPerHour + om * TimeSpan.TicksPerMinute;
                t = z == '+' ? t - off : t + off;
                if (t < 0) return false;
            }
            else return false;
        }
        ticks = t;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool D2(ReadOnlySpan<byte> s, int i, out int v)
    {
        v = 0;
        if (i + 2 > s.Length) return false;
        uint a = (uint)(s[i] - '0'), b = (uint)(s[i + 1] - '0');
        if (a > 9 || b > 9) return false;
        v = (int)(a * 10 + b);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool D4(ReadOnlySpan<byte> s, int i, out int v)
    {
        v = 0;
        if (!D2(s, i, out int a) || !D2(s, i + 2, out int b)) return false;
        v = a * 100 + b;
        return true;
    }
}
