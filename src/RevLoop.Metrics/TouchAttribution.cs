using System.Numerics;

namespace RevLoop.Metrics;

/// <summary>The touchpoint attribution models (issue 6): the path models plus the two that need dates and roles.</summary>
public enum TouchModel : byte { First, Last, Linear, UShaped, WShaped, TimeDecay, Markov }

/// <summary>What a touch was in the buyer's lifecycle; a touch may be both.</summary>
[Flags]
public enum TouchRole : byte { None = 0, LeadCreation = 1, OpportunityCreation = 2 }

/// <summary>How an opportunity ended; markov revenue uses won as conversion and lost as null.</summary>
public enum DealOutcome : byte { Open, Won, Lost }

/// <summary>Lookback before opportunity creation (default 365 days) and the time-decay half-life (default 7 days).</summary>
public sealed record TouchAttributionOptions(int LookbackDays = 365, double HalfLifeDays = 7);

/// <summary>A channel's or campaign's attributed pipeline and revenue, in minor units of the one reporting currency.</summary>
public sealed record TouchCredit(string Name, long Pipeline, long Revenue);

/// <summary>
/// One model's credits: <see cref="Channels"/> and <see cref="Campaigns"/> each add up exactly to the totals minus the
/// unattributed part (opportunities without a touch in their lookback window). Both lists sorted ordinally by name;
/// touches without a campaign count under <see cref="TouchAttribution.NoCampaign"/>.
/// </summary>
public sealed record TouchAttributionResult(TouchModel Model, long TotalPipeline, long TotalRevenue, long UnattributedPipeline, long UnattributedRevenue,
    IReadOnlyList<TouchCredit> Channels, IReadOnlyList<TouchCredit> Campaigns);

/// <summary>
/// Columnar opportunities and their dated touches for <see cref="TouchAttribution"/>: one array per field (10 million
/// touches take about 170 MB), each opportunity's touches contiguous and sorted by time (ties keep the order they were added).
/// </summary>
public sealed class TouchTable
{
    internal TouchTable(long[] created, long[] amount, long[] wonAmount, DealOutcome[] outcome, int[] touchStart, long[] at, int[] channel,
        int[] campaign, TouchRole[] roles, string[] channels, string[] campaigns, int opportunities)
    {
        Created = created; Amount = amount; WonAmount = wonAmount; Outcome = outcome; TouchStart = touchStart; At = at; Channel = channel;
        Campaign = campaign; Roles = roles; Channels = channels; Campaigns = campaigns; OpportunityCount = opportunities;
    }

    public int OpportunityCount { get; }
    public int TouchCount => TouchStart[OpportunityCount];
    public IReadOnlyList<string> Channels { get; }
    /// <summary>Campaign names as added; touches without one have campaign index -1.</summary>
    public IReadOnlyList<string> Campaigns { get; }
    internal long[] Created { get; }   // unix seconds
    internal long[] Amount { get; }    // minor units
    internal long[] WonAmount { get; } // minor units, 0 unless won
    internal DealOutcome[] Outcome { get; }
    internal int[] TouchStart { get; }
    internal long[] At { get; }        // unix seconds
    internal int[] Channel { get; }
    internal int[] Campaign { get; }
    internal TouchRole[] Roles { get; }

    /// <summary>
    /// The same opportunities and touches with every amount replaced by <paramref name="unit"/> (won amount: the unit
    /// for won deals, else 0), sharing the touch columns: attributed to it, the amounts become deal counts in units of
    /// 1/<paramref name="unit"/> deal, split by the same largest-remainder rule so that they add up to the deals.
    /// </summary>
    public TouchTable PerOpportunity(long unit)
    {
        if (unit <= 0) throw new ArgumentOutOfRangeException(nameof(unit), "must be positive");
        var amount = new long[OpportunityCount];
        var won = new long[OpportunityCount];
        for (int o = 0; o < OpportunityCount; o++) { amount[o] = unit; won[o] = Outcome[o] == DealOutcome.Won ? unit : 0; }
        return new TouchTable(Created, amount, won, Outcome, TouchStart, At, Channel, Campaign, Roles, (string[])Channels, (string[])Campaigns, OpportunityCount);
    }

