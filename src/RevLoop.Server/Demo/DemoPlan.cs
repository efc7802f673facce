namespace RevLoop.Server.Demo;

/// <summary>An account decided before any record is written: where, how big, since when, how many deals and people.</summary>
public sealed class AccountPlan
{
    public int Index { get; set; }
    public required DemoCountry Country { get; set; }
    public required string Segment { get; set; }
    public int Employees { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public bool Engaged { get; set; }
    public int Parent { get; set; } = -1;
    public bool Duplicate { get; set; }
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Brand { get; set; } = "";
    public string? Domain { get; set; }
    public string Industry { get; set; } = "";
    public int Opportunities { get; set; }
    public int Contacts { get; set; }
    public DemoUser Owner { get; set; } = null!;
    public DemoTerritory Territory { get; set; } = null!;
}

/// <summary>Plans every account (compact, in memory) and shares the opportunities and contacts out among them exactly.</summary>
public static class DemoPlanner
{
    public const ulong PlanStream = 1, IdStream = 2, NameStream = 3, AllocationStream = 4;

    public static AccountPlan[] Plan(DemoOptions o, DemoOrg org)
    {
        var count = o.Accounts;
        var countries = DemoWorld.Countries.Select(c => (c, c.Weight)).ToList();
        var start = o.Start;
        var plans = new AccountPlan[count];
        for (var i = 0; i < count; i++)
        {
            var rng = DemoRandom.For(o.Seed, PlanStream, (ulong)i);
            var country = rng.Pick(countries);
            var segment = rng.Pick([("smb", 0.55), ("mid_market", 0.30), ("enterprise", 0.15)]);
            var employees = segment switch
            {
                "smb" => (int)Math.Clamp(rng.LogNormal(40, 0.8), 5, 199),
                "mid_market" => (int)Math.Clamp(rng.LogNormal(420, 0.4), 200, 999),
                _ => (int)Math.Clamp(rng.LogNormal(3500, 1.0), 1000, 250_000),
            };
            var territory = org.Territories[country.Team];
            var from = territory.OpensAt > start ? territory.OpensAt : start;
            var created = DemoTime.WorkHours(rng, DemoTime.Growth(rng, from, o.Horizon.AddDays(-4)), territory.Region);
            plans[i] = new AccountPlan
            {
                Country = country, Segment = segment, Employees = employees, CreatedAt = created, Territory = territory,
                Engaged = rng.Chance(0.8), Industry = rng.Pick(DemoWorld.IndustryWeights),
            };
        }
        plans = plans.Select((p, i) => (p, i)).OrderBy(x => x.p.CreatedAt).ThenBy(x => x.i).Select(x => x.p).ToArray();

        var domains = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var p = plans[i];
            p.Index = i;
            p.Id = DemoRandom.For(o.Seed, IdStream, (ulong)i).Guid7(p.CreatedAt);
            var rng = DemoRandom.For(o.Seed, NameStream, (ulong)i);
            p.Owner = DemoOrg.At(p.Territory.Aes, p.CreatedAt, rng);
            if (i > 20 && groups.Count > 0 && rng.Chance(0.07))
            {
                var parent = plans[groups[rng.Next(groups.Count)]];
                p.Parent = parent.Index;
                p.Brand = parent.Brand;
                p.Industry = parent.Industry;
                p.Name = DemoWorld.Subsidiary(rng, parent.Brand, p.Country);
                p.Domain = Unique(domains, $"{DemoWorld.DomainLabel(parent.Brand)}-{p.Country.Code.ToLowerInvariant()}", p.Country.Tlds[0], rng);
                continue;
            }
            if (i > 20 && rng.Chance(0.004))
            {
                // A duplicate typed in by someone else: same company, another spelling; what duplicate detection is for.
                var original = plans[rng.Next(i)];
                if (!original.Duplicate && original.Parent < 0)
                {
                    p.Duplicate = true;
                    p.Engaged = false;
                    p.Country = original.Country; p.Territory = original.Territory; p.Segment = original.Segment; p.Employees = original.Employees;
                    p.Industry = original.Industry; p.Brand = original.Brand;
                    p.Name = rng.Chance(0.5) ? original.Name.ToUpperInvariant() : original.Brand;
                    p.Domain = rng.Chance(0.5) ? original.Domain : null;
                    p.Owner = DemoOrg.At(p.Territory.Aes, p.CreatedAt, rng);
                    continue;
                }
            }
            var (name, brand) = DemoWorld.Company(rng, p.Country, p.Segment == "enterprise");
            p.Name = name;
            p.Brand = brand;
            p.Domain = rng.Chance(0.03) ? null : Unique(domains, DemoWorld.DomainLabel(brand), rng.Pick(p.Country.Tlds), rng);
            if (p.Segment == "enterprise") groups.Add(i);
        }

