using System.Text;
using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

public class CsvParserTests
{
    private const string BadCsv =
        "customer_id,subscription_id,start,end,amount,currency,interval,interval_count,quantity\n" + // 1
        "a,1,2024-01-01,,10,USD,month,,\n" +                     // 2 ok
        ",1,2024-01-01,,10,USD,month,,\n" +                      // 3
        "b,1,2024-02-01,2024-01-01,10,USD,month,,\n" +           // 4
        "c,1,2024-01-01,,10,USD,fortnight,,\n" +                 // 5
        "d,1,2024-01-01,,12.3.4,USD,month,,\n" +                 // 6
        "e,1,2024-13-01,,10,USD,month,,\n" +                     // 7
        "f,1,2024-01-01,,10,US$,month,,\n" +                     // 8
        "\"g, quoted\",\"multi\nline note\",2024-01-01,,10,USD,month,,\n" + // 9-10 ok
        "h,1,2024-01-01,,-5,USD,month,,\n" +                     // 11
        "i,1,2024-01-01,,10,USD,month,0,\n" +                    // 12
        "j,1,2024-01-01,,10,USD,month\n" +                       // 13
        "\n" +                                                   // 14 blank
        "k,1,2024-01-01,,1.123456789,USD,month,,\n" +            // 15
        "l,1,2024-01-01,,abc,EURO,month,x,\n" +                  // 16
        "\"m \"\"q\"\"\",1,2024-01-01T10:00:00+02:00,,10,usd,Month,2,1.5\n" + // 17 ok
        "n,1,2024-01-01,,10,USD,month,,2x\n" +                   // 18
        "o,1,,2024-01-01 10:61,10,USD,month,,\n" +               // 19
        "\"p,1,2024-01-01,,10,USD,month,,";                      // 20 unterminated

    private static readonly RowError[] Expected =
    [
        new(3, "customer_id", "missing"),
        new(4, "end", "before start"),
        new(5, "interval", "unknown interval 'fortnight'"),
        new(6, "amount", "invalid number '12.3.4'"),
        new(7, "start", "invalid date '2024-13-01'"),
        new(8, "currency", "invalid currency code 'US$'"),
        new(11, "amount", "negative amount"),
        new(12, "interval_count", "not a positive integer '0'"),
        new(13, "row", "expected 9 fields, found 7"),
        new(15, "amount", "more than 8 decimals '1.123456789'"),
        new(16, "amount", "invalid number 'abc'"),
        new(16, "currency", "invalid currency code 'EURO'"),
        new(16, "interval_count", "not a positive integer 'x'"),
        new(18, "quantity", "invalid number '2x'"),
        new(19, "start", "missing"),
        new(19, "end", "invalid date '2024-01-01 10:61'"),
        new(20, "row", "unterminated quoted field"),
    ];

    [Theory]
    [InlineData(false, 1 << 20)]
    [InlineData(true, 1 << 20)]
    [InlineData(false, 7)]
    [InlineData(true, 5)]
    public void Bad_rows_are_reported_with_line_field_and_reason(bool crlf, int bufferSize)
    {
        string csv = crlf ? BadCsv.Replace("\n", "\r\n") : BadCsv;
        var errors = new List<RowError>();
        var t = PeriodCsvReader.Read(Utf8(csv), errors, bufferSize);
        Assert.Equal(Expected, errors);
        Assert.Equal(3, t.Count);
        Assert.Equal(["a", "g, quoted", "m \"q\""], Enumerable.Range(0, t.Customers.Count).Select(t.Customers.GetId));
        Assert.Equal(7.5m, t.MonthlyAmount(2));
        var r = MetricsEngine.Compute(t, new MetricsQuery { From = YearMonth.Parse("2024-01"), To = YearMonth.Parse("2024-01") });
        Assert.Equal(20m, r.MrrAt(Utc("2024-01-01T07:59:59")));
        Assert.Equal(27.5m, r.MrrAt(Utc("2024-01-01T08:00:00")));
        Assert.Equal("USD", r.Currency);
    }

    [Fact]
    public void Columns_in_any_order_optional_columns_absent_and_bom()
    {
        var csv = "\uFEFFinterval , Currency,amount,start,customer_id,extra\n"
                  + "year,EUR,18.29,2024-01-01,a,ignored\n"
                  + "week,EUR,10,2024-01-01,b,x\n"
                  + "quarter,EUR,300,2024-01-01,c,\"q,\"\"x\"\"\"\n";
        var t = Table(csv);
        Assert.Equal([1.5241666666666666666666666667m, 43.333333333333333333333333333m, 100m], Enumerable.Range(0, t.Count).Select(t.MonthlyAmount));
        Assert.Equal(["EUR"], t.Currencies);
    }

