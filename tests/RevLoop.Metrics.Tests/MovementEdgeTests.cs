using static RevLoop.Metrics.Tests.TestUtil;

namespace RevLoop.Metrics.Tests;

public class MovementEdgeTests
{
    [Fact]
    public void Same_day_start_and_end_never_counts()
    {
        var csv = Header
                  + "a,1,2024-01-10T08:00:00Z,2024-01-10T17:00:00Z,100,USD,month\n"
                  + "b,2,2024-01-12,2024-01-12,100,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        AssertMonth(r.M("2024-01"), 0m, 0m, 0m, 0m, 0m, 0m, 0m, 0, 0, 0, 0, 0);
        // at the exact instant the row is active, but not at any end of day
        Assert.Equal(100m, r.MrrAt(Utc("2024-01-10T12:00:00")));
        Assert.Equal(0m, r.MrrAt(Utc("2024-01-10T17:00:00")));
    }

    [Fact]
    public void Upgrade_and_downgrade_on_the_same_day_collapse()
    {
        var csv = Header
                  // a: 100 -> 200 at 10:00 -> 100 at 15:00 on Jan 10: no movement at all
                  + "a,1,2023-12-01,2024-01-10T10:00:00Z,100,USD,month\n"
                  + "a,1,2024-01-10T10:00:00Z,2024-01-10T15:00:00Z,200,USD,month\n"
                  + "a,1,2024-01-10T15:00:00Z,,100,USD,month\n"
                  // b: 100 -> 150 -> 120 on Jan 11: one expansion of 20
                  + "b,2,2023-12-01,2024-01-11T09:00:00Z,100,USD,month\n"
                  + "b,2,2024-01-11T09:00:00Z,2024-01-11T18:00:00Z,150,USD,month\n"
                  + "b,2,2024-01-11T18:00:00Z,,120,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        AssertMonth(r.M("2024-01"), 200m, 0m, 20m, 0m, 0m, 0m, 220m, 2, 0, 0, 0, 2);
        Assert.Equal([new CustomerAmount("b", 20m)], r.CustomersBehind(YearMonth.Parse("2024-01"), MovementKind.Expansion));
    }

