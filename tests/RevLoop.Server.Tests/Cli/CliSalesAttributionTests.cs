using RevLoop.Data;
using RevLoop.Server.Tests.Support;
using static RevLoop.Server.Tests.Cli.CliFiles;

namespace RevLoop.Server.Tests.Cli;

/// <summary>
/// `revloop metrics sales` and `revloop metrics attribution` run as real processes, exactly as the contracts of issues
/// 5 and 6 are called by other tools. Both read only their CSV, so the database given is never created.
/// </summary>
public class CliSalesAttributionTests
{
    [Fact]
    public async Task Sales_and_attribution_verbs_print_the_contract_csv_and_refuse_bad_rows_with_exit_code_2()
    {
        using var dir = TempDir();
        var database = DatabaseTarget.Parse(Path.Combine(dir, "unused.db"));
        var opportunities = Path.Combine(dir, "opportunities.csv");
        await File.WriteAllTextAsync(opportunities, Lines(
            "opportunity_id,account_id,owner,product,region,segment,source,created,closed,status,amount,stage",
            "1,a1,alice,core,EMEA,smb,web,2024-01-05,2024-02-10,won,1000,closed_won",
            "2,a2,bob,core,NA,mid,partner,2024-01-20,2024-03-01,lost,500,closed_lost",
            "3,a3,alice,addon,EMEA,smb,web,2023-12-01,2024-01-31,won,250.50,closed_won",
            "4,a4,bob,core,NA,ent,web,2024-02-01,,open,2000,proposal",
            "5,a5,carol,core,APAC,ent,,2024-03-15,2024-04-02,won,700,closed_won",
            "6,a6,alice,core,EMEA,smb,web,2024-02-15,,open,,discovery"));
        var sales = await RevLoopProcess.RunAsync(database, "metrics", "sales", "--opportunities", opportunities,
            "--from", "2024-01-01", "--to", "2024-03-31", "--group-by", "owner", "--format", "csv");
        Assert.True(sales.ExitCode == 0, sales.ToString());
        Assert.Equal(Lines(
            "group,created,pipeline_created,won,lost,win_rate,win_rate_value,won_amount,avg_deal_size,sales_cycle_days,open,open_amount",
            "(all),5,4200.00,2,1,0.6667,0.7144,1250.50,625.25,48.50,3,2700.00",
            "alice,2,1000.00,2,0,1.0000,1.0000,1250.50,625.25,48.50,1,0.00",
            "bob,2,2500.00,0,1,0.0000,0.0000,0.00,,,1,2000.00",
            "carol,1,700.00,0,0,,,0.00,,,1,700.00"), sales.StdOut);
        Assert.Equal("", sales.StdErr);

        var paths = Path.Combine(dir, "paths.csv");
        await File.WriteAllTextAsync(paths, Lines(
            "path,total_conversions,total_conversion_value,total_null",
            "a > b,1,10,1",
            "b,1,5,0",
            "\"a > c > b\",2,3.3,0",
            "c > c,0,0,4"));
        var markov = await RevLoopProcess.RunAsync(database, "metrics", "attribution", "--paths", paths, "--model", "markov");
        Assert.True(markov.ExitCode == 0, markov.ToString());
        Assert.Equal(Lines("channel,conversions,value", "a,1.1034,5.0483", "b,2.0690,9.4655", "c,0.8276,3.7862"), markov.StdOut);
        var linear = await RevLoopProcess.RunAsync(database, "metrics", "attribution", "--paths", paths, "--model", "linear", "--format", "csv");
        Assert.Equal(Lines("channel,conversions,value", "a,1.1667,6.1000", "b,2.1667,11.1000", "c,0.6666,1.1000"), linear.StdOut);

        await File.AppendAllTextAsync(opportunities, Lines("7,a7,dave,core,NA,smb,web,2024-02-30,,open,5,discovery"));
        var bad = await RevLoopProcess.RunAsync(database, "metrics", "sales", "--opportunities", opportunities, "--from", "2024-01-01", "--to", "2024-03-31");
        Assert.Equal((2, ""), (bad.ExitCode, bad.StdOut));
        Assert.Equal(Lines("line 8: created: invalid date '2024-02-30', expected YYYY-MM-DD", "error: 1 invalid row(s); nothing computed"), bad.StdErr);

        await File.AppendAllTextAsync(paths, Lines("a > b,2.5,1,0"));
        var badPath = await RevLoopProcess.RunAsync(database, "metrics", "attribution", "--paths", paths, "--model", "first");
        Assert.Equal((2, ""), (badPath.ExitCode, badPath.StdOut));
        Assert.Equal(Lines("line 6: total_conversions: not an integer count '2.5'", "error: 1 invalid row(s); nothing computed"), badPath.StdErr);

        var missing = await RevLoopProcess.RunAsync(database, "metrics", "attribution", "--model", "first");
        Assert.Equal((2, Lines("error: --paths: required: the paths CSV")), (missing.ExitCode, missing.StdErr));
        Assert.False(File.Exists(Path.Combine(dir, "unused.db")));
    }
}
