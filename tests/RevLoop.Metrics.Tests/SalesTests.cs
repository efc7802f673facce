using System.Globalization;
using System.Text;
using System.Text.Json;
using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

public class SalesTests
{
    private const string OppHeader = "opportunity_id,account_id,owner,product,region,segment,source,created,closed,status,amount,stage\n";
    private const string Header = "group,created,pipeline_created,won,lost,win_rate,win_rate_value,won_amount,avg_deal_size,sales_cycle_days,open,open_amount\n";

    // Window 2024-01-01 .. 2024-03-31.
    private const string Small = OppHeader
                                 + "1,a1,alice,core,EMEA,smb,web,2024-01-05,2024-02-10,won,1000,closed_won\n"       // created, won (36 days)
                                 + "2,a2,bob,core,NA,mid,partner,2024-01-20,2024-03-01,lost,500,closed_lost\n"      // created, lost
                                 + "3,a3,alice,addon,EMEA,smb,web,2023-12-01,2024-01-31,won,250.50,closed_won\n"    // won (61 days), created before
                                 + "4,a4,bob,core,NA,ent,web,2024-02-01,,open,2000,proposal\n"                      // created, open
                                 + "5,a5,carol,core,APAC,ent,,2024-03-15,2024-04-02,won,700,closed_won\n"           // created, open at the end (closed after)
                                 + "6,a6,alice,core,EMEA,smb,web,2024-02-15,,open,,discovery\n";                    // created, open, no amount