    /// <summary>Adds opportunities, each followed by its touches (any order; <see cref="Build"/> sorts them by time).</summary>
    public sealed class Builder(int opportunityCapacity = 16, int touchCapacity = 64)
    {
        private long[] _created = new long[opportunityCapacity], _amount = new long[opportunityCapacity], _won = new long[opportunityCapacity];
        private DealOutcome[] _outcome = new DealOutcome[opportunityCapacity];
        private int[] _start = new int[opportunityCapacity + 1];
        private long[] _at = new long[touchCapacity];
        private int[] _channel = new int[touchCapacity], _campaign = new int[touchCapacity];
        private TouchRole[] _roles = new TouchRole[touchCapacity];
        private readonly Dictionary<string, int> _channels = new(StringComparer.Ordinal), _campaigns = new(StringComparer.Ordinal);
        private int _opps, _touches;
        private string _lastId = "";

        /// <summary>
        /// Starts an opportunity. <paramref name="id"/> only names it in errors. Amounts in minor units, not negative;
        /// <paramref name="wonAmount"/> counts only when <paramref name="outcome"/> is won.
        /// </summary>
        public Builder AddOpportunity(string id, DateTimeOffset created, long amount, DealOutcome outcome, long wonAmount)
        {
            if (amount < 0) throw new MetricsInputException($"opportunity {id}: amount: must not be negative");
            if (outcome == DealOutcome.Won && wonAmount < 0) throw new MetricsInputException($"opportunity {id}: won amount: must not be negative");
            if (_opps == _created.Length)
            {
                int n = _opps * 2;
                Array.Resize(ref _created, n); Array.Resize(ref _amount, n); Array.Resize(ref _won, n); Array.Resize(ref _outcome, n);
                Array.Resize(ref _start, n + 1);
            }
            _start[_opps] = _touches;
            _lastId = id;
            _created[_opps] = created.ToUnixTimeSeconds();
            _amount[_opps] = amount;
            _won[_opps] = outcome == DealOutcome.Won ? wonAmount : 0;
            _outcome[_opps] = outcome;
            _opps++;
            _start[_opps] = _touches;
            return this;
        }

        /// <summary>A touch of the opportunity added last: channel required, campaign optional.</summary>
        public Builder AddTouch(DateTimeOffset at, string channel, string? campaign, TouchRole roles = TouchRole.None)
        {
            if (_opps == 0) throw new InvalidOperationException("add an opportunity before its touches");
            if (string.IsNullOrWhiteSpace(channel)) throw new MetricsInputException($"opportunity {_lastId}, touch {_touches - _start[_opps - 1] + 1}: channel: required");
            if (_touches == _at.Length)
            {
                int n = _touches * 2;
                Array.Resize(ref _at, n); Array.Resize(ref _channel, n); Array.Resize(ref _campaign, n); Array.Resize(ref _roles, n);
            }
            _at[_touches] = at.ToUnixTimeSeconds();
            _channel[_touches] = Intern(_channels, channel);
            _campaign[_touches] = campaign is null ? -1 : Intern(_campaigns, campaign);
            _roles[_touches] = roles;
            _touches++;
            _start[_opps] = _touches;
            return this;
        }

        private static int Intern(Dictionary<string, int> names, string name)
        {
            if (!names.TryGetValue(name, out int i)) names.Add(name, i = names.Count);
            return i;
        }

        public TouchTable Build()
        {
            for (int o = 0; o < _opps; o++) SortByTime(_start[o], _start[o + 1]);
            return new TouchTable(_created, _amount, _won, _outcome, _start, _at, _channel, _campaign, _roles,
                Names(_channels), Names(_campaigns), _opps);
        }

