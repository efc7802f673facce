using System.Runtime.CompilerServices;
using System.Text;

namespace RevLoop.Metrics;

/// <summary>
/// Streaming reader of the opportunities CSV of `metrics sales` (issue 5):
/// <c>opportunity_id,account_id,owner,product,region,segment,source,created,closed,status,amount,stage</c>.
/// Columns are found by header name (case-insensitive, any order); created, closed, status, amount and the grouped
/// column are required, the others are not read. Each valid row is added to the report's sums as it is parsed, so
/// memory does not grow with the number of deals. Invalid rows are reported (every failing field, by CSV line) and
/// left out; the caller decides whether to print anything.
/// </summary>
public static class SalesCsvReader
{
    private const int CCreated = 0, CClosed = 1, CStatus = 2, CAmount = 3, CGroup = 4;

    /// <summary>The CSV column of each grouping dimension.</summary>
    public static string ColumnOf(SalesGroupBy groupBy) => groupBy switch
    {
        SalesGroupBy.Owner => "owner",
        SalesGroupBy.Product => "product",
        SalesGroupBy.Region => "region",
        SalesGroupBy.Segment => "segment",
        SalesGroupBy.Source => "source",
        _ => "",
    };

    public static SalesReport Read(Stream stream, SalesQuery query, List<RowError> errors) => Read(stream, query, errors, 1 << 20);

    internal static SalesReport Read(Stream stream, SalesQuery query, List<RowError> errors, int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(errors);
        var acc = new SalesAccumulator(query);
        var reader = new CsvRecordReader(stream, bufferSize);
        if (!reader.Read()) throw new MetricsInputException("empty input: a header row is required");
        string[] names = ["created", "closed", "status", "amount", ColumnOf(query.GroupBy)];
        bool grouped = query.GroupBy != SalesGroupBy.None;
        int[] col = [-1, -1, -1, -1, -1];
        for (int i = 0; i < reader.FieldCount; i++)
        {
            string name = Encoding.UTF8.GetString(reader.Field(i)).Trim().ToLowerInvariant();
            int k = Array.IndexOf(names, name, 0, grouped ? names.Length : CGroup);
            if (k < 0) continue;
            if (col[k] >= 0) throw new MetricsInputException($"duplicate column '{name}' in header");
            col[k] = i;
        }
        var missing = names.Where((n, k) => col[k] < 0 && (k < CGroup || grouped)).ToList();
        if (missing.Count > 0) throw new MetricsInputException("missing required column(s): " + string.Join(", ", missing));
        int headerFields = reader.FieldCount;
        var groups = new CustomerIndex();
        while (reader.Read()) ParseRow(reader, col, headerFields, grouped, groups, acc, errors);
        var groupNames = new string[grouped ? groups.Count : 0];
        for (int g = 0; g < groupNames.Length; g++) groupNames[g] = groups.GetId(g);
        return acc.Report(groupNames);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ParseRow(CsvRecordReader r, int[] col, int headerFields, bool grouped, CustomerIndex groups, SalesAccumulator acc, List<RowError> errors)
    {
        long line = r.Line;
        if (r.Malformed is not null) { errors.Add(new RowError(line, "row", r.Malformed)); return; }
        if (r.FieldCount != headerFields)
        {
            errors.Add(new RowError(line, "row", $"expected {headerFields} fields, found {r.FieldCount}"));
            return;
        }
        int before = errors.Count;
        int created = Date(r.Field(col[CCreated]), line, "created", required: true, errors);
        var closedText = r.Field(col[CClosed]);
        int closed = Date(closedText, line, "closed", required: false, errors);

        var statusText = r.Field(col[CStatus]);
        OpportunityStatus status = OpportunityStatus.Open;
        bool statusOk = false;
        if (statusText.IsEmpty) errors.Add(new RowError(line, "status", "missing"));
        else if (!TryStatus(statusText, out status)) errors.Add(new RowError(line, "status", $"unknown status '{PeriodCsvReader.Text(statusText)}', expected open, won or lost"));
        else statusOk = true;

        long amount = 0;
        var amountText = r.Field(col[CAmount]);
        if (!amountText.IsEmpty)
        {
            var st = FixedPoint.Parse(amountText, Money.NativeScale, 10, out long m, out int scale);
            if (st == FixedPoint.Status.Ok) amount = m * Money.Pow10(Money.NativeScale - scale);
            else errors.Add(new RowError(line, "amount", st switch
            {
                FixedPoint.Status.Negative => "negative amount",
                FixedPoint.Status.TooManyDecimals => $"more than 8 decimals '{PeriodCsvReader.Text(amountText)}'",
                FixedPoint.Status.Overflow => $"number too large '{PeriodCsvReader.Text(amountText)}'",
                _ => $"invalid number '{PeriodCsvReader.Text(amountText)}'",
            }));
        }
        if (statusOk && created >= 0 && (closed >= 0 || closedText.IsEmpty))
            SalesEngine.Validate(line, created, closed, status, hasAmount: !amountText.IsEmpty, errors);
        if (errors.Count != before) return;
        int g = 0;
        if (grouped)
        {
            var value = r.Field(col[CGroup]);
            g = groups.Intern(value.IsEmpty ? "(none)"u8 : value);
        }
        acc.Add(g, created, closed, status, amount);
    }

    /// <summary>YYYY-MM-DD as a DateOnly day number; -1 when empty (or invalid, which is reported).</summary>
    private static int Date(ReadOnlySpan<byte> text, long line, string field, bool required, List<RowError> errors)
    {
        if (text.IsEmpty)
        {
            if (required) errors.Add(new RowError(line, field, "missing"));
            return -1;
        }
        if (text.Length != 10 || !Utf8Date.TryParse(text, out long ticks))
        {
            errors.Add(new RowError(line, field, $"invalid date '{PeriodCsvReader.Text(text)}', expected YYYY-MM-DD"));
            return -1;
        }
        return (int)(ticks / TimeSpan.TicksPerDay);
    }

    internal static bool TryStatus(ReadOnlySpan<byte> s, out OpportunityStatus status)
    {
        status = OpportunityStatus.Open;
        if (s.Length is < 3 or > 4) return false;
        Span<byte> low = stackalloc byte[4];
        for (int i = 0; i < s.Length; i++) low[i] = (byte)(s[i] | 0x20);
        var l = low[..s.Length];
        if (l.SequenceEqual("open"u8)) status = OpportunityStatus.Open;
        else if (l.SequenceEqual("won"u8)) status = OpportunityStatus.Won;
        else if (l.SequenceEqual("lost"u8)) status = OpportunityStatus.Lost;
        else return false;
        return true;
    }
}
