using System.Runtime.CompilerServices;
using System.Text;

namespace RevLoop.Metrics;

/// <summary>
/// Streaming reader of the canonical subscription-period CSV (METRICS.md §1).
/// Columns are found by header name (case-insensitive, any order). Required: customer_id, start, amount,
/// currency, interval. Optional: subscription_id (not needed by any metric), end (absent = all running),
/// interval_count (default 1), quantity (default 1). Other columns are ignored.
/// Invalid rows are reported as <see cref="RowError"/> (every failing field of the row) and left out.
/// </summary>
public static class PeriodCsvReader
{
    private const int CCustomer = 0, CSubscription = 1, CStart = 2, CEnd = 3, CAmount = 4, CCurrency = 5, CInterval = 6, CIntervalCount = 7, CQuantity = 8;
    private static readonly string[] Names = ["customer_id", "subscription_id", "start", "end", "amount", "currency", "interval", "interval_count", "quantity"];
    private static readonly bool[] Required = [true, false, true, false, true, true, true, false, false];

    /// <summary>How many records pass between two calls of the progress callback.</summary>
    public const int ProgressInterval = 500_000;

    public static PeriodTable Read(Stream stream, List<RowError> errors) => Read(stream, errors, 1 << 20, ProgressInterval, null);

    /// <summary>As <see cref="Read(Stream, List{RowError})"/>, calling <paramref name="progress"/> with the number of records read so far every <see cref="ProgressInterval"/> records.</summary>
    public static PeriodTable Read(Stream stream, List<RowError> errors, Action<long>? progress) => Read(stream, errors, 1 << 20, ProgressInterval, progress);

    internal static PeriodTable Read(Stream stream, List<RowError> errors, int bufferSize) => Read(stream, errors, bufferSize, ProgressInterval, null);

    internal static PeriodTable Read(Stream stream, List<RowError> errors, int bufferSize, int progressEvery, Action<long>? progress)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(errors);
        var reader = new CsvRecordReader(stream, bufferSize);
        if (!reader.Read()) throw new MetricsInputException("empty input: a header row is required");
        int[] col = new int[Names.Length];
        Array.Fill(col, -1);
        for (int i = 0; i < reader.FieldCount; i++)
        {
            string name = Encoding.UTF8.GetString(reader.Field(i)).Trim().ToLowerInvariant();
            int k = Array.IndexOf(Names, name);
            if (k < 0) continue;
            if (col[k] >= 0) throw new MetricsInputException($"duplicate column '{name}' in header");
            col[k] = i;
        }
        var missing = Names.Where((n, k) => Required[k] && col[k] < 0).ToList();
        if (missing.Count > 0) throw new MetricsInputException("missing required column(s): " + string.Join(", ", missing));
        int headerFields = reader.FieldCount;

