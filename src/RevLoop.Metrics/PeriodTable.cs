using System.Buffers.Binary;
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
/// dense int indexes; amounts are already normalised to monthly amounts in 1e-8 units of their currency.
/// </summary>
public sealed class PeriodTable
{
    internal PeriodTable(int count, int[] customer, long[] startTicks, long[] endTicks, long[] monthly, short[] currency,
        CustomerIndex customers, string[] currencies)
    {
        Count = count;
        Customer = customer;
        StartTicks = startTicks;
        EndTicks = endTicks;
        Monthly = monthly;
        Currency = currency;
        Customers = customers;
        Currencies = currencies;
    }

    public int Count { get; }
    internal int[] Customer { get; }
    internal long[] StartTicks { get; }
    /// <summary>Exclusive end; <see cref="long.MaxValue"/> when open.</summary>
    internal long[] EndTicks { get; }
    /// <summary>Monthly amount in 1e-8 units of the row's currency.</summary>
    internal long[] Monthly { get; }
    internal short[] Currency { get; }

    public CustomerIndex Customers { get; }
    public IReadOnlyList<string> Currencies { get; }

    /// <summary>Monthly amount of row <paramref name="row"/> (exact, 8 decimals).</summary>
    public decimal MonthlyAmount(int row) => Money.ToDecimal(Monthly[row], Money.NativeScale);

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
            if (!MonthlyFactor.TryMonthlyUnits(amountUnits, qm, qs, p.Interval, p.IntervalCount, out long monthly))
            {
                errors.Add(new RowError(line, "amount", "too large"));
                continue;
            }
            int byteCount = Encoding.UTF8.GetByteCount(p.CustomerId);
            Span<byte> id = byteCount <= idBuf.Length ? idBuf[..byteCount] : new byte[byteCount];
            Encoding.UTF8.GetBytes(p.CustomerId, id);
            int cust = builder.Customers.Intern(id);
            builder.Add(cust, start, end, monthly, builder.CurrencyIndex.Intern(currency));
        }
        return builder.Build();
    }

    private static DateTime ToUtc(DateTime t) => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
}

internal sealed class PeriodTableBuilder
{
    private int _count;
    private int[] _customer;
    private long[] _start;
    private long[] _end;
    private long[] _monthly;
    private short[] _currency;

    public PeriodTableBuilder(int capacity)
    {
        capacity = Math.Max(capacity, 16);
        _customer = new int[capacity];
        _start = new long[capacity];
        _end = new long[capacity];
        _monthly = new long[capacity];
        _currency = new short[capacity];
    }

    public CustomerIndex Customers { get; } = new();
    public CurrencyIndex CurrencyIndex { get; } = new();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int customer, long startTicks, long endTicks, long monthly, int currency)
    {
        if (_count == _customer.Length) Grow();
        int i = _count++;
        _customer[i] = customer;
        _start[i] = startTicks;
        _end[i] = endTicks;
        _monthly[i] = monthly;
        _currency[i] = (short)currency;
    }

    private void Grow()
    {
        int n = _customer.Length * 2;
        Array.Resize(ref _customer, n);
        Array.Resize(ref _start, n);
        Array.Resize(ref _end, n);
        Array.Resize(ref _monthly, n);
        Array.Resize(ref _currency, n);
    }

    public PeriodTable Build() =>
        new(_count, _customer, _start, _end, _monthly, _currency, Customers, CurrencyIndex.Codes());
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
