using System.Runtime.CompilerServices;
using System.Text;

namespace RevLoop.Metrics;

/// <summary>
/// Conversion paths, columnar: path p's touches are <c>Touches[PathStart[p] .. PathStart[p + 1])</c> (channel indexes,
/// repeats kept), with its conversions, conversion value (integer units of 10^-8) and nulls (paths that did not convert).
/// </summary>
public sealed class PathTable
{
    internal PathTable(string[] channels, int[] touches, int[] pathStart, long[] conversions, Int128[] value, long[] nulls, int paths)
    {
        Channels = channels;
        Touches = touches;
        PathStart = pathStart;
        Conversions = conversions;
        Value = value;
        Nulls = nulls;
        Count = paths;
    }

    /// <summary>Channel names by index, in order of first appearance.</summary>
    public IReadOnlyList<string> Channels { get; }
    public int Count { get; }
    public long TouchCount => PathStart[Count];
    internal int[] Touches { get; }
    internal int[] PathStart { get; }
    internal long[] Conversions { get; }
    /// <summary>Conversion value per path in units of 10^-<see cref="ValueScale"/>.</summary>
    internal Int128[] Value { get; }

    /// <summary>
    /// Decimals kept of a conversion value: tools that export floats (R's write.csv of ChannelAttribution's PathData) write
    /// values such as 0.00450000000000006, which are kept exactly.
    /// </summary>
    public const int ValueScale = 18;
    internal static readonly Int128 ValueUnit = (Int128)Money.Pow10U128[ValueScale];
    internal long[] Nulls { get; }

    /// <summary>Builds a table from paths given as channel lists (tests, and the server's own touch data).</summary>
    public static PathTable FromPaths(IEnumerable<(IReadOnlyList<string> Channels, long Conversions, decimal Value, long Nulls)> paths)
    {
        var b = new PathTableBuilder(1 << 10);
        foreach (var (channels, conversions, value, nulls) in paths)
        {
            if (channels.Count == 0) throw new ArgumentException("a path needs at least one channel", nameof(paths));
            if (conversions < 0 || nulls < 0) throw new ArgumentOutOfRangeException(nameof(paths), "negative count");
            if (value < 0 || PathCsvReader.ParseValue(System.Text.Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)), out Int128 units) != FixedPoint.Status.Ok)
                throw new ArgumentOutOfRangeException(nameof(paths), $"value must be non-negative, below 10^10, with at most {ValueScale} decimals");
            if (units > 0 && conversions == 0) throw new ArgumentException("a path without conversions has no conversion value", nameof(paths));
            foreach (var c in channels)
            {
                if (string.IsNullOrWhiteSpace(c)) throw new ArgumentException("empty channel name", nameof(paths));
                b.AddTouch(Encoding.UTF8.GetBytes(c.Trim()));
            }
            b.EndPath(conversions, units, nulls);
        }
        return b.Build();
    }
}

internal sealed class PathTableBuilder(int capacity)
{
    private readonly CustomerIndex _channels = new();
    private int[] _touches = new int[Math.Max(16, capacity * 4)];
    private int _touchCount;
    private int[] _pathStart = new int[Math.Max(16, capacity + 1)];
    private long[] _conversions = new long[Math.Max(16, capacity)];
    private Int128[] _value = new Int128[Math.Max(16, capacity)];
    private long[] _nulls = new long[Math.Max(16, capacity)];
    private int _paths;

    public int PendingTouches => _touchCount - _pathStart[_paths];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddTouch(ReadOnlySpan<byte> channel)
    {
        if (_touchCount == _touches.Length)
        {
            if (_touches.Length == Array.MaxLength) throw new MetricsInputException("too many touchpoints");
            Array.Resize(ref _touches, (int)Math.Min(Array.MaxLength, _touches.Length * 2L));
        }
        _touches[_touchCount++] = _channels.Intern(channel);
    }

    /// <summary>Drops the touches added since the last complete path (a row that turned out invalid).</summary>
    public void DiscardPath() => _touchCount = _pathStart[_paths];

    public void EndPath(long conversions, Int128 value, long nulls)
    {
        if (_paths + 1 == _pathStart.Length)
        {
            int n = _pathStart.Length * 2;
            Array.Resize(ref _pathStart, n);
            Array.Resize(ref _conversions, n);
            Array.Resize(ref _value, n);
            Array.Resize(ref _nulls, n);
        }
        _conversions[_paths] = conversions;
        _value[_paths] = value;
        _nulls[_paths] = nulls;
        _paths++;
        _pathStart[_paths] = _touchCount;
    }