    [Fact]
    public void Change_at_a_date_time_instant_counts_on_that_day()
    {
        var csv = Header
                  + "a,1,2023-12-01,2024-01-15T13:30:00Z,100,USD,month\n"
                  + "a,1,2024-01-15T13:30:00Z,2024-01-31T23:00:00Z,150,USD,month\n"
                  + "b,2,2023-12-01,2024-02-01T00:00:00Z,40,USD,month\n"
                  + "c,3,2024-01-31T23:59:59Z,,10,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-02");
        Assert.Equal(100m, r.MrrAt(Utc("2024-01-15T13:29:59")) - 40m);
        Assert.Equal(150m, r.MrrAt(Utc("2024-01-15T13:30:00")) - 40m);
        // a: expansion on Jan 15, churn on Jan 31 (ends 23:00, not active at the end of Jan 31)
        // b: ends at midnight Feb 1 -> active at the end of Jan 31, churn in February
        // c: starts one second before midnight -> new on Jan 31
        AssertMonth(r.M("2024-01"), 140m, 10m, 50m, 0m, 0m, 150m, 50m, 2, 1, 0, 1, 2);
        AssertMonth(r.M("2024-02"), 50m, 0m, 0m, 0m, 0m, 40m, 10m, 2, 0, 0, 1, 1);
    }

    [Fact]
    public void Free_plan_between_paid_periods_is_churn_then_reactivation()
    {
        var csv = Header
                  + "a,1,2024-01-01,2024-03-10,100,USD,month\n"
                  + "a,1,2024-03-10,2024-05-05,0,USD,month\n"
                  + "a,1,2024-05-05,,100,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-05");
        AssertMonth(r.M("2024-01"), 0m, 100m, 0m, 0m, 0m, 0m, 100m, 0, 1, 0, 0, 1);
        AssertMonth(r.M("2024-03"), 100m, 0m, 0m, 0m, 0m, 100m, 0m, 1, 0, 0, 1, 0);
        AssertMonth(r.M("2024-04"), 0m, 0m, 0m, 0m, 0m, 0m, 0m, 0, 0, 0, 0, 0);
        AssertMonth(r.M("2024-05"), 0m, 0m, 0m, 100m, 0m, 0m, 100m, 0, 0, 1, 0, 1);
    }

    [Fact]
    public void Free_trial_then_paid_is_new()
    {
        var csv = Header + "a,1,2024-01-01,2024-01-15,0,USD,month\na,1,2024-01-15,,100,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        AssertMonth(r.M("2024-01"), 0m, 100m, 0m, 0m, 0m, 0m, 100m, 0, 1, 0, 0, 1);
    }

    [Fact]
    public void Reactivation_after_one_day()
    {
        var csv = Header + "a,1,2023-12-01,2024-01-10,100,USD,month\na,2,2024-01-11,,80,USD,month\n";
        var unlimited = Compute(csv, "2024-01", "2024-01");
        AssertMonth(unlimited.M("2024-01"), 100m, 0m, 0m, 80m, 0m, 100m, 80m, 1, 0, 1, 1, 1);
        var window1 = Compute(csv, "2024-01", "2024-01", window: 1);
        AssertMonth(window1.M("2024-01"), 100m, 0m, 0m, 80m, 0m, 100m, 80m, 1, 0, 1, 1, 1);
        var window0 = Compute(csv, "2024-01", "2024-01", window: 0);
        AssertMonth(window0.M("2024-01"), 100m, 80m, 0m, 0m, 0m, 100m, 80m, 1, 1, 0, 1, 1);
    }

    [Fact]
    public void Reactivation_after_400_days_with_and_without_window()
    {
        // churn on 2023-01-10, back on 2024-02-14 = 400 days later
        var csv = Header + "a,1,2022-06-01,2023-01-10,100,USD,month\na,2,2024-02-14,,120,USD,month\n";
        var unlimited = Compute(csv, "2024-02", "2024-02");
        AssertMonth(unlimited.M("2024-02"), 0m, 0m, 0m, 120m, 0m, 0m, 120m, 0, 0, 1, 0, 1);
        var w400 = Compute(csv, "2024-02", "2024-02", window: 400);
        Assert.Equal(120m, w400.M("2024-02").Reactivation);
        var w399 = Compute(csv, "2024-02", "2024-02", window: 399);
        AssertMonth(w399.M("2024-02"), 0m, 120m, 0m, 0m, 0m, 0m, 120m, 0, 1, 0, 0, 1);
        var w365 = Compute(csv, "2024-02", "2024-02", window: 365);
        Assert.Equal((120m, 0m), (w365.M("2024-02").New, w365.M("2024-02").Reactivation));
        var all = Compute(csv, "2023-01", "2024-02", window: 365);
        Assert.Equal(100m, all.M("2023-01").Churn);
        Assert.Equal(120m, all.M("2024-02").New);
        Assert.Equal(1, all.M("2024-02").NewCustomers);
    }

    [Fact]
    public void Quantity_changes_are_expansion_and_contraction()
    {
        var csv = "customer_id,subscription_id,start,end,amount,currency,interval,quantity\n"
                  + "a,1,2024-01-01,2024-02-10,10,USD,month,5\n"
                  + "a,1,2024-02-10,2024-03-20,10,USD,month,8\n"
                  + "a,1,2024-03-20,,10,USD,month,6\n";
        var r = Compute(csv, "2024-01", "2024-03");
        AssertMonth(r.M("2024-01"), 0m, 50m, 0m, 0m, 0m, 0m, 50m, 0, 1, 0, 0, 1);
        AssertMonth(r.M("2024-02"), 50m, 0m, 30m, 0m, 0m, 0m, 80m, 1, 0, 0, 0, 1);
        AssertMonth(r.M("2024-03"), 80m, 0m, 0m, 0m, 20m, 0m, 60m, 1, 0, 0, 0, 1);
    }

    [Fact]
    public void Three_subscriptions_cancelled_one_by_one_contraction_contraction_churn()
    {
        var csv = Header
                  + "a,1,2024-01-01,2024-02-15,50,USD,month\n"
                  + "a,2,2024-01-01,2024-03-15,30,USD,month\n"
                  + "a,3,2024-01-01,2024-04-15,20,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-04");
        AssertMonth(r.M("2024-01"), 0m, 100m, 0m, 0m, 0m, 0m, 100m, 0, 1, 0, 0, 1);
        AssertMonth(r.M("2024-02"), 100m, 0m, 0m, 0m, 50m, 0m, 50m, 1, 0, 0, 0, 1);
        AssertMonth(r.M("2024-03"), 50m, 0m, 0m, 0m, 30m, 0m, 20m, 1, 0, 0, 0, 1);
        AssertMonth(r.M("2024-04"), 20m, 0m, 0m, 0m, 0m, 20m, 0m, 1, 0, 0, 1, 0);
    }

    [Fact]
    public void Leap_day_rows()
    {
        var csv = Header
                  + "a,1,2024-02-29,2024-03-01,300,USD,month\n"            // one day: Feb 29 only
                  + "b,2,2024-02-29T12:00:00Z,2025-02-28,1200,USD,year\n"  // 100 per month
                  + "c,3,2023-02-28,2024-02-29,50,USD,month\n";            // churns on Feb 29
        var r = Compute(csv, "2024-02", "2025-03");
        AssertMonth(r.M("2024-02"), 50m, 400m, 0m, 0m, 0m, 50m, 400m, 1, 2, 0, 1, 2);
        AssertMonth(r.M("2024-03"), 400m, 0m, 0m, 0m, 0m, 300m, 100m, 2, 0, 0, 1, 1);
        AssertMonth(r.M("2025-02"), 100m, 0m, 0m, 0m, 0m, 100m, 0m, 1, 0, 0, 1, 0);
        Assert.Equal(400m, r.MrrAt(Utc("2024-02-29T13:00:00")));
        Assert.Equal(300m, r.MrrAt(Utc("2024-02-29T11:00:00")));
    }

    [Fact]
    public void Months_with_no_activity_carry_the_balance()
    {
        var csv = Header + "a,1,2023-11-05,,70,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-03");
        Assert.Equal(3, r.Months.Count);
        foreach (var m in r.Months) AssertMonth(m, 70m, 0m, 0m, 0m, 0m, 0m, 70m, 1, 0, 0, 0, 1);
        var empty = Compute(Header + "a,1,2020-01-01,2020-02-01,70,USD,month\n", "2024-01", "2024-02");
        foreach (var m in empty.Months) AssertMonth(m, 0m, 0m, 0m, 0m, 0m, 0m, 0m, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void Rows_before_from_give_mrr_start_and_rows_after_to_are_ignored()
    {
        var csv = Header
                  + "a,1,2023-05-01,2024-02-10,10,USD,month\n"
                  + "b,2,2024-03-01,,20,USD,month\n";
        var r = Compute(csv, "2024-02", "2024-02");
        Assert.Single(r.Months);
        AssertMonth(r.Months[0], 10m, 0m, 0m, 0m, 0m, 10m, 0m, 1, 0, 0, 1, 0);
    }

    [Fact]
    public void Default_range_is_first_active_month_to_last_start_or_end()
    {
        var table = Table(Header + "a,1,2023-11-05,2024-02-10,10,USD,month\nb,2,2023-12-01,,20,USD,month\n");
        var r = MetricsEngine.Compute(table, new MetricsQuery());
        Assert.Equal((YearMonth.Parse("2023-11"), YearMonth.Parse("2024-02")), (r.From, r.To));
        Assert.Equal(["2023-11", "2023-12", "2024-01", "2024-02"], r.Months.Select(m => m.Month.ToString()));
    }

    [Fact]
    public void Customer_switching_between_two_subscriptions_on_one_day_has_no_movement()
    {
        var csv = Header + "a,1,2024-01-01,2024-01-20,100,USD,month\na,2,2024-01-20,,100,USD,month\n";
        var r = Compute(csv, "2024-01", "2024-01");
        AssertMonth(r.M("2024-01"), 0m, 100m, 0m, 0m, 0m, 0m, 100m, 0, 1, 0, 0, 1);
    }

    [Fact]
    public void Materialised_records_give_the_same_result_as_csv()
    {
        var csv = Header + "a,1,2024-01-01,2024-02-10,100,USD,month\nb,2,2024-01-15T10:00:00Z,,18.29,USD,year\n";
        var fromCsv = Compute(csv, "2024-01", "2024-02");
        var errors = new List<RowError>();
        var fromRecords = MetricsEngine.Compute(
            [
                new SubscriptionPeriod("a", "1", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 2, 10, 0, 0, 0, DateTimeKind.Utc), 100m, "USD", BillingInterval.Month),
                new SubscriptionPeriod("b", "2", new DateTime(2024, 1, 15, 10, 0, 0, DateTimeKind.Utc), null, 18.29m, "usd", BillingInterval.Year),
            ],
            new MetricsQuery { From = YearMonth.Parse("2024-01"), To = YearMonth.Parse("2024-02") },
            errors);
        Assert.Empty(errors);
        Assert.Equal(fromCsv.Months, fromRecords.Months);
        Assert.Equal(101.52416666666666666666666667m, fromRecords.M("2024-01").MrrEnd); // 100 + 18.29/12
    }

    [Fact]
    public void Materialised_records_report_errors_with_ordinal()
    {
        var errors = new List<RowError>();
        var t = PeriodTable.FromRecords(
            [
                new SubscriptionPeriod("", null, new DateTime(2024, 1, 1), null, 1m, "USD", BillingInterval.Month),
                new SubscriptionPeriod("a", null, new DateTime(2024, 1, 2), new DateTime(2024, 1, 1), -1m, "US", BillingInterval.Month, 0),
                new SubscriptionPeriod("b", null, new DateTime(2024, 1, 2), null, 1.123456789m, "USD", BillingInterval.Month, 1, -2m),
                new SubscriptionPeriod("ok", null, new DateTime(2024, 1, 2), null, 5m, "USD", BillingInterval.Week),
            ],
            errors);
        Assert.Equal(1, t.Count);
        Assert.Equal(
            [
                new RowError(1, "customer_id", "missing"),
                new RowError(2, "end", "before start"),
                new RowError(2, "amount", "negative amount"),
                new RowError(2, "currency", "invalid currency 'US'"),
                new RowError(2, "interval_count", "must be a positive integer"),
                new RowError(3, "amount", "more than 8 decimals or too large"),
                new RowError(3, "quantity", "negative quantity"),
            ],
            errors);
    }
}