    [Fact]
    public void Missing_required_column_is_fatal()
    {
        var ex = Assert.Throws<MetricsInputException>(() => PeriodCsvReader.Read(Utf8("customer_id,start,currency\n"), []));
        Assert.Equal("missing required column(s): amount, interval", ex.Message);
        Assert.Throws<MetricsInputException>(() => PeriodCsvReader.Read(Utf8(""), []));
        var dup = Assert.Throws<MetricsInputException>(() => PeriodCsvReader.Read(Utf8("customer_id,start,amount,currency,interval,amount\n"), []));
        Assert.Equal("duplicate column 'amount' in header", dup.Message);
    }

    [Fact]
    public void Dates_and_date_times()
    {
        var csv = Header
                  + "a,1,2024-03-10T23:30:00Z,,1,USD,month\n"
                  + "b,1,2024-03-10T23:30:00-01:00,,2,USD,month\n"      // = 2024-03-11T00:30Z
                  + "c,1,2024-03-10 12:00:00.1234567,,4,USD,month\n"
                  + "d,1,2024-03-10T12:00,,8,USD,month\n";
        var t = Table(csv);
        var r = MetricsEngine.Compute(t, new MetricsQuery { From = YearMonth.Parse("2024-03"), To = YearMonth.Parse("2024-03") });
        Assert.Equal(1m + 4m + 8m, r.MrrAt(Utc("2024-03-11T00:29:59")));
        Assert.Equal(15m, r.MrrAt(Utc("2024-03-11T00:30:00")));
        Assert.Equal(8m, r.MrrAt(Utc("2024-03-10T12:00:00")));
        Assert.Equal(12m, r.MrrAt(Utc("2024-03-10T12:00:00.1234567")));
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Non_seekable_stream_with_more_rows_than_the_initial_capacity()
    {
        var sb = new StringBuilder(Header);
        for (int i = 0; i < 70000; i++) sb.Append("c").Append(i % 30000).Append(",s,2024-01-01,,1.5,USD,month\n");
        var t = PeriodCsvReader.Read(new NonSeekable(Utf8(sb.ToString())), []);
        Assert.Equal((70000, 30000), (t.Count, t.Customers.Count));
        Assert.True(t.Customers.TryGetIndex("c29999", out int idx));
        Assert.Equal("c29999", t.Customers.GetId(idx));
        Assert.False(t.Customers.TryGetIndex("c30000", out _));
        var r = MetricsEngine.Compute(t, new MetricsQuery { From = YearMonth.Parse("2024-01"), To = YearMonth.Parse("2024-01"), CollectCustomerMovements = true });
        Assert.Equal(105000m, r.M("2024-01").MrrEnd);
        Assert.Equal(30000, r.M("2024-01").CustomersEnd);
        var perCustomer = r.MrrByCustomerAtEndOf(YearMonth.Parse("2024-01"));
        Assert.Equal(30000, perCustomer.Count);
        Assert.Equal(new CustomerAmount("c0", 4.5m), perCustomer[0]);
        Assert.Equal(new CustomerAmount("c0", 4.5m), r.CustomersBehind(YearMonth.Parse("2024-01"), MovementKind.New).First(x => x.CustomerId == "c0"));
    }

    [Fact]
    public void Large_input_crossing_many_buffer_boundaries()
    {
        var sb = new StringBuilder(Header);
        int line = 1;
        var expected = new List<RowError>();
        decimal total = 0;
        for (int i = 0; i < 20000; i++)
        {
            line++;
            if (i % 997 == 0)
            {
                sb.Append($"c{i},s,2024-01-01,,x{i},USD,month\n");
                expected.Add(new RowError(line, "amount", $"invalid number 'x{i}'"));
            }
            else if (i % 7 == 0)
            {
                sb.Append($"\"c{i}\",\"sub\nwith\nlines\",2024-01-01,,{i % 50}.25,USD,month\n");
                line += 2;
                total += i % 50 + 0.25m;
            }
            else
            {
                sb.Append($"c{i},s{i},2024-01-01,,{i % 50}.25,USD,month\n");
                total += i % 50 + 0.25m;
            }
        }
        var errors = new List<RowError>();
        var t = PeriodCsvReader.Read(Utf8(sb.ToString()), errors, 4096);
        Assert.Equal(expected, errors);
        Assert.Equal(20000 - expected.Count, t.Count);
        var r = MetricsEngine.Compute(t, new MetricsQuery { From = YearMonth.Parse("2024-01"), To = YearMonth.Parse("2024-01") });
        Assert.Equal(total, r.M("2024-01").MrrEnd);
    }
}