    private static (int Code, string Out, string Err) Run(string csv, string? from = "2024-01-01", string? to = "2024-03-31", string? groupBy = null, OutputFormat format = OutputFormat.Csv)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = new MetricsCommandRunner().RunSales(Utf8(csv), new SalesOptions { From = from, To = to, GroupBy = groupBy, Format = format }, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString().Replace("\r", ""));
    }

    [Fact]
    public void Hand_computed_report_without_grouping()
    {
        // created: 1, 2, 4, 5, 6 (4200); won: 1 and 3 (1250.50, cycle (36 + 61) / 2); lost: 2 (500);
        // win rate 2/3; by value 1250.50 / 1750.50 = 0.71437..; open at the end: 4, 5 (closed after the window), 6.
        var (code, output, err) = Run(Small);
        Assert.Equal((0, ""), (code, err));
        Assert.Equal(Header + "(all),5,4200.00,2,1,0.6667,0.7144,1250.50,625.25,48.50,3,2700.00\n", output);
    }

    [Fact]
    public void Hand_computed_report_by_owner_with_undefined_cells_empty()
    {
        var (code, output, _) = Run(Small, groupBy: "owner");
        Assert.Equal(0, code);
        Assert.Equal(Header
                     + "(all),5,4200.00,2,1,0.6667,0.7144,1250.50,625.25,48.50,3,2700.00\n"
                     + "alice,2,1000.00,2,0,1.0000,1.0000,1250.50,625.25,48.50,1,0.00\n"
                     + "bob,2,2500.00,0,1,0.0000,0.0000,0.00,,,1,2000.00\n"
                     + "carol,1,700.00,0,0,,,0.00,,,1,700.00\n", output);
    }

    [Theory]
    [InlineData("product", "addon,0,0.00,1,0,1.0000,1.0000,250.50,250.50,61.00,0,0.00\ncore,5,4200.00,1,1,0.5000,0.6667,1000.00,1000.00,36.00,3,2700.00\n")]
    [InlineData("region", "APAC,1,700.00,0,0,,,0.00,,,1,700.00\nEMEA,2,1000.00,2,0,1.0000,1.0000,1250.50,625.25,48.50,1,0.00\nNA,2,2500.00,0,1,0.0000,0.0000,0.00,,,1,2000.00\n")]
    [InlineData("segment", "ent,2,2700.00,0,0,,,0.00,,,2,2700.00\nmid,1,500.00,0,1,0.0000,0.0000,0.00,,,0,0.00\nsmb,2,1000.00,2,0,1.0000,1.0000,1250.50,625.25,48.50,1,0.00\n")]
    [InlineData("source", "(none),1,700.00,0,0,,,0.00,,,1,700.00\npartner,1,500.00,0,1,0.0000,0.0000,0.00,,,0,0.00\nweb,3,3000.00,2,0,1.0000,1.0000,1250.50,625.25,48.50,2,2000.00\n")]
    public void Every_dimension_groups_its_column(string groupBy, string rows)
    {
        var (code, output, _) = Run(Small, groupBy: groupBy);
        Assert.Equal(0, code);
        Assert.Equal(Header + "(all),5,4200.00,2,1,0.6667,0.7144,1250.50,625.25,48.50,3,2700.00\n" + rows, output);
    }

    [Fact]
    public void Window_days_are_inclusive_and_open_means_not_closed_by_the_last_day()
    {
        var csv = OppHeader
                  + "1,,o,,,,,2024-03-31,,open,10,\n"            // created on the last day: created and open
                  + "2,,o,,,,,2024-04-01,,open,20,\n"            // created after: nothing
                  + "3,,o,,,,,2023-06-01,2024-01-01,won,30,\n"   // closed on the first day: won (214 days)
                  + "4,,o,,,,,2023-06-01,2023-12-31,won,40,\n"   // closed before: nothing
                  + "5,,o,,,,,2023-06-01,2024-03-31,lost,50,\n"  // closed on the last day: lost, not open
                  + "6,,o,,,,,2023-06-01,2024-04-01,lost,60,\n"; // closed the day after: open at the end
        var (code, output, _) = Run(csv);
        Assert.Equal(0, code);
        Assert.Equal(Header + "(all),1,10.00,1,1,0.5000,0.3750,30.00,30.00,214.00,2,70.00\n", output);
    }

    [Fact]
    public void Values_are_exact_and_rounded_half_up_only_when_printed()
    {
        var csv = OppHeader
                  + "1,,o,,,,,2024-01-01,2024-01-02,won,0.005,\n"          // cycle 1 day
                  + "2,,o,,,,,2024-01-01,2024-01-03,won,0.00000001,\n"     // cycle 2 days
                  + "3,,o,,,,,2024-01-01,2024-01-01,won,0,\n"              // cycle 0 days
                  + "4,,o,,,,,2024-01-01,2024-01-05,lost,19.99499999,\n";
        // won amount 0.00500001 over 3 = 0.00166667 -> 0.00; value rate 0.00500001 / 20.00000000 = 0.00025.. -> 0.0003;
        // cycle 3 / 3 = 1; pipeline 20.00000000 exactly
        var (code, output, _) = Run(csv);
        Assert.Equal(0, code);
        Assert.Equal(Header + "(all),4,20.00,3,1,0.7500,0.0003,0.01,0.00,1.00,0,0.00\n", output);

        // one won cent against 19,999 lost: 1 / 20,000 = 0.00005 exactly -> 0.0001 (half-up, not to even)
        var tie = OppHeader + "1,,o,,,,,2024-01-01,2024-01-02,won,0.01,\n2,,o,,,,,2024-01-01,2024-01-02,lost,199.99,\n";
        Assert.Contains(",0.5000,0.0001,", Run(tie).Out);
        // avg 0.005 -> 0.01 and a mean cycle of 0.5 days -> 0.50
        var half = OppHeader + "1,,o,,,,,2024-01-01,2024-01-02,won,0.01,\n2,,o,,,,,2024-01-01,2024-01-01,won,0,\n";
        Assert.Equal(Header + "(all),2,0.01,2,0,1.0000,1.0000,0.01,0.01,0.50,0,0.00\n", Run(half).Out);
        // nine-figure amounts add exactly (no double anywhere)
        var big = OppHeader + string.Concat(Enumerable.Repeat("1,,o,,,,,2024-01-01,,open,9999999999.99999999,\n", 3));
        Assert.Equal(Header + "(all),3,30000000000.00,0,0,,,0.00,,,3,30000000000.00\n", Run(big).Out);
    }

    [Fact]
    public void Groups_sort_ordinally_empty_values_are_none_and_cells_are_quoted()
    {
        var csv = OppHeader
                  + "1,,beta,,,,,2024-01-01,,open,1,\n"
                  + "2,,Alpha,,,,,2024-01-01,,open,2,\n"
                  + "3,,,,,,,2024-01-01,,open,3,\n"
                  + "4,,\"x, \"\"y\"\"\",,,,,2024-01-01,,open,4,\n"
                  + "5,,beta,,,,,2024-01-01,,open,5,\n";
        var (code, output, _) = Run(csv, groupBy: "OWNER");
        Assert.Equal(0, code);
        Assert.Equal(Header
                     + "(all),5,15.00,0,0,,,0.00,,,5,15.00\n"
                     + "(none),1,3.00,0,0,,,0.00,,,1,3.00\n"
                     + "Alpha,1,2.00,0,0,,,0.00,,,1,2.00\n"
                     + "beta,2,6.00,0,0,,,0.00,,,2,6.00\n"
                     + "\"x, \"\"y\"\"\",1,4.00,0,0,,,0.00,,,1,4.00\n", output);
    }

    [Fact]
    public void Invalid_rows_are_listed_by_line_and_column_and_nothing_is_printed()
    {
        var csv = OppHeader
                  + "1,a1,alice,core,EMEA,smb,web,2024-13-05,2024-02-10,won,1000,closed_won\n"
                  + "2,a2,bob,core,NA,mid,partner,2024-01-20,,won,500,closed_lost\n"
                  + "3,a3,alice,addon,EMEA,smb,web,2023-12-01,2024-01-31,pending,250.50,closed_won\n"
                  + "4,a4,bob,core,NA,ent,web,2024-02-01,,open,-5,proposal\n"
                  + "5,a4,bob,core,NA,ent,web,2024-02-01,2024-01-01,lost,,proposal\n"
                  + "6,a4,bob,core,NA,ent,web,2024-02-01,2024-03-01,open,5,proposal\n"
                  + "7,a4,bob,core,NA,ent,web,,2024/03/01,won,abc,proposal\n"
                  + "8,a4,bob,core,NA,ent,web,2024-02-01T10:00:00Z,,open,1,proposal\n"
                  + "9,a4,bob\n"
                  + "10,a4,bob,core,NA,ent,web,2024-02-01,,OPEN,1.123456789,proposal\n"
                  + "11,a4,bob,core,NA,ent,web,2024-02-01,2024-02-01,Won,1,closed_won\n";
        var (code, output, err) = Run(csv);
        Assert.Equal((2, ""), (code, output));
        Assert.Equal(
            "line 2: created: invalid date '2024-13-05', expected YYYY-MM-DD\n"
            + "line 3: closed: missing: a won deal needs its closed date\n"
            + "line 4: status: unknown status 'pending', expected open, won or lost\n"
            + "line 5: amount: negative amount\n"
            + "line 6: closed: before created\n"
            + "line 6: amount: missing: a lost deal needs its amount\n"
            + "line 7: closed: an open deal has no closed date\n"
            + "line 8: created: missing\n"
            + "line 8: closed: invalid date '2024/03/01', expected YYYY-MM-DD\n"
            + "line 8: amount: invalid number 'abc'\n"
            + "line 9: created: invalid date '2024-02-01T10:00:00Z', expected YYYY-MM-DD\n"
            + "line 10: row: expected 12 fields, found 3\n"
            + "line 11: amount: more than 8 decimals '1.123456789'\n"
            + "error: 10 invalid row(s); nothing computed\n", err);
    }

    [Theory]
    [InlineData(null, "2024-01-31", null, "error: --from is required (YYYY-MM-DD)\n")]
    [InlineData("2024-01-01", "2024-02-30", null, "error: invalid --to '2024-02-30', expected YYYY-MM-DD\n")]
    [InlineData("2024-02-01", "2024-01-31", null, "error: --to 2024-01-31 is before --from 2024-02-01\n")]
    [InlineData("2024-01-01", "2024-01-31", "team", "error: invalid group-by 'team', expected one of: owner, product, region, segment, source\n")]
    public void Bad_options_are_exit_code_2(string? from, string? to, string? groupBy, string message)
    {
        var (code, output, err) = Run(Small, from, to, groupBy);
        Assert.Equal((2, "", message), (code, output, err));
    }

    [Fact]
    public void Missing_columns_are_named()
    {
        Assert.Equal("error: missing required column(s): closed, amount\n", Run("created,status\n2024-01-01,open\n").Err);
        Assert.Equal("error: missing required column(s): region\n", Run("created,closed,status,amount\n2024-01-01,,open,\n", groupBy: "region").Err);
        // only the columns in use are required, in any order and case
        Assert.Equal(Header + "(all),1,0.00,0,0,,,0.00,,,1,0.00\n", Run("Status,CREATED,amount,closed\nopen,2024-01-01,,\n").Out);
    }

    [Fact]
    public void Json_and_table_formats()
    {
        var (code, output, _) = Run(Small, groupBy: "owner", format: OutputFormat.Json);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(("2024-01-01", "2024-03-31", "owner"), (root.GetProperty("from").GetString(), root.GetProperty("to").GetString(), root.GetProperty("groupBy").GetString()));
        var groups = root.GetProperty("groups");
        Assert.Equal(4, groups.GetArrayLength());
        var all = groups[0];
        Assert.Equal("(all)", all.GetProperty("group").GetString());
        Assert.Equal(("4200.00", "0.6667", "0.7144", "1250.50", "625.25", "48.50", 3, "2700.00"),
            (all.GetProperty("pipelineCreated").GetRawText(), all.GetProperty("winRate").GetRawText(), all.GetProperty("winRateValue").GetRawText(),
             all.GetProperty("wonAmount").GetRawText(), all.GetProperty("avgDealSize").GetRawText(), all.GetProperty("salesCycleDays").GetRawText(),
             all.GetProperty("open").GetInt32(), all.GetProperty("openAmount").GetRawText()));
        var carol = groups[3];
        Assert.Equal(("carol", JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null), (carol.GetProperty("group").GetString(),
            carol.GetProperty("winRate").ValueKind, carol.GetProperty("avgDealSize").ValueKind, carol.GetProperty("salesCycleDays").ValueKind));
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(Run(Small, format: OutputFormat.Json).Out).RootElement.GetProperty("groupBy").ValueKind);

        Assert.Equal(
            "group  created  pipeline_created  won  lost  win_rate  win_rate_value  won_amount  avg_deal_size  sales_cycle_days  open  open_amount\n"
            + "(all)        5           4200.00    2     1    0.6667          0.7144     1250.50         625.25             48.50     3      2700.00\n",
            Run(Small, format: OutputFormat.Table).Out);
    }

    // ---------- generated data against a straightforward implementation ----------

    private sealed record Deal(string Owner, string Product, string Region, string Segment, string Source, DateOnly Created, DateOnly? Closed, string Status, decimal? Amount);

    private static List<Deal> Generated(int seed, int count)
    {
        var rnd = new Random(seed);
        var origin = new DateOnly(2023, 1, 1);
        var deals = new List<Deal>();
        string Pick(string prefix, int n) => rnd.Next(12) == 0 ? "" : prefix + rnd.Next(n).ToString(CultureInfo.InvariantCulture);
        for (int i = 0; i < count; i++)
        {
            var created = origin.AddDays(rnd.Next(730));
            string status = rnd.Next(3) switch { 0 => "open", 1 => "won", _ => "lost" };
            DateOnly? closed = status == "open" ? null : created.AddDays(rnd.Next(200));
            decimal? amount = status == "open" && rnd.Next(5) == 0 ? null : rnd.Next(0, 10_000_000) / 100m;
            deals.Add(new Deal(Pick("rep", 17), Pick("p", 4), Pick("r", 5), Pick("s", 3), Pick("src", 6), created, closed, status, amount));
        }
        return deals;
    }

    private static string ToCsv(IEnumerable<Deal> deals)
    {
        var sb = new StringBuilder(OppHeader);
        int id = 0;
        foreach (var d in deals)
            sb.Append(CultureInfo.InvariantCulture, $"{++id},acc{id},{d.Owner},{d.Product},{d.Region},{d.Segment},{d.Source},{d.Created:yyyy-MM-dd},{d.Closed:yyyy-MM-dd},{d.Status},{d.Amount},stage\n");
        return sb.ToString();
    }

    private static string Expected(List<Deal> deals, DateOnly from, DateOnly to, Func<Deal, string>? key)
    {
        static string Money2(decimal v) => Math.Round(v, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);
        static string Ratio(decimal? v) => v is null ? "" : Math.Round(v.Value, 4, MidpointRounding.AwayFromZero).ToString("0.0000", CultureInfo.InvariantCulture);
        string Row(string name, IEnumerable<Deal> g)
        {
            var list = g.ToList();
            var created = list.Where(d => d.Created >= from && d.Created <= to).ToList();
            var won = list.Where(d => d.Status == "won" && d.Closed >= from && d.Closed <= to).ToList();
            var lost = list.Where(d => d.Status == "lost" && d.Closed >= from && d.Closed <= to).ToList();
            var open = list.Where(d => d.Created <= to && (d.Closed is null || d.Closed > to)).ToList();
            decimal wonAmount = won.Sum(d => d.Amount!.Value), lostAmount = lost.Sum(d => d.Amount!.Value);
            return string.Join(',', name, created.Count, Money2(created.Sum(d => d.Amount ?? 0)), won.Count, lost.Count,
                Ratio(won.Count + lost.Count > 0 ? (decimal)won.Count / (won.Count + lost.Count) : null),
                Ratio(wonAmount + lostAmount > 0 ? wonAmount / (wonAmount + lostAmount) : null),
                Money2(wonAmount), won.Count > 0 ? Money2(wonAmount / won.Count) : "",
                won.Count > 0 ? Money2((decimal)won.Sum(d => d.Closed!.Value.DayNumber - d.Created.DayNumber) / won.Count) : "",
                open.Count, Money2(open.Sum(d => d.Amount ?? 0))) + "\n";
        }
        var sb = new StringBuilder(Header).Append(Row("(all)", deals));
        if (key is not null)
            foreach (var g in deals.GroupBy(d => key(d) is { Length: > 0 } k ? k : "(none)").OrderBy(g => g.Key, StringComparer.Ordinal))
                sb.Append(Row(g.Key, g));
        return sb.ToString();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("owner")]
    [InlineData("product")]
    [InlineData("region")]
    [InlineData("segment")]
    [InlineData("source")]
    public void Generated_deals_match_a_straightforward_implementation(string? groupBy)
    {
        var deals = Generated(21, 4000);
        Func<Deal, string>? key = groupBy switch
        {
            "owner" => d => d.Owner, "product" => d => d.Product, "region" => d => d.Region,
            "segment" => d => d.Segment, "source" => d => d.Source, _ => null,
        };
        var (code, output, err) = Run(ToCsv(deals), "2024-02-01", "2024-07-31", groupBy);
        Assert.Equal((0, ""), (code, err));
        Assert.Equal(Expected(deals, new DateOnly(2024, 2, 1), new DateOnly(2024, 7, 31), key), output);
    }

    [Fact]
    public void Small_buffers_and_materialised_records_give_the_same_report()
    {
        var deals = Generated(4, 1500);
        var query = new SalesQuery(new DateOnly(2023, 6, 1), new DateOnly(2024, 5, 31), SalesGroupBy.Region);
        var errors = new List<RowError>();
        var big = SalesCsvReader.Read(Utf8(ToCsv(deals)), query, errors);
        var small = SalesCsvReader.Read(Utf8(ToCsv(deals)), query, errors, 64);
        var records = SalesEngine.Compute(deals.Select(d => new OpportunityFacts(d.Region, d.Created, d.Closed,
            d.Status switch { "won" => OpportunityStatus.Won, "lost" => OpportunityStatus.Lost, _ => OpportunityStatus.Open }, d.Amount)), query, errors);
        Assert.Empty(errors);
        Assert.Equal(big.Rows, small.Rows);
        Assert.Equal(big.Rows, records.Rows);
        Assert.Equal(["(all)", "(none)", "r0", "r1", "r2", "r3", "r4"], big.Rows.Select(r => r.Group));
    }
}