        int capacity = 1 << 16;
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            capacity = (int)Math.Clamp(remaining / 40 + 16, 16, 1 << 27);
        }
        var builder = new PeriodTableBuilder(capacity);
        long records = 0;
        while (reader.Read())
        {
            ParseRow(reader, col, headerFields, builder, errors);
            if (progress is not null && ++records % progressEvery == 0) progress(records);
        }
        return builder.Build();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ParseRow(CsvRecordReader r, int[] col, int headerFields, PeriodTableBuilder builder, List<RowError> errors)
    {
        long line = r.Line;
        if (r.Malformed is not null) { errors.Add(new RowError(line, "row", r.Malformed)); return; }
        if (r.FieldCount != headerFields)
        {
            errors.Add(new RowError(line, "row", $"expected {headerFields} fields, found {r.FieldCount}"));
            return;
        }
        int before = errors.Count;

        var cust = r.Field(col[CCustomer]);
        if (cust.IsEmpty) errors.Add(new RowError(line, "customer_id", "missing"));

        long start = 0;
        bool startOk = false;
        var startText = r.Field(col[CStart]);
        if (startText.IsEmpty) errors.Add(new RowError(line, "start", "missing"));
        else if (!Utf8Date.TryParse(startText, out start)) errors.Add(new RowError(line, "start", $"invalid date '{Text(startText)}'"));
        else startOk = true;

        long end = long.MaxValue;
        if (col[CEnd] >= 0)
        {
            var endText = r.Field(col[CEnd]);
            if (!endText.IsEmpty)
            {
                if (!Utf8Date.TryParse(endText, out end)) { errors.Add(new RowError(line, "end", $"invalid date '{Text(endText)}'")); end = long.MaxValue; }
                else if (startOk && end < start) errors.Add(new RowError(line, "end", "before start"));
            }
        }

        long amount = 0;
        int amountScale = 0;
        var amountText = r.Field(col[CAmount]);
        if (amountText.IsEmpty) errors.Add(new RowError(line, "amount", "missing"));
        else
        {
            var st = FixedPoint.Parse(amountText, Money.NativeScale, 10, out amount, out amountScale);
            if (st != FixedPoint.Status.Ok) errors.Add(new RowError(line, "amount", NumberReason(st, amountText)));
        }

        int currencyKey = 0;
        var curText = r.Field(col[CCurrency]);
        if (curText.IsEmpty) errors.Add(new RowError(line, "currency", "missing"));
        else if (!CurrencyIndex.TryKey(curText, out currencyKey)) errors.Add(new RowError(line, "currency", $"invalid currency code '{Text(curText)}'"));

        BillingInterval interval = BillingInterval.Month;
        var ivText = r.Field(col[CInterval]);
        if (ivText.IsEmpty) errors.Add(new RowError(line, "interval", "missing"));
        else if (!TryInterval(ivText, out interval)) errors.Add(new RowError(line, "interval", $"unknown interval '{Text(ivText)}'"));

        int intervalCount = 1;
        if (col[CIntervalCount] >= 0)
        {
            var t = r.Field(col[CIntervalCount]);
            if (!t.IsEmpty)
            {
                var st = FixedPoint.Parse(t, 0, 6, out long m, out _);
                if (st != FixedPoint.Status.Ok || m < 1) errors.Add(new RowError(line, "interval_count", $"not a positive integer '{Text(t)}'"));
                else intervalCount = (int)m;
            }
        }

        long qm = 1;
        int qs = 0;
        if (col[CQuantity] >= 0)
        {
            var t = r.Field(col[CQuantity]);
            if (!t.IsEmpty)
            {
                var st = FixedPoint.Parse(t, Money.NativeScale, 9, out qm, out qs);
                if (st != FixedPoint.Status.Ok)
                {
                    errors.Add(new RowError(line, "quantity", st == FixedPoint.Status.Negative ? "negative quantity" : NumberReason(st, t)));
                }
            }
        }

        if (errors.Count != before) return;
        FixedPoint.StripZeros(ref amount, ref amountScale);
        if (qs > 0) FixedPoint.StripZeros(ref qm, ref qs);
        int ci = builder.Customers.Intern(cust);
        builder.Add(ci, start, end, PeriodTableBuilder.Product(amount, qm), amountScale + qs,
            builder.Factors.Intern(interval, intervalCount), builder.CurrencyIndex.Intern(currencyKey));
    }

    private static string NumberReason(FixedPoint.Status st, ReadOnlySpan<byte> text) => st switch
    {
        FixedPoint.Status.Negative => "negative amount",
        FixedPoint.Status.TooManyDecimals => $"more than 8 decimals '{Text(text)}'",
        FixedPoint.Status.Overflow => $"number too large '{Text(text)}'",
        _ => $"invalid number '{Text(text)}'",
    };

    internal static bool TryInterval(ReadOnlySpan<byte> s, out BillingInterval interval)
    {
        Span<byte> low = stackalloc byte[8];
        interval = BillingInterval.Month;
        if (s.Length > 8) return false;
        for (int i = 0; i < s.Length; i++) low[i] = (byte)(s[i] | 0x20);
        var l = low[..s.Length];
        if (l.SequenceEqual("month"u8)) interval = BillingInterval.Month;
        else if (l.SequenceEqual("year"u8)) interval = BillingInterval.Year;
        else if (l.SequenceEqual("quarter"u8)) interval = BillingInterval.Quarter;
        else if (l.SequenceEqual("week"u8)) interval = BillingInterval.Week;
        else if (l.SequenceEqual("day"u8)) interval = BillingInterval.Day;
        else return false;
        return true;
    }

    internal static string Text(ReadOnlySpan<byte> s)
    {
        string t = Encoding.UTF8.GetString(s);
        return t.Length > 40 ? t[..40] + "..." : t;
    }
}