        private static string[] Names(Dictionary<string, int> names)
        {
            var a = new string[names.Count];
            foreach (var (name, i) in names) a[i] = name;
            return a;
        }

        /// <summary>Stable sort of one opportunity's touches by time (usually already sorted: one check).</summary>
        private void SortByTime(int a, int b)
        {
            bool sorted = true;
            for (int i = a + 1; i < b && sorted; i++) sorted = _at[i - 1] <= _at[i];
            if (sorted) return;
            var idx = Enumerable.Range(a, b - a).OrderBy(i => _at[i]).ToArray(); // OrderBy is stable
            var at = idx.Select(i => _at[i]).ToArray();
            var ch = idx.Select(i => _channel[i]).ToArray();
            var cp = idx.Select(i => _campaign[i]).ToArray();
            var ro = idx.Select(i => _roles[i]).ToArray();
            at.CopyTo(_at, a); ch.CopyTo(_channel, a); cp.CopyTo(_campaign, a); ro.CopyTo(_roles, a);
        }
    }
}

/// <summary>
/// Touchpoint attribution of opportunities (pipeline: every opportunity's amount) and won deals (revenue: the won
/// amount) to channels and campaigns (issue 6). A touch counts for an opportunity when it happened in
/// [created - lookback, created]; the touches in that window, sorted by time, are the opportunity's path.
/// <list type="bullet">
/// <item>first / last / linear / u_shaped: as <see cref="AttributionEngine"/> (repeats are separate touches; u_shaped
/// 100% for one touch, 50/50 for two, else 40/20/40).</item>
/// <item>w_shaped: three key touches, the first touch, the lead-creation touch (the first touch flagged
/// <see cref="TouchRole.LeadCreation"/>; none flagged: the first touch) and the opportunity-creation touch (the last
/// flagged <see cref="TouchRole.OpportunityCreation"/>; none flagged: the last touch), get 30% each and the other
/// touches share 10% evenly. A touch that holds two roles gets both shares; when every touch is a key touch the 10% is
/// shared by the three roles (a third each). The issue's "30/30 + 40 spread" names three key touches but only two
/// shares; the standard 30/30/30 + 10 is used.</item>
/// <item>time_decay: touch weight 2^(-(created - at) / half-life), normalised per opportunity (double precision).</item>
/// <item>markov: the first-order chain of <see cref="AttributionEngine"/>, once over channels and once over campaigns
/// (no campaign is a state of its own). Pipeline: every path with a touch converts (removal effect = how much of the
/// pipeline cannot be reached without the state). Revenue: won deals convert, lost deals are nulls, open deals are left
/// out. The attributed total is shared in proportion to the removal effects.</item>
/// </list>
/// Rational models are exact (integer sums per weight denominator, combined over their lcm); all models are split
/// into whole minor units by the largest remainder (ties: name, ordinal), so credits add up exactly to the totals.
/// </summary>
public static class TouchAttribution
{
    /// <summary>The campaign name that touches without a campaign are credited to.</summary>
    public const string NoCampaign = "(no campaign)";
    public static readonly string[] ModelNames = ["first", "last", "linear", "u_shaped", "w_shaped", "time_decay", "markov"];

