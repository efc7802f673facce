using RevLoop.Finance;

namespace RevLoop.Server.Demo;

/// <summary>One subscription item of a customer: a product, its seats (or 1) and discount, and the period currently billing it.</summary>
public sealed class DemoItem
{
    public required DemoProduct Product { get; init; }
    public decimal Quantity { get; set; }
    public int Discount { get; set; }
    public SubscriptionPeriod? Period { get; set; }
    public string SubscriptionId { get; set; } = "";
    public DemoItem Copy() => new() { Product = Product, Quantity = Quantity, Discount = Discount, Period = Period, SubscriptionId = SubscriptionId };
}

/// <summary>What a renewal decided: renew (with the items as renewed) or churn, and when its deal closed.</summary>
public sealed class DemoRenewal
{
    public bool Renew { get; init; }
    public required List<DemoItem> Items { get; init; }
    public DateTimeOffset ClosesAt { get; set; }
}

/// <summary>
/// A customer's subscriptions over time (METRICS.md §1 rows): won new business starts them, won expansions add seats
/// or add-ons, each anniversary renews (maybe with a price uplift, fewer or more seats) or churns; monthly plans churn
/// any month. Events are applied in time order as the account's deals are simulated.
/// </summary>
public sealed class DemoCustomer(DemoContext ctx, AccountPlan plan, DemoRandom rng)
{
    private enum Kind { NewBusiness, AddSeats, AddOn, Anniversary, MonthlyChurn, RenewalSigned, RenewalLost }

    private sealed record Event(Kind Kind, DateTimeOffset At, int Epoch, List<DemoItem>? Items = null, decimal Seats = 0);

    private DateTimeOffset lastSync;

    private readonly PriorityQueue<Event, (long, int)> queue = new();
    private int sequence;
    private int subscriptionCounter;
    private readonly List<SubscriptionPeriod> periods = [];

    public bool Active { get; private set; }
    public bool EverActive { get; private set; }
    public int Epoch { get; private set; }
    public bool Annual { get; private set; }
    public bool RenewalDeals { get; private set; }
    public int TermMonths { get; private set; } = 12;
    public DateTimeOffset? NextAnniversary { get; private set; }
    public List<DemoItem> Items { get; } = [];
    public Dictionary<DateTimeOffset, DemoRenewal> Renewals { get; } = [];
    public string CustomerId => $"CUS-{plan.Index + 1:D6}";

    public DemoItem? Platform => Items.FirstOrDefault(i => i.Product.Tier > 0);

    private void Push(Event e) => queue.Enqueue(e, (e.At.ToUnixTimeMilliseconds(), sequence++));

    /// <summary>Won new business starts a subscription (or, for a customer already, adds its items) on the day it was won.</summary>
    public void WonNewBusiness(DateTimeOffset at, List<DemoItem> items) => Push(new Event(Kind.NewBusiness, at, Epoch, items));

    /// <summary>A won expansion adds seats to the platform item, or adds items; nothing when the customer churned meanwhile.</summary>
    public void WonExpansion(DateTimeOffset at, List<DemoItem> items, decimal seats) =>
        Push(seats > 0 ? new Event(Kind.AddSeats, at, Epoch, Seats: seats) : new Event(Kind.AddOn, at, Epoch, items));

    public void AdvanceTo(DateTimeOffset t)
    {
        while (queue.TryPeek(out var e, out _) && e.At <= t)
        {
            queue.Dequeue();
            Apply(e);
        }
    }