        // Deals: more for bigger and older accounts; none for accounts nobody engaged yet or duplicates.
        var total = (o.Horizon - start).TotalDays;
        var allocation = DemoRandom.For(o.Seed, AllocationStream, 0);
        var dealWeights = plans.Select(p => !p.Engaged || p.Duplicate ? 0.0
            : SegmentWeight(p.Segment, 1.0, 2.0, 3.5) * ((o.Horizon - p.CreatedAt).TotalDays / total + 0.03)).ToArray();
        foreach (var i in Multinomial(allocation, dealWeights, o.Opportunities)) plans[i].Opportunities++;
        // People: every account with deals has somebody; the rest by size. Lead conversions add their own contacts later.
        var regular = (int)Math.Round(o.Contacts * 0.78);
        foreach (var p in plans) if (p.Opportunities > 0 && regular > 0) { p.Contacts = 1; regular--; }
        var contactWeights = plans.Select(p => SegmentWeight(p.Segment, 1.0, 2.0, 4.0) * (p.Engaged ? 1.0 : 0.4)).ToArray();
        foreach (var i in Multinomial(allocation, contactWeights, regular)) plans[i].Contacts++;
        return plans;
    }

    private static double SegmentWeight(string segment, double smb, double mid, double enterprise) => segment switch
    {
        "smb" => smb, "mid_market" => mid, _ => enterprise,
    };

    private static string Unique(HashSet<string> used, string label, string tld, DemoRandom rng)
    {
        var domain = $"{label}.{tld}";
        for (var n = 2; !used.Add(domain); n++) domain = $"{label}{(n == 2 ? "-" + rng.Pick(["group", "global", "hq", "online"]) : n.ToString(System.Globalization.CultureInfo.InvariantCulture))}.{tld}";
        return domain;
    }

    /// <summary><paramref name="draws"/> indexes drawn with the given weights (Vose's alias method: O(1) per draw).</summary>
    public static IEnumerable<int> Multinomial(DemoRandom rng, double[] weights, int draws)
    {
        var n = weights.Length;
        var sum = weights.Sum();
        if (sum <= 0 || draws <= 0) yield break;
        var prob = new double[n];
        var alias = new int[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        var scaled = weights.Select(w => w * n / sum).ToArray();
        for (var i = n - 1; i >= 0; i--) (scaled[i] < 1 ? small : large).Push(i);
        while (small.Count > 0 && large.Count > 0)
        {
            var s = small.Pop();
            var l = large.Pop();
            prob[s] = scaled[s];
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }
        var heaviest = Array.IndexOf(weights, weights.Max());
        while (large.Count > 0) prob[large.Pop()] = 1;
        while (small.Count > 0)
        {
            // Rounding leftovers: keep never-drawn (zero-weight) entries at zero.
            var i = small.Pop();
            if (weights[i] > 0) prob[i] = 1;
            else { prob[i] = 0; alias[i] = heaviest; }
        }
        for (var d = 0; d < draws; d++)
        {
            var i = rng.Next(n);
            yield return rng.NextDouble() < prob[i] ? i : alias[i];
        }
    }
}