    public static TouchModel ParseModel(string? s)
    {
        int i = Array.FindIndex(ModelNames, v => string.Equals(v, s?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (i < 0) throw new MetricsInputException($"invalid model '{s}', expected one of: {string.Join(", ", ModelNames)}");
        return (TouchModel)i;
    }

    public static string Name(TouchModel model) => ModelNames[(int)model];

    public static TouchAttributionResult Compute(TouchTable table, TouchModel model, TouchAttributionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new TouchAttributionOptions();
        if (options.LookbackDays < 0) throw new MetricsInputException("lookback: must not be negative");
        if (!(options.HalfLifeDays > 0)) throw new MetricsInputException("half-life: must be positive");
        try
        {
            return ComputeChecked(table, model, options);
        }
        catch (OverflowException)
        {
            throw new MetricsInputException("amounts too large to add up exactly");
        }
    }

    /// <summary>The window [created - lookback, created] of opportunity <paramref name="o"/> as a touch range (touches are sorted by time).</summary>
    private static (int Begin, int End) Window(TouchTable t, int o, long lookbackSeconds)
    {
        int a = t.TouchStart[o], b = t.TouchStart[o + 1];
        long lo = t.Created[o] - lookbackSeconds, hi = t.Created[o];
        while (a < b && t.At[a] < lo) a++;
        while (b > a && t.At[b - 1] > hi) b--;
        return (a, b);
    }

    private static TouchAttributionResult ComputeChecked(TouchTable t, TouchModel model, TouchAttributionOptions options)
    {
        int m = t.OpportunityCount, kc = t.Channels.Count, kp = t.Campaigns.Count + 1; // campaign state kp-1 = no campaign
        var begin = new int[m];
        var end = new int[m];
        long totalPipe = 0, totalRev = 0, attrPipe = 0, attrRev = 0;
        long lookback = options.LookbackDays * 86_400L;
        for (int o = 0; o < m; o++)
        {
            var (a, b) = Window(t, o, lookback);
            begin[o] = a; end[o] = b;
            totalPipe = checked(totalPipe + t.Amount[o]);
            totalRev = checked(totalRev + t.WonAmount[o]);
            if (a < b) { attrPipe = checked(attrPipe + t.Amount[o]); attrRev = checked(attrRev + t.WonAmount[o]); }
        }
        var campaignNames = t.Campaigns.Append(NoCampaign).ToArray();
        var campaignState = new int[t.TouchCount];
        for (int i = 0; i < campaignState.Length; i++) campaignState[i] = t.Campaign[i] < 0 ? kp - 1 : t.Campaign[i];
        long[] chPipe, chRev, cpPipe, cpRev;
        var chOrder = NameOrder(t.Channels);
        var cpOrder = NameOrder(campaignNames);
        switch (model)
        {
            case TouchModel.Markov:
                (chPipe, chRev) = Markov(t, kc, t.Channel, begin, end, attrPipe, attrRev, chOrder);
                (cpPipe, cpRev) = Markov(t, kp, campaignState, begin, end, attrPipe, attrRev, cpOrder);
                break;
            case TouchModel.TimeDecay:
                (chPipe, chRev, cpPipe, cpRev) = TimeDecay(t, kc, kp, campaignState, begin, end, options.HalfLifeDays, attrPipe, attrRev, chOrder, cpOrder);
                break;
            default:
                (chPipe, chRev, cpPipe, cpRev) = Positional(t, model, kc, kp, campaignState, begin, end, attrPipe, attrRev, chOrder, cpOrder);
                break;
        }
        // A campaign list without touches lacking a campaign does not show the no-campaign row.
        bool anyNoCampaign = false;
        for (int o = 0; o < m && !anyNoCampaign; o++)
            for (int i = begin[o]; i < end[o]; i++) if (campaignState[i] == kp - 1) { anyNoCampaign = true; break; }
        var channels = chOrder.Select(c => new TouchCredit(t.Channels[c], chPipe[c], chRev[c])).ToList();
        var campaigns = cpOrder.Where(c => c != kp - 1 || anyNoCampaign).Select(c => new TouchCredit(campaignNames[c], cpPipe[c], cpRev[c])).ToList();
        return new TouchAttributionResult(model, totalPipe, totalRev, totalPipe - attrPipe, totalRev - attrRev, channels, campaigns);
    }

    private static int[] NameOrder(IReadOnlyList<string> names) =>
        Enumerable.Range(0, names.Count).OrderBy(i => names[i], StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Integer weight numerators of the touches of one path of n touches over the returned denominator (their sum).
    /// </summary>
    internal static long Weights(TouchModel model, ReadOnlySpan<TouchRole> roles, Span<long> num)
    {
        int n = roles.Length;
        num.Clear();
        switch (model)
        {
            case TouchModel.First: num[0] = 1; return 1;
            case TouchModel.Last: num[n - 1] = 1; return 1;
            case TouchModel.UShaped when n >= 3:
                num[0] = num[n - 1] = 2L * (n - 2);
                for (int i = 1; i < n - 1; i++) num[i] = 1;
                return 5L * (n - 2);
            case TouchModel.WShaped when n >= 2:
                int lead = 0, opp = n - 1;
                for (int i = 0; i < n; i++) if ((roles[i] & TouchRole.LeadCreation) != 0) { lead = i; break; }
                for (int i = n - 1; i >= 0; i--) if ((roles[i] & TouchRole.OpportunityCreation) != 0) { opp = i; break; }
                int distinct = 1 + (lead != 0 ? 1 : 0) + (opp != 0 && opp != lead ? 1 : 0);
                long rest = n - distinct;
                if (rest == 0)
                {
                    num[0]++; num[lead]++; num[opp]++;
                    return 3;
                }
                for (int i = 0; i < n; i++) num[i] = 1;
                num[0] = num[lead] = num[opp] = 0;
                num[0] += 3 * rest; num[lead] += 3 * rest; num[opp] += 3 * rest;
                return 10 * rest;
            default: // linear; u_shaped and w_shaped with one or two touches: equal shares
                for (int i = 0; i < n; i++) num[i] = 1;
                return n;
        }
    }

    private static (long[], long[], long[], long[]) Positional(TouchTable t, TouchModel model, int kc, int kp, int[] campaignState, int[] begin,
        int[] end, long attrPipe, long attrRev, int[] chOrder, int[] cpOrder)
    {
        // Per weight denominator: integer sums of amount x numerator per channel and per campaign.
        var sums = new Dictionary<long, Int128[][]>();
        long lastDen = -1;
        Int128[][] s = [];
        long[] num = new long[16];
        for (int o = 0; o < begin.Length; o++)
        {
            int a = begin[o], n = end[o] - a;
            if (n == 0) continue;
            if (num.Length < n) num = new long[Math.Max(n, num.Length * 2)];
            var w = num.AsSpan(0, n);
            long den = Weights(model, t.Roles.AsSpan(a, n), w);
            if (den != lastDen)
            {
                if (!sums.TryGetValue(den, out s!)) sums[den] = s = [new Int128[kc], new Int128[kc], new Int128[kp], new Int128[kp]];
                lastDen = den;
            }
            long pipe = t.Amount[o], rev = t.WonAmount[o];
            for (int i = 0; i < n; i++)
            {
                long x = w[i];
                if (x == 0) continue;
                int ch = t.Channel[a + i], cp = campaignState[a + i];
                checked
                {
                    Int128 p = (Int128)pipe * x;
                    s[0][ch] += p; s[2][cp] += p;
                    if (rev != 0) { Int128 r = (Int128)rev * x; s[1][ch] += r; s[3][cp] += r; }
                }
            }
        }
        BigInteger lcm = BigInteger.One;
        foreach (long d in sums.Keys) lcm = lcm / BigInteger.GreatestCommonDivisor(lcm, d) * d;
        var exact = new[] { new BigInteger[kc], new BigInteger[kc], new BigInteger[kp], new BigInteger[kp] };
        foreach (var (d, arrays) in sums)
        {
            var f = lcm / d;
            for (int j = 0; j < 4; j++)
                for (int c = 0; c < arrays[j].Length; c++)
                    if (arrays[j][c] != 0) exact[j][c] += (BigInteger)arrays[j][c] * f;
        }
        return (AttributionEngine.Split(exact[0], lcm, attrPipe, chOrder), AttributionEngine.Split(exact[1], lcm, attrRev, chOrder),
            AttributionEngine.Split(exact[2], lcm, attrPipe, cpOrder), AttributionEngine.Split(exact[3], lcm, attrRev, cpOrder));
    }

    private static (long[], long[], long[], long[]) TimeDecay(TouchTable t, int kc, int kp, int[] campaignState, int[] begin, int[] end,
        double halfLifeDays, long attrPipe, long attrRev, int[] chOrder, int[] cpOrder)
    {
        double perSecond = Math.Log(2) / (halfLifeDays * 86_400);
        var chPipe = new double[kc]; var chRev = new double[kc]; var cpPipe = new double[kp]; var cpRev = new double[kp];
        double[] w = new double[16];
        for (int o = 0; o < begin.Length; o++)
        {
            int a = begin[o], n = end[o] - a;
            if (n == 0) continue;
            if (w.Length < n) w = new double[Math.Max(n, w.Length * 2)];
            // Relative to the newest touch so that the largest weight is 1 (no underflow for old touches).
            long newest = t.At[a + n - 1];
            double sum = 0;
            for (int i = 0; i < n; i++) sum += w[i] = Math.Exp(-(newest - t.At[a + i]) * perSecond);
            double pipe = t.Amount[o] / sum, rev = t.WonAmount[o] / sum;
            for (int i = 0; i < n; i++)
            {
                int ch = t.Channel[a + i], cp = campaignState[a + i];
                chPipe[ch] += pipe * w[i]; cpPipe[cp] += pipe * w[i];
                chRev[ch] += rev * w[i]; cpRev[cp] += rev * w[i];
            }
        }
        return (AttributionEngine.Split(chPipe, attrPipe, chOrder), AttributionEngine.Split(chRev, attrRev, chOrder),
            AttributionEngine.Split(cpPipe, attrPipe, cpOrder), AttributionEngine.Split(cpRev, attrRev, cpOrder));
    }

    private static (long[] Pipeline, long[] Revenue) Markov(TouchTable t, int k, int[] states, int[] begin, int[] end, long attrPipe, long attrRev, int[] order)
    {
        int m = begin.Length;
        var conv = new long[m];
        var nulls = new long[m];
        for (int o = 0; o < m; o++) if (end[o] > begin[o]) conv[o] = 1;
        var pipeEffects = AttributionEngine.RemovalEffects(k, states, begin, end, conv, nulls);
        for (int o = 0; o < m; o++)
        {
            bool touched = end[o] > begin[o];
            conv[o] = touched && t.Outcome[o] == DealOutcome.Won ? 1 : 0;
            nulls[o] = touched && t.Outcome[o] == DealOutcome.Lost ? 1 : 0;
        }
        var revEffects = AttributionEngine.RemovalEffects(k, states, begin, end, conv, nulls);
        return (Share(pipeEffects, attrPipe, order), Share(revEffects, attrRev, order));
    }

    private static long[] Share(double[] effects, long total, int[] order)
    {
        double sum = effects.Sum();
        if (sum <= 0 || total == 0) return new long[effects.Length];
        return AttributionEngine.Split(effects.Select(e => total * (e / sum)).ToArray(), total, order);
    }

    /// <summary>
    /// One opportunity's credit per campaign under a positional or time-decay model: which campaigns the touches in its
    /// lookback window belong to and what part of the opportunity each gets (several touches of one campaign add up),
    /// sorted ordinally by campaign name, touches without a campaign under <see cref="NoCampaign"/>. Empty when no touch
    /// is in the window. Null for markov: the chain credits campaigns over all paths together, never deal by deal.
    /// The report's totals are the exact split of <see cref="Compute"/>; a deal's share applied to its amount is rounded
    /// on its own, so the shares of a campaign's deals add up to its total within a unit per deal.
    /// </summary>
    public static IReadOnlyList<TouchShare>? Shares(TouchTable table, int opportunity, TouchModel model, TouchAttributionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegative(opportunity);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(opportunity, table.OpportunityCount);
        options ??= new TouchAttributionOptions();
        if (options.LookbackDays < 0) throw new MetricsInputException("lookback: must not be negative");
        if (!(options.HalfLifeDays > 0)) throw new MetricsInputException("half-life: must be positive");
        if (model == TouchModel.Markov) return null;
        var (a, b) = Window(table, opportunity, options.LookbackDays * 86_400L);
        int n = b - a;
        if (n == 0) return [];
        string NameOf(int i) => table.Campaign[i] < 0 ? NoCampaign : table.Campaigns[table.Campaign[i]];
        if (model == TouchModel.TimeDecay)
        {
            // As in the report: relative to the newest touch, normalised over the window.
            double perSecond = Math.Log(2) / (options.HalfLifeDays * 86_400);
            long newest = table.At[b - 1];
            var w = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) sum += w[i] = Math.Exp(-(newest - table.At[a + i]) * perSecond);
            var byName = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++) byName[NameOf(a + i)] = byName.GetValueOrDefault(NameOf(a + i)) + w[i] / sum;
            return byName.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => TouchShare.Approximate(kv.Key, kv.Value)).ToList();
        }
        var num = new long[n];
        long den = Weights(model, table.Roles.AsSpan(a, n), num);
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++) if (num[i] != 0) sums[NameOf(a + i)] = sums.GetValueOrDefault(NameOf(a + i)) + num[i];
        return sums.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new TouchShare(kv.Key, kv.Value, den)).ToList();
    }

    /// <summary>
    /// Campaign ROI = (attributed won revenue - cost) / cost (4 decimals, half away from zero) and cost per lead, MQL and
    /// opportunity in minor units (whole units, half away from zero); each null when its divisor is 0.
    /// </summary>
    public static CampaignEconomics Economics(long costMinor, long attributedRevenueMinor, long leads, long mqls, long opportunities)
    {
        static decimal? Per(long cost, long count) => count > 0 ? Math.Round((decimal)cost / count, 0, MidpointRounding.AwayFromZero) : null;
        decimal? roi = costMinor > 0 ? Math.Round(((decimal)attributedRevenueMinor - costMinor) / costMinor, 4, MidpointRounding.AwayFromZero) : null;
        return new CampaignEconomics(roi, Per(costMinor, leads), Per(costMinor, mqls), Per(costMinor, opportunities));
    }
}

