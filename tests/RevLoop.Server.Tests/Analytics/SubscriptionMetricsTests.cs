using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Metrics;
using RevLoop.Platform;
using RevLoop.Server.Finance;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Analytics;

/// <summary>Stored subscription periods give the same MRR through the API as the CLI computes from the same CSV.</summary>
public class SubscriptionMetricsTests
{
    // METRICS.md §6 example 2 plus an annual and a weekly plan: start 1,000 in January; in February a trial converts
    // to 100 (new), a 100 plan goes to 150 (expansion), another 100 plan goes to 60 (contraction); in March the 60 plan
    // is cancelled (churn).
    private const string Csv = """
        customer_id,subscription_id,start,end,amount,currency,interval,interval_count,quantity
        c1,s1,2024-01-01,2024-02-10,100,USD,month,1,1
        c1,s1,2024-02-10,,150,USD,month,1,1
        c2,s2,2024-01-01,2024-02-20T12:00:00Z,100,USD,month,1,1
        c2,s2,2024-02-20T12:00:00Z,2024-03-05,60,USD,month,1,1
        c3,s3,2024-01-01,,8400,USD,year,1,1
        c4,s4,2024-02-15,,100,USD,month,1,1
        c5,s5,2023-12-01,,25,USD,week,1,0.6
        """;

    private const string ExpectedCsv = """
        month,mrr_start,new,expansion,reactivation,contraction,churn,mrr_end,customers_start,new_customers,reactivated_customers,churned_customers,customers_end
        2024-01,65.00,900.00,0.00,0.00,0.00,0.00,965.00,1,3,0,0,4
        2024-02,965.00,100.00,50.00,0.00,40.00,0.00,1075.00,4,1,0,0,5
        2024-03,1075.00,0.00,0.00,0.00,0.00,60.00,1015.00,5,0,0,1,4

        """;

