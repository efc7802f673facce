using System.Runtime.CompilerServices;
using System.Text;

namespace RevLoop.Metrics;

/// <summary>
/// Conversion paths, columnar: path p's touches are <c>Touches[PathStart[p] .. PathStart[p + 1])</c> (channel indexes,
/// repeats kept), with its conversions, conversion value (integer units of 10^-8) and nulls (paths that did not convert).
/// </summary>
public sealed class PathTable
{
    internal PathTable(string[] channels, int[] touches, int[] pathStart, long[] conversions, long[] value, long[] nulls, int paths)
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
    internal long[] Value { get; }
    internal long[] Nulls { get; }

    /// <summary>Builds a table from paths given as channel lists (tests, and the server's own touch data).</summary>
    public static PathTable FromPaths(IEnumerable<(IReadOnlyList<string> Channels, long Conversions, decimal Value, long Nulls)> paths)
    {
        var b = new PathTableBuilder(1 << 10);
        foreach (var (channels, conversions, value, nulls) in paths)
        {
            if (channels.Count == 0) throw new ArgumentException("a path needs at least one channel", nameof(paths));
            if (conversions < 0 || nulls < 0) throw new ArgumentOutOfRangeException(nameof(paths), "negative count");
            if (value < 0 || !FixedPoint.TryFromDecimal(value, Money.NativeScale, out long units))
                throw new ArgumentOutOfRangeException(nameof(paths), "value must be non-negative with at most 8 decimals");
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
    private long[] _value = new long[Math.Max(16, capacity)];
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

    public void EndPath(long conversions, long value, long nulls)
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
/// the value a non-negative number with at most 8 decimals. Invalid rows are reported by CSV line and left out.
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
        long value = 0;
        if (col[CValue] >= 0)
        {
            var t = r.Field(col[CValue]);
            if (!t.IsEmpty)
            {
                var st = FixedPoint.Parse(t, Money.NativeScale, 10, out long m, out int scale);
                if (st == FixedPoint.Status.Ok) value = m * Money.Pow10(Money.NativeScale - scale);
                else errors.Add(new RowError(line, "total_conversion_value", st switch
                {
                    FixedPoint.Status.Negative => "negative value",
                    FixedPoint.Status.TooManyDecimals => $"more than 8 decimals '{PeriodCsvReader.Text(t)}'",
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