    public PathTable Build()
    {
        var names = new string[_channels.Count];
        for (int i = 0; i < names.Length; i++) names[i] = _channels.GetId(i);
        return new PathTable(names, _touches, _pathStart, _conversions, _value, _nulls, _paths);
    }
}

/// <summary>
/// Streaming reader of the path CSV used by the common attribution packages (ChannelAttribution and others):
/// <c>path,total_conversions,total_conversion_value,total_null</c>, path = channel names joined by <c>&gt;</c>
/// (spaces around each name are trimmed, so <c>a &gt; b</c> and <c>a&gt;b</c> are the same path). Columns are found by
/// header name (case-insensitive, any order); path and total_conversions are required, a missing
/// total_conversion_value or total_null column counts as 0. Counts are non-negative integers (<c>3.0</c> is 3),
/// the value a non-negative number below 10^10 with at most 18 decimals, exponent notation allowed (float exports such as
/// R's write.csv of ChannelAttribution's PathData write 0.00450000000000006), kept exactly. Invalid rows are reported by CSV line and left out.
/// </summary>
public static class PathCsvReader
{
    private const int CPath = 0, CConversions = 1, CValue = 2, CNulls = 3;
    private static readonly string[] Names = ["path", "total_conversions", "total_conversion_value", "total_null"];

    public static PathTable Read(Stream stream, List<RowError> errors) => Read(stream, errors, 1 << 20);