    private void Apply(Event e)
    {
        var horizon = ctx.Options.Horizon;
        var day = DemoTime.Midnight(DemoTime.Day(e.At));
        switch (e.Kind)
        {
            case Kind.NewBusiness when Active:
                AddItems(e.Items!, day, e.At);
                break;
            case Kind.NewBusiness:
                Active = true; EverActive = true; Epoch++;
                Annual = plan.Segment != "smb" || rng.Chance(0.45);
                RenewalDeals = Annual && (plan.Segment != "smb" || rng.Chance(0.5));
                TermMonths = plan.Segment == "enterprise" ? rng.Pick([(12, 0.72), (24, 0.1), (36, 0.18)]) : 12;
                AddItems(e.Items!, day, e.At);
                if (Annual)
                {
                    NextAnniversary = day.AddMonths(TermMonths);
                    if (NextAnniversary < horizon) Push(new Event(Kind.Anniversary, NextAnniversary.Value, Epoch));
                }
                else
                {
                    NextAnniversary = null;
                    var months = 1;
                    while (!rng.Chance(0.032) && months < 120) months++;
                    var churn = day.AddMonths(months);
                    if (churn < horizon) Push(new Event(Kind.MonthlyChurn, churn, Epoch));
                }
                break;
            case Kind.AddOn when Active:
                AddItems(e.Items!, day, e.At);
                break;
            case Kind.AddSeats:
                if (Active && Platform is { } platform) Change(platform, platform.Quantity + e.Seats, platform.Discount, day, e.At);
                break;
            case Kind.Anniversary when Active && e.Epoch == Epoch:
                Anniversary(e.At);
                break;
            case Kind.MonthlyChurn when Active && e.Epoch == Epoch:
                Churn(e.At, e.At);
                break;
            case Kind.RenewalSigned when Active && e.Epoch == Epoch:
                Renew(e.Items!, day, e.At);
                break;
            case Kind.RenewalLost when Active && e.Epoch == Epoch:
                Churn(day, e.At);
                break;
        }
    }

    private void Anniversary(DateTimeOffset at)
    {
        var horizon = ctx.Options.Horizon;
        if (Renewals.TryGetValue(at, out var deal))
        {
            // Still being negotiated at the end of the data: the subscription runs on unchanged.
            if (deal.ClosesAt >= horizon) return;
            if (deal.ClosesAt > at)
            {
                // Signed (or lost) after the term ended: the subscription runs on until that day.
                Push(new Event(deal.Renew ? Kind.RenewalSigned : Kind.RenewalLost, deal.ClosesAt, Epoch, deal.Items));
                if (deal.Renew) NextTerm(at);
                return;
            }
            if (!deal.Renew) { Churn(at, at); return; }
            Renew(deal.Items, at, at);
        }
        else if (rng.Chance(RenewalRate(plan.Segment))) Renew(Renewed(rng), at, at);
        else { Churn(at, at); return; }
        NextTerm(at);
    }

    private void NextTerm(DateTimeOffset at)
    {
        NextAnniversary = at.AddMonths(TermMonths);
        if (NextAnniversary < ctx.Options.Horizon) Push(new Event(Kind.Anniversary, NextAnniversary.Value, Epoch));
    }

    /// <summary>The renewed items take effect: new prices or seat counts start a new period each.</summary>
    private void Renew(List<DemoItem> renewed, DateTimeOffset at, DateTimeOffset bookedAt)
    {
        foreach (var item in renewed)
        {
            var current = Items.FirstOrDefault(i => i.SubscriptionId == item.SubscriptionId);
            if (current is not null && (current.Quantity != item.Quantity || current.Discount != item.Discount))
                Change(current, item.Quantity, item.Discount, at, bookedAt);
        }
    }

    public static double RenewalRate(string segment) => segment switch { "smb" => 0.76, "mid_market" => 0.85, _ => 0.90 };