/// <summary>Campaign ROI and unit costs of one campaign under one model (<see cref="TouchAttribution.Economics"/>).</summary>
public sealed record CampaignEconomics(decimal? Roi, decimal? CostPerLead, decimal? CostPerMql, decimal? CostPerOpportunity);

/// <summary>
/// A campaign's part of one opportunity, Numerator / Denominator: exact for the positional models; time decay's double
/// weights are carried in units of 10^-12 (<see cref="Approximate"/>).
/// </summary>
public sealed record TouchShare(string Campaign, long Numerator, long Denominator)
{
    private const long Pico = 1_000_000_000_000;

    internal static TouchShare Approximate(string campaign, double share) => new(campaign, (long)Math.Round(share * Pico), Pico);

    /// <summary>The share as a fraction of the opportunity, rounded half away from zero to <paramref name="decimals"/> places.</summary>
    public decimal Fraction(int decimals = 4)
    {
        long scale = 1;
        for (int i = 0; i < decimals; i++) scale *= 10;
        return (decimal)(long)RoundedDiv((Int128)Numerator * scale, Denominator) / scale;
    }

    /// <summary>The share of <paramref name="amount"/> (minor units, not negative) in whole minor units, rounded half away from zero.</summary>
    public long Of(long amount) => (long)RoundedDiv((Int128)amount * Numerator, Denominator);

    private static Int128 RoundedDiv(Int128 n, long d) => (2 * n + d) / (2 * (Int128)d);
}