    internal static PathTable Read(Stream stream, List<RowError> errors, int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(errors);
        var reader = new CsvRecordReader(stream, bufferSize);
        if (!reader.Read()) throw new MetricsInputException("empty input: a header row is required");
        int[] col = [-1, -1, -1, -1];
        for (int i = 0; i < reader.FieldCount; i++)
        {
            string name = Encoding.UTF8.GetString(reader.Field(i)).Trim().ToLowerInvariant();
            int k = Array.IndexOf(Names, name);
            if (k < 0) continue;
            if (col[k] >= 0) throw new MetricsInputException($"duplicate column '{name}' in header");
            col[k] = i;
        }
        var missing = Names.Take(2).Where((n, k) => col[k] < 0).ToList();
        if (missing.Count > 0) throw new MetricsInputException("missing required column(s): " + string.Join(", ", missing));
        int headerFields = reader.FieldCount;
        int capacity = 1 << 12;
        if (stream.CanSeek) capacity = (int)Math.Clamp((stream.Length - stream.Position) / 40 + 16, 16, 1 << 26);
        var builder = new PathTableBuilder(capacity);
        while (reader.Read()) ParseRow(reader, col, headerFields, builder, errors);
        return builder.Build();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ParseRow(CsvRecordReader r, int[] col, int headerFields, PathTableBuilder builder, List<RowError> errors)
    {
        long line = r.Line;
        if (r.Malformed is not null) { errors.Add(new RowError(line, "row", r.Malformed)); return; }
        if (r.FieldCount != headerFields)
        {
            errors.Add(new RowError(line, "row", $"expected {headerFields} fields, found {r.FieldCount}"));
            return;
        }
        int before = errors.Count;
        var path = r.Field(col[CPath]);
        if (IsBlank(path)) errors.Add(new RowError(line, "path", "missing"));
        else
        {
            int position = 1;
            while (true)
            {
                int gt = path.IndexOf((byte)'>');
                var name = Trim(gt < 0 ? path : path[..gt]);
                if (name.IsEmpty)
                {
                    errors.Add(new RowError(line, "path", $"empty channel name at position {position}"));
                    builder.DiscardPath();
                    break;
                }
                builder.AddTouch(name);
                if (gt < 0) break;
                path = path[(gt + 1)..];
                position++;
            }
        }
        long conversions = Count(r.Field(col[CConversions]), line, "total_conversions", errors);
        long nulls = col[CNulls] >= 0 ? Count(r.Field(col[CNulls]), line, "total_null", errors) : 0;
        Int128 value = 0;
        if (col[CValue] >= 0)
        {
            var t = r.Field(col[CValue]);
            if (!t.IsEmpty)
            {
                var st = ParseValue(t, out value);
                if (st != FixedPoint.Status.Ok) errors.Add(new RowError(line, "total_conversion_value", st switch
                {
                    FixedPoint.Status.Negative => "negative value",
                    FixedPoint.Status.TooManyDecimals => $"more than {PathTable.ValueScale} decimals '{PeriodCsvReader.Text(t)}'",
                    FixedPoint.Status.Overflow => $"number too large '{PeriodCsvReader.Text(t)}'",
                    _ => $"invalid number '{PeriodCsvReader.Text(t)}'",
                }));
            }
        }
        if (value > 0 && conversions == 0 && errors.Count == before)
            errors.Add(new RowError(line, "total_conversion_value", "a path without conversions has no conversion value"));
        if (errors.Count != before)
        {
            builder.DiscardPath();
            return;
        }
        builder.EndPath(conversions, value, nulls);
    }

    /// <summary>
    /// A non-negative number below 10^10 in units of 10^-18: digits with an optional '.' and an optional exponent
    /// (1.5e-3, as float exports write small values); digits beyond the 18th decimal must be zeros.
    /// </summary>
    internal static FixedPoint.Status ParseValue(ReadOnlySpan<byte> s, out Int128 units)
    {
        units = 0;
        int i = 0;
        bool negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+')) { negative = s[0] == '-'; i = 1; }
        Int128 m = 0;
        int digits = 0, decimals = 0;
        bool dot = false, sawDigit = false;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d <= 9)
            {
                sawDigit = true;
                if (dot) decimals++;
                if (m == 0 && d == 0) continue;
                if (++digits > 36) return FixedPoint.Status.Overflow;
                m = m * 10 + (int)d;
            }
            else if (s[i] == '.' && !dot) dot = true;
            else break;
        }
        if (!sawDigit) return FixedPoint.Status.Invalid;
        int exponent = 0;
        if (i < s.Length)
        {
            if ((s[i] | 0x20) != 'e' || ++i == s.Length) return FixedPoint.Status.Invalid;
            bool negExp = s[i] == '-';
            if (s[i] == '-' || s[i] == '+') i++;
            if (i == s.Length) return FixedPoint.Status.Invalid;
            for (; i < s.Length; i++)
            {
                uint d = (uint)(s[i] - '0');
                if (d > 9 || exponent > 1000) return FixedPoint.Status.Invalid;
                exponent = exponent * 10 + (int)d;
            }
            if (negExp) exponent = -exponent;
        }
        if (negative && m != 0) return FixedPoint.Status.Negative;
        int shift = PathTable.ValueScale - decimals + exponent; // units = m x 10^shift
        if (m == 0) return FixedPoint.Status.Ok;
        if (shift < 0)
        {
            if (-shift > 38) return FixedPoint.Status.TooManyDecimals;
            var p = (Int128)Money.Pow10U128[-shift];
            if (m % p != 0) return FixedPoint.Status.TooManyDecimals;
            m /= p;
        }
        else if (shift > 0)
        {
            if (shift > 38 || m > MaxValueUnits / (Int128)Money.Pow10U128[shift]) return FixedPoint.Status.Overflow;
            m *= (Int128)Money.Pow10U128[shift];
        }
        if (m >= MaxValueUnits) return FixedPoint.Status.Overflow;
        units = m;
        return FixedPoint.Status.Ok;
    }

    /// <summary>10^10 in value units: values stay below it so that sums over millions of paths fit in Int128.</summary>
    private static readonly Int128 MaxValueUnits = (Int128)Money.Pow10U128[10 + PathTable.ValueScale];

    /// <summary>A non-negative integer count (an empty cell is 0; "3.0" is 3; "1.5" is an error).</summary>
    private static long Count(ReadOnlySpan<byte> text, long line, string field, List<RowError> errors)
    {
        if (text.IsEmpty) return 0;
        var st = FixedPoint.Parse(text, Money.NativeScale, 10, out long m, out int scale);
        if (st == FixedPoint.Status.Ok)
        {
            long unit = Money.Pow10(scale);
            if (m % unit == 0) return m / unit;
            errors.Add(new RowError(line, field, $"not an integer count '{PeriodCsvReader.Text(text)}'"));
        }
        else
        {
            errors.Add(new RowError(line, field, st switch
            {
                FixedPoint.Status.Negative => $"negative count '{PeriodCsvReader.Text(text)}'",
                FixedPoint.Status.Overflow => $"count too large '{PeriodCsvReader.Text(text)}'",
                _ => $"not an integer count '{PeriodCsvReader.Text(text)}'",
            }));
        }
        return 0;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int a = 0, b = s.Length;
        while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
        return s[a..b];
    }

    private static bool IsBlank(ReadOnlySpan<byte> s) => Trim(s).IsEmpty;
}