    /// <summary>The items as they would renew: some with a price uplift (smaller discount), fewer seats, or a true-up.</summary>
    public List<DemoItem> Renewed(DemoRandom r)
    {
        var list = Items.Select(i => i.Copy()).ToList();
        var uplift = r.Chance(0.35);
        var contraction = r.Chance(0.15);
        var trueUp = !contraction && r.Chance(0.1);
        foreach (var i in list)
        {
            if (uplift) i.Discount = Math.Max(0, i.Discount - r.Between(3, 7));
            if (i.Product.PerSeat && contraction) i.Quantity = Math.Max(1, Math.Round(i.Quantity * (decimal)r.Between(0.7, 0.9)));
            if (i.Product.PerSeat && trueUp) i.Quantity = Math.Round(i.Quantity * (decimal)r.Between(1.05, 1.3));
        }
        return list;
    }

    private void AddItems(List<DemoItem> items, DateTimeOffset day, DateTimeOffset bookedAt)
    {
        foreach (var item in items.Where(i => i.Product.Recurring))
        {
            var existing = Items.FirstOrDefault(i => i.Product == item.Product);
            if (existing is not null)
            {
                Change(existing, existing.Quantity + item.Quantity, existing.Discount, day, bookedAt);
                continue;
            }
            var added = item.Copy();
            added.SubscriptionId = $"SUB-{plan.Index + 1:D6}-{++subscriptionCounter:D2}";
            Open(added, day, bookedAt);
            Items.Add(added);
        }
    }

    private void Open(DemoItem item, DateTimeOffset start, DateTimeOffset bookedAt)
    {
        var usdAnnual = item.Product.Usd * (100 - item.Discount); // cents per unit and year
        var period = new SubscriptionPeriod
        {
            Id = rng.Guid7(start), CustomerId = CustomerId, AccountId = plan.Id, SubscriptionId = item.SubscriptionId, Start = start,
            AmountMinor = Annual ? usdAnnual : (long)Math.Round(usdAnnual / 12.0, MidpointRounding.AwayFromZero), Currency = "USD",
            Interval = Annual ? "year" : "month", IntervalCount = 1, Quantity = item.Product.PerSeat ? item.Quantity : 1,
        };
        ctx.PeriodHistory.Created(period, ChangeSet.New(rng, Synced(bookedAt), DemoContext.System));
        item.Period = period;
        periods.Add(period);
    }

    /// <summary>The billing system picks a booking up a few minutes later (never past the end of the data).</summary>
    private DateTimeOffset Synced(DateTimeOffset at)
    {
        var synced = at.AddSeconds(rng.Between(60, 900));
        // Each sync after the previous one, so a customer's period edits are in time order.
        if (synced <= lastSync) synced = lastSync.AddSeconds(1);
        var last = ctx.Options.Horizon.AddSeconds(-1);
        if (synced > last) synced = last > lastSync ? last : lastSync;
        lastSync = synced;
        return synced;
    }

    private void Close(DemoItem item, DateTimeOffset end, DateTimeOffset at)
    {
        if (item.Period is not { } p) return;
        ctx.PeriodHistory.Before(p);
        p.End = end < p.Start ? p.Start : end;
        ctx.PeriodHistory.Modified(p, ChangeSet.New(rng, Synced(at), DemoContext.System));
        item.Period = null;
    }

    /// <summary>An upgrade, downgrade or price change: one period ends and the next begins at the same instant.</summary>
    private void Change(DemoItem item, decimal quantity, int discount, DateTimeOffset at, DateTimeOffset bookedAt)
    {
        Close(item, at, bookedAt);
        item.Quantity = quantity;
        item.Discount = discount;
        Open(item, at, bookedAt);
    }

    private void Churn(DateTimeOffset end, DateTimeOffset at)
    {
        foreach (var item in Items) Close(item, end, at);
        Items.Clear();
        Active = false;
        NextAnniversary = null;
    }

    /// <summary>Applies what is left up to the end of the data and writes the account's periods.</summary>
    public void Finish()
    {
        AdvanceTo(ctx.Options.Horizon.AddTicks(-1));
        foreach (var p in periods) ctx.Periods.Add(p);
        ctx.Summary.SubscriptionPeriods += periods.Count;
        if (EverActive) ctx.Summary.Customers++;
    }
}
