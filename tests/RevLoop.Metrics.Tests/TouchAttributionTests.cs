namespace RevLoop.Metrics.Tests;

/// <summary>
/// One worked example for every model, computed by hand in the comments. O1 (created 2026-03-01, 29000, won) has touches
/// t1 02-01 paid/A, t2 02-15 email/B (lead creation), t3 02-22 webinar/C, t4 03-01 email/no campaign (opportunity
/// creation), added out of order; O2 (created 2026-03-01, 100, lost) has paid/A on 2025-02-01 (393 days before: outside
/// the 365-day lookback), email/B on 02-28 and webinar/C on 03-02 (after creation: ignored); O3 (50, open) has none.
/// </summary>
public class TouchAttributionTests
{
    private static DateTimeOffset D(string s) => DateTimeOffset.Parse(s + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static TouchTable Example()
    {
        var b = new TouchTable.Builder(1, 1);
        b.AddOpportunity("O1", D("2026-03-01"), 29000, DealOutcome.Won, 29000)
            .AddTouch(D("2026-02-22"), "webinar", "C")
            .AddTouch(D("2026-02-01"), "paid", "A")
            .AddTouch(D("2026-03-01"), "email", null, TouchRole.OpportunityCreation)
            .AddTouch(D("2026-02-15"), "email", "B", TouchRole.LeadCreation);
        b.AddOpportunity("O2", D("2026-03-01"), 100, DealOutcome.Lost, 0)
            .AddTouch(D("2025-02-01"), "paid", "A")
            .AddTouch(D("2026-02-28"), "email", "B")
            .AddTouch(D("2026-03-02"), "webinar", "C");
        b.AddOpportunity("O3", D("2026-03-01"), 50, DealOutcome.Open, 0);
        return b.Build();
    }

    private static string Format(IReadOnlyList<TouchCredit> credits) => string.Join(" ", credits.Select(c => $"{c.Name}={c.Pipeline}/{c.Revenue}"));

    [Theory]
    // first: O1 -> t1 paid/A, O2 -> email/B (its paid touch is outside the window).
    [InlineData("first", "email=100/0 paid=29000/29000 webinar=0/0", "(no campaign)=0/0 A=29000/29000 B=100/0 C=0/0")]
    [InlineData("last", "email=29100/29000 paid=0/0 webinar=0/0", "(no campaign)=29000/29000 A=0/0 B=100/0 C=0/0")]
    // linear: 7250 per O1 touch.
    [InlineData("linear", "email=14600/14500 paid=7250/7250 webinar=7250/7250", "(no campaign)=7250/7250 A=7250/7250 B=7350/7250 C=7250/7250")]
    // u_shaped: 40/10/10/40 = 11600, 2900, 2900, 11600.
    [InlineData("u_shaped", "email=14600/14500 paid=11600/11600 webinar=2900/2900", "(no campaign)=11600/11600 A=11600/11600 B=3000/2900 C=2900/2900")]
    // w_shaped: first t1, lead creation t2, opportunity creation t4 get 30% each (8700), t3 the 10% rest (2900).
    [InlineData("w_shaped", "email=17500/17400 paid=8700/8700 webinar=2900/2900", "(no campaign)=8700/8700 A=8700/8700 B=8800/8700 C=2900/2900")]
    // time_decay, half-life 7: ages 28, 14, 7, 0 days -> weights 1/16, 1/4, 1/2, 1 over 29/16 -> 1000, 4000, 8000, 16000.
    [InlineData("time_decay", "email=20100/20000 paid=1000/1000 webinar=8000/8000", "(no campaign)=16000/16000 A=1000/1000 B=4100/4000 C=8000/8000")]
    // markov over channels, pipeline (O1 and O2 convert): start->paid, start->email, paid->email, email->webinar,
    // webinar->email, email->conv x2. Effects: email 1, paid 1/2, webinar 1 - (2/3)/1 = 1/3 -> shares 6/11, 3/11, 2/11 of
    // 29100 = 15872.73, 7936.36, 5290.91 -> truncated sum 29098, +1 to webinar (.91) and email (.73).
    // Revenue (O1 converts, O2 null): P = 1/2; email 1, paid 1 - (1/4)/(1/2) = 1/2, webinar 1 - (1/3)/(1/2) = 1/3: the same
    // shares of 29000 = 15818.18, 7909.09, 5272.73 -> +1 to webinar.
    // markov over campaigns, pipeline: A 1/2, B 1, C 1/2, none 1/2 -> fifths of 29100. Revenue: P = 1/2; A 1/2, B, C, none 1
    // -> 1/7, 2/7 x 3 of 29000 = 4142.86, 8285.71 x 3: 3 missing units to A (.86) then by name to (no campaign) and B.
    [InlineData("markov", "email=15873/15818 paid=7936/7909 webinar=5291/5273", "(no campaign)=5820/8286 A=5820/4143 B=11640/8286 C=5820/8285")]
    public void Worked_example(string model, string channels, string campaigns)
    {
        var r = TouchAttribution.Compute(Example(), TouchAttribution.ParseModel(model));
        Assert.Equal(channels, Format(r.Channels));
        Assert.Equal(campaigns, Format(r.Campaigns));
        Assert.Equal((29150L, 29000L, 50L, 0L), (r.TotalPipeline, r.TotalRevenue, r.UnattributedPipeline, r.UnattributedRevenue));
        Assert.Equal(29100, r.Channels.Sum(c => c.Pipeline));
        Assert.Equal(29100, r.Campaigns.Sum(c => c.Pipeline));
        Assert.Equal(29000, r.Channels.Sum(c => c.Revenue));
        Assert.Equal(29000, r.Campaigns.Sum(c => c.Revenue));
    }

    [Fact]
    public void Time_decay_half_life_is_configurable()
    {
        // Half-life 14: weights 1/4, 1/2, 2^(-1/2), 1 for ages 28, 14, 7, 0 days (sum 2.4571): of 29000, A 2950.62,
        // B 5901.25, C 8345.63, none 11802.50; truncated sum 28998, the two units to C (.627) and A (.625).
        var r = TouchAttribution.Compute(Example(), TouchModel.TimeDecay, new TouchAttributionOptions(HalfLifeDays: 14));
        Assert.Equal("(no campaign)=11802/11802 A=2951/2951 B=6001/5901 C=8346/8346", Format(r.Campaigns));
    }

    [Theory]
    [InlineData("first")]
    [InlineData("last")]
    [InlineData("linear")]
    [InlineData("u_shaped")]
    [InlineData("w_shaped")]
    [InlineData("time_decay")]
    [InlineData("markov")]
    public void One_touch_gets_everything_and_no_touches_stays_unattributed(string model)
    {
        var b = new TouchTable.Builder();
        b.AddOpportunity("x", D("2026-01-10"), 700, DealOutcome.Won, 650).AddTouch(D("2026-01-09"), "event", "Summit");
        b.AddOpportunity("y", D("2026-01-10"), 300, DealOutcome.Lost, 0);
        var r = TouchAttribution.Compute(b.Build(), TouchAttribution.ParseModel(model));
        Assert.Equal("event=700/650", Format(r.Channels));
        Assert.Equal("Summit=700/650", Format(r.Campaigns));
        Assert.Equal((1000L, 650L, 300L, 0L), (r.TotalPipeline, r.TotalRevenue, r.UnattributedPipeline, r.UnattributedRevenue));

        var none = new TouchTable.Builder();
        none.AddOpportunity("z", D("2026-01-10"), 300, DealOutcome.Won, 300);
        var empty = TouchAttribution.Compute(none.Build(), TouchAttribution.ParseModel(model));
        Assert.Empty(empty.Channels);
        Assert.Empty(empty.Campaigns);
        Assert.Equal((300L, 300L), (empty.UnattributedPipeline, empty.UnattributedRevenue));
    }

    [Fact]
    public void Ties_in_time_keep_the_order_added_and_ties_in_remainder_go_by_name()
    {
        // Three touches at the same instant: first = the one added first, last = the one added last. Linear gives
        // 100 / 3 = 33.33 each: the missing unit goes to the name first in ordinal order.
        var b = new TouchTable.Builder();
        b.AddOpportunity("x", D("2026-01-10"), 100, DealOutcome.Won, 100)
            .AddTouch(D("2026-01-05"), "z", null).AddTouch(D("2026-01-05"), "b", null).AddTouch(D("2026-01-05"), "a", null);
        var t = b.Build();
        Assert.Equal("a=0/0 b=0/0 z=100/100", Format(TouchAttribution.Compute(t, TouchModel.First).Channels));
        Assert.Equal("a=100/100 b=0/0 z=0/0", Format(TouchAttribution.Compute(t, TouchModel.Last).Channels));
        Assert.Equal("a=34/34 b=33/33 z=33/33", Format(TouchAttribution.Compute(t, TouchModel.Linear).Channels));
        Assert.Equal("a=34/34 b=33/33 z=33/33", Format(TouchAttribution.Compute(t, TouchModel.TimeDecay).Channels));
        Assert.Equal("(no campaign)=100/100", Format(TouchAttribution.Compute(t, TouchModel.Linear).Campaigns));
    }

    [Theory]
    // Two touches, no flags: first touch = lead creation (60% as 2/3 of the three roles), last = opportunity creation.
    [InlineData(new TouchRole[] { 0, 0 }, "2,1/3")]
    // Three touches, no flags: first 30 + 30, last 30, middle the 10% rest.
    [InlineData(new TouchRole[] { 0, 0, 0 }, "6,1,3/10")]
    // Lead and opportunity creation on the same touch: 60% there, 30% first, 10% the other.
    [InlineData(new TouchRole[] { 0, 0, TouchRole.LeadCreation | TouchRole.OpportunityCreation }, "3,1,6/10")]
    // Five touches with distinct key touches: 30/30/30 and 5% for each of the two others.
    [InlineData(new TouchRole[] { 0, TouchRole.LeadCreation, 0, TouchRole.OpportunityCreation, 0 }, "6,6,1,6,1/20")]
    public void W_shaped_weights(TouchRole[] roles, string expected)
    {
        var num = new long[roles.Length];
        long den = TouchAttribution.Weights(TouchModel.WShaped, roles, num);
        Assert.Equal(expected, string.Join(",", num) + "/" + den);
    }

    [Theory]
    // O1's four touches A, B, C, none (lead creation on B, opportunity creation on none); O2's one touch in its window is B.
    [InlineData("first", "A=1/1", "B=1/1")]
    [InlineData("linear", "(no campaign)=1/4 A=1/4 B=1/4 C=1/4", "B=1/1")]
    [InlineData("u_shaped", "(no campaign)=4/10 A=4/10 B=1/10 C=1/10", "B=1/1")]
    [InlineData("w_shaped", "(no campaign)=3/10 A=3/10 B=3/10 C=1/10", "B=1/1")]
    public void Shares_of_one_opportunity_per_campaign(string model, string o1, string o2)
    {
        var t = Example();
        static string Format(IReadOnlyList<TouchShare>? shares) => string.Join(" ", shares!.Select(x => $"{x.Campaign}={x.Numerator}/{x.Denominator}"));
        var m = TouchAttribution.ParseModel(model);
        // Campaigns without a share are left out (first gives nothing to B, C and none).
        Assert.Equal(o1, Format(TouchAttribution.Shares(t, 0, m)));
        Assert.Equal(o2, Format(TouchAttribution.Shares(t, 1, m)));
        Assert.Empty(TouchAttribution.Shares(t, 2, m)!);
    }

    [Fact]
    public void Time_decay_shares_and_markov_has_none_per_deal()
    {
        // Weights 1/16, 1/4, 1/2, 1 over 29/16: A 1/29, B 4/29, C 8/29, none 16/29 (in 10^-12 units, rounded).
        var shares = TouchAttribution.Shares(Example(), 0, TouchModel.TimeDecay)!;
        Assert.Equal("(no campaign)=551724137931 A=34482758621 B=137931034483 C=275862068966", string.Join(" ", shares.Select(x => $"{x.Campaign}={x.Numerator}")));
        Assert.Equal((16000L, 1000L, 4000L, 8000L), (shares[0].Of(29000), shares[1].Of(29000), shares[2].Of(29000), shares[3].Of(29000)));
        Assert.Equal((0.5517m, 0.0345m), (shares[0].Fraction(), shares[1].Fraction()));
        Assert.Null(TouchAttribution.Shares(Example(), 0, TouchModel.Markov));
        // Half away from zero: 3 x 1/2 = 1.5 -> 2; 0.4 of 0.5 cents -> 0.
        Assert.Equal((2L, 0.5m, 1.0m), (new TouchShare("x", 1, 2).Of(3), new TouchShare("x", 1, 2).Fraction(), new TouchShare("x", 1, 1).Fraction(1)));
    }

    [Fact]
    public void Per_opportunity_amounts_count_deals()
    {
        // Each deal is 10000 units (one deal): linear gives each of O1's touches a quarter of a deal, O2's B a whole one;
        // O1 is the only won deal. O3 has no touch.
        var r = TouchAttribution.Compute(Example().PerOpportunity(10_000), TouchModel.Linear);
        Assert.Equal("(no campaign)=2500/2500 A=2500/2500 B=12500/2500 C=2500/2500", Format(r.Campaigns));
        Assert.Equal((30000L, 10000L, 10000L, 0L), (r.TotalPipeline, r.TotalRevenue, r.UnattributedPipeline, r.UnattributedRevenue));
        Assert.Equal("(no campaign)=10000/10000 A=0/0 B=10000/0 C=0/0", Format(TouchAttribution.Compute(Example().PerOpportunity(10_000), TouchModel.Last).Campaigns));
    }

    [Fact]
    public void Campaign_economics()
    {
        // (29000 - 10000) / 10000 = 1.9; 10000 / 3 leads = 3333.33 -> 3333; no MQL -> none; 10000 / 2 = 5000.
        Assert.Equal(new CampaignEconomics(1.9m, 3333m, null, 5000m), TouchAttribution.Economics(10000, 29000, 3, 0, 2));
        Assert.Equal(new CampaignEconomics(-0.6667m, 2m, 2m, 2m), TouchAttribution.Economics(3, 1, 2, 2, 2)); // -2/3, 1.5 -> 2
        Assert.Null(TouchAttribution.Economics(0, 500, 1, 1, 1).Roi);
    }

    [Fact]
    public void Bad_input_is_refused_with_the_field()
    {
        var e = Assert.Throws<MetricsInputException>(() => new TouchTable.Builder().AddOpportunity("O9", D("2026-01-01"), -1, DealOutcome.Open, 0));
        Assert.Equal("opportunity O9: amount: must not be negative", e.Message);
        Assert.Equal("opportunity O7, touch 2: channel: required", Assert.Throws<MetricsInputException>(() => new TouchTable.Builder()
            .AddOpportunity("O7", D("2026-01-01"), 1, DealOutcome.Open, 0).AddTouch(D("2025-12-01"), "email", null).AddTouch(D("2025-12-02"), " ", "A")).Message);
        var t = new TouchTable.Builder().AddOpportunity("O1", D("2026-01-01"), 1, DealOutcome.Open, 0).Build();
        Assert.Equal("half-life: must be positive",
            Assert.Throws<MetricsInputException>(() => TouchAttribution.Compute(t, TouchModel.TimeDecay, new TouchAttributionOptions(HalfLifeDays: 0))).Message);
        Assert.Equal("invalid model 'x', expected one of: first, last, linear, u_shaped, w_shaped, time_decay, markov",
            Assert.Throws<MetricsInputException>(() => TouchAttribution.ParseModel("x")).Message);
    }
}