    [Fact]
    public void Cli_computes_the_expected_roll_forward()
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var code = new MetricsCommandRunner().RunMrr(new MemoryStream(Encoding.UTF8.GetBytes(Csv.Replace("\r", ""))),
            new MrrOptions { From = "2024-01", To = "2024-03" }, stdout, new StringWriter());
        Assert.Equal(0, code);
        Assert.Equal(ExpectedCsv.Replace("\r", ""), stdout.ToString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Api_serves_the_same_numbers_from_stored_periods(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var client = await server.AdminClientAsync();
        foreach (var line in Csv.Replace("\r", "").Split('\n').Skip(1))
        {
            var f = line.Split(',');
            var response = await client.PostAsJsonAsync("/api/v1/subscriptions", new
            {
                customerId = f[0], subscriptionId = f[1], start = f[2], end = f[3] == "" ? null : f[3], amount = decimal.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture),
                currency = f[5], interval = f[6], intervalCount = int.Parse(f[7], System.Globalization.CultureInfo.InvariantCulture), quantity = decimal.Parse(f[8], System.Globalization.CultureInfo.InvariantCulture),
            });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        var report = await (await client.GetAsync("/api/v1/metrics/mrr?from=2024-01&to=2024-03")).ReadJsonAsync();
        var rows = report.GetProperty("months").EnumerateArray().Select(m => string.Join(",",
            m.GetProperty("month").GetString(), Money(m, "mrrStart"), Money(m, "new"), Money(m, "expansion"), Money(m, "reactivation"), Money(m, "contraction"),
            Money(m, "churn"), Money(m, "mrrEnd"), m.GetProperty("customersStart").GetInt32(), m.GetProperty("newCustomers").GetInt32(),
            m.GetProperty("reactivatedCustomers").GetInt32(), m.GetProperty("churnedCustomers").GetInt32(), m.GetProperty("customersEnd").GetInt32())).ToList();
        Assert.Equal(ExpectedCsv.Replace("\r", "").Trim().Split('\n').Skip(1), rows);

        var churned = await (await client.GetAsync("/api/v1/metrics/mrr/customers?month=2024-03&movement=churn")).ReadJsonAsync();
        Assert.Equal("c2:60", string.Join(";", churned.EnumerateArray().Select(c => $"{c.GetProperty("customerId").GetString()}:{c.GetProperty("amount").GetDecimal():0.##}")));
        var newInJanuary = await (await client.GetAsync("/api/v1/metrics/mrr/customers?month=2024-01&movement=new")).ReadJsonAsync();
        Assert.Equal("c3:700;c1:100;c2:100", string.Join(";", newInJanuary.EnumerateArray().Select(c => $"{c.GetProperty("customerId").GetString()}:{c.GetProperty("amount").GetDecimal():0.##}")));
    }

    private static string Money(System.Text.Json.JsonElement e, string name) => e.GetProperty(name).GetDecimal().ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Import_rejects_bad_rows_by_line_and_reimport_updates_instead_of_duplicating(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var dir = Directory.CreateTempSubdirectory("revloop-subs");
        var file = Path.Combine(dir.FullName, "subs.csv");
        await File.WriteAllTextAsync(file, """
            customer_id,start,end,amount,currency,interval
            c1,2024-01-01,,100,USD,month
            ,2024-01-01,,100,USD,month
            c2,2024-03-01,2024-02-01,100,USD,month
            c3,2024-01-01,,10.001,USD,month
            c4,2024-01-01,,100,USD,fortnight
            c5,2024-01-01,,abc,USD,month
            c6,2024-01-01,,50,USD,year
            """.Replace("\r", ""));
        var rejects = Path.Combine(dir.FullName, "rejects.csv");

        var first = await Import(server, file, rejects, allOrNothing: false);
        Assert.Equal((7L, 2L, 0L, 5L), (first.Read, first.Created, first.Updated, first.Rejected));
        var lines = (await File.ReadAllLinesAsync(rejects)).Skip(1).Select(l => string.Join(",", l.Split(',').Take(2))).ToList();
        Assert.Equal(["3,customer_id", "4,end", "5,amount", "6,interval", "7,amount"], lines);

        var second = await Import(server, file, rejects, allOrNothing: false);
        Assert.Equal((0L, 2L), (second.Created, second.Updated));
        Assert.Equal(2, server.Scoped(db => db.SubscriptionPeriods.Count()));

        var all = await Import(server, file, rejects, allOrNothing: true);
        Assert.True(all.RolledBack);
        Assert.Equal(2, server.Scoped(db => db.SubscriptionPeriods.Count()));
        // The unchanged re-import wrote no history: one creation row per created period, all from the import.
        Assert.Equal(["import", "import"], server.Scoped(db => db.FieldChanges.Where(c => c.EntityType == "subscription_period").Select(c => c.Source).ToList()));
    }

    private static async Task<RevLoop.Server.Platform.Imports.ImportResult> Import(RunningServer server, string file, string rejects, bool allOrNothing)
    {
        using var scope = server.Services.CreateScope();
        var origin = scope.ServiceProvider.GetRequiredService<ChangeOrigin>();
        origin.Source = ChangeSources.Import;
        return await SubscriptionImport.RunAsync(scope.ServiceProvider.GetRequiredService<RevLoopDb>(), file, rejects, allOrNothing, null, default);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Revenue_numbers_are_for_revenue_roles_only(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var ae = await server.CreateUserAsync("ae@example.com", Roles.Ae);
        var finance = await server.CreateUserAsync("fin@example.com", Roles.Finance);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await server.ClientForAsync(ae)).GetAsync("/api/v1/metrics/mrr")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await server.ClientForAsync(ae)).GetAsync("/api/v1/subscriptions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await server.ClientForAsync(finance)).GetAsync("/api/v1/subscriptions")).StatusCode);
        var bad = await (await server.ClientForAsync(finance)).GetAsync("/api/v1/metrics/mrr?from=2024-13");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"from\"", await bad.Content.ReadAsStringAsync());
    }
}
