using System.Numerics;

namespace RevLoop.Metrics;

public enum OpportunityStatus : byte { Open, Won, Lost }

/// <summary>The dimension of `metrics sales --group-by`; None = only the `(all)` row.</summary>
/// <summary>
/// The dimension of `metrics sales --group-by` (the CLI accepts owner..source); None = only the `(all)` row. Team, SourcingRole
/// and Pipeline exist only in the database, so only the API and UI group by them.
/// </summary>
public enum SalesGroupBy : byte { None, Owner, Product, Region, Segment, Source, Team, SourcingRole, Pipeline }

/// <summary>Reporting window (both days inclusive) and the dimension to group by.</summary>
public sealed record SalesQuery(DateOnly From, DateOnly To, SalesGroupBy GroupBy = SalesGroupBy.None);

/// <summary>
/// One opportunity as the server materialises it. <paramref name="Group"/> is the value of the grouped dimension
/// (ignored without grouping); <paramref name="Amount"/> may be null only for open deals. <paramref name="Probability"/> is
/// the win probability (percent) of the deal's stage, for the weighted pipeline (the CSV has none: 0).
/// </summary>
public sealed record OpportunityFacts(string? Group, DateOnly Created, DateOnly? Closed, OpportunityStatus Status, decimal? Amount, int Probability = 0);

/// <summary>
/// One row of the sales report (METRICS.md §5, issue 5). Null = undefined (no deal to divide by).
/// Money and ratios are exact here; they are rounded half-up only when printed.
/// </summary>
public sealed record SalesRow(
    string Group,
    long Created,
    decimal PipelineCreated,
    long Won,
    long Lost,
    decimal? WinRate,
    decimal? WinRateValue,
    decimal WonAmount,
    decimal? AverageDealSize,
    decimal? SalesCycleDays,
    long Open,
    decimal OpenAmount,
    decimal WeightedOpenAmount = 0)
{
    /// <summary>
    /// Pipeline velocity (METRICS.md §5): open deals x average deal size x win rate / sales cycle days, per day; none when
    /// a factor is undefined or the cycle is 0 days. Here "open qualified" = the deals open at the end of the window.
    /// </summary>
    public decimal? VelocityPerDay => AverageDealSize is { } avg && WinRate is { } rate && SalesCycleDays is { } cycle
        ? SalesFormulas.PipelineVelocityPerDay(Open, avg, rate, cycle) : null;
}

/// <summary>The sales report: the `(all)` row first, then one row per group value in ordinal order.</summary>
public sealed record SalesReport(SalesQuery Query, IReadOnlyList<SalesRow> Rows);

/// <summary>
/// The sales metrics of METRICS.md §5 as the `metrics sales` contract of issue 5 defines them, over the window [From, To]:
/// created / pipeline_created = deals created in the window (count, amount; an empty amount counts 0);
/// won / lost = deals with that status closed in the window; win_rate = won / (won + lost) and
/// win_rate_value = won amount / (won + lost amount); avg_deal_size = won amount / won; sales_cycle_days = mean days
/// from created to closed of the won deals; open / open_amount = deals created on or before To and not closed by To
/// (closed empty or after To), whatever their status today. Each metric filters on its own date, so one deal can
/// count in several columns.
/// </summary>
public static class SalesEngine
{
    public const string AllGroup = "(all)";
    /// <summary>How an empty value of the grouped dimension is shown.</summary>
    public const string NoneGroup = "(none)";

    /// <summary>Computes the report from materialised opportunities (the database-backed path); invalid ones go to <paramref name="errors"/> by ordinal.</summary>
    public static SalesReport Compute(IEnumerable<OpportunityFacts> opportunities, SalesQuery query, List<RowError> errors)
    {
        ArgumentNullException.ThrowIfNull(opportunities);
        ArgumentNullException.ThrowIfNull(query);
        var acc = new SalesAccumulator(query);
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        long ordinal = 0;
        foreach (var o in opportunities)
        {
            ordinal++;
            int before = errors.Count;
            long amount = 0;
            if (o.Amount is { } a && (a < 0 || !FixedPoint.TryFromDecimal(a, Money.NativeScale, out amount)))
                errors.Add(new RowError(ordinal, "amount", a < 0 ? "negative amount" : "more than 8 decimals or too large"));
            Validate(ordinal, o.Created.DayNumber, o.Closed?.DayNumber ?? -1, o.Status, o.Amount is not null, errors);
            if (errors.Count != before) continue;
            int g = 0;
            if (query.GroupBy != SalesGroupBy.None)
            {
                string key = string.IsNullOrEmpty(o.Group) ? NoneGroup : o.Group;
                if (!groups.TryGetValue(key, out g)) groups[key] = g = groups.Count;
            }
            acc.Add(g, o.Created.DayNumber, o.Closed?.DayNumber ?? -1, o.Status, amount, o.Probability);
        }
        var names = new string[groups.Count];
        foreach (var (k, v) in groups) names[v] = k;
        return acc.Report(query.GroupBy == SalesGroupBy.None ? [] : names);
    }

    /// <summary>The checks shared by the CSV reader and <see cref="Compute"/>; closed = -1 when empty.</summary>
    internal static void Validate(long line, int created, int closed, OpportunityStatus status, bool hasAmount, List<RowError> errors)
    {
        if (closed >= 0)
        {
            if (status == OpportunityStatus.Open) errors.Add(new RowError(line, "closed", "an open deal has no closed date"));
            else if (closed < created) errors.Add(new RowError(line, "closed", "before created"));
        }
        else if (status != OpportunityStatus.Open)
        {
            errors.Add(new RowError(line, "closed", $"missing: a {(status == OpportunityStatus.Won ? "won" : "lost")} deal needs its closed date"));
        }
        if (!hasAmount && status != OpportunityStatus.Open)
            errors.Add(new RowError(line, "amount", $"missing: a {(status == OpportunityStatus.Won ? "won" : "lost")} deal needs its amount"));
    }
}

/// <summary>
/// Per-group integer sums of the sales report, filled one deal at a time (constant memory in the number of deals).
/// Amounts are integers in units of 10^-8 (the most decimals an amount may have) summed in Int128, so totals are exact.
/// </summary>
internal sealed class SalesAccumulator
{
    private readonly SalesQuery _query;
    private readonly int _from, _to;
    private long[] _created = new long[16], _won = new long[16], _lost = new long[16], _open = new long[16], _cycleDays = new long[16];
    private Int128[] _createdAmount = new Int128[16], _wonAmount = new Int128[16], _lostAmount = new Int128[16], _openAmount = new Int128[16], _weighted = new Int128[16];
    private int _groups = 1;

    public SalesAccumulator(SalesQuery query)
    {
        if (query.To < query.From) throw new MetricsInputException($"--to {query.To:yyyy-MM-dd} is before --from {query.From:yyyy-MM-dd}");
        _query = query;
        _from = query.From.DayNumber;
        _to = query.To.DayNumber;
    }

    /// <summary>Adds one valid deal. Days are DateOnly day numbers; closed = -1 when empty; amount in 10^-8 units.</summary>
    public void Add(int group, int created, int closed, OpportunityStatus status, long amount, int probability = 0)
    {
        if (group >= _groups) Grow(group + 1);
        if (created >= _from && created <= _to)
        {
            _created[group]++;
            _createdAmount[group] += amount;
        }
        if (closed >= _from && closed <= _to)
        {
            if (status == OpportunityStatus.Won)
            {
                _won[group]++;
                _wonAmount[group] += amount;
                _cycleDays[group] += closed - created;
            }
            else if (status == OpportunityStatus.Lost)
            {
                _lost[group]++;
                _lostAmount[group] += amount;
            }
        }
        if (created <= _to && (closed < 0 || closed > _to))
        {
            _open[group]++;
            _openAmount[group] += amount;
            _weighted[group] += (Int128)amount * probability;
        }
    }

    private void Grow(int n)
    {
        _groups = n;
        if (n <= _created.Length) return;
        int size = Math.Max(n, _created.Length * 2);
        Array.Resize(ref _created, size); Array.Resize(ref _won, size); Array.Resize(ref _lost, size);
        Array.Resize(ref _open, size); Array.Resize(ref _cycleDays, size);
        Array.Resize(ref _createdAmount, size); Array.Resize(ref _wonAmount, size);
        Array.Resize(ref _lostAmount, size); Array.Resize(ref _openAmount, size); Array.Resize(ref _weighted, size);
    }

    /// <summary>The `(all)` row, then one row per group name (index = group id) sorted ordinally.</summary>
    public SalesReport Report(IReadOnlyList<string> groupNames)
    {
        var rows = new List<SalesRow>(groupNames.Count + 1);
        long c = 0, w = 0, l = 0, o = 0, d = 0;
        Int128 ca = 0, wa = 0, la = 0, oa = 0, wo = 0;
        for (int g = 0; g < _groups; g++)
        {
            c += _created[g]; w += _won[g]; l += _lost[g]; o += _open[g]; d += _cycleDays[g];
            ca += _createdAmount[g]; wa += _wonAmount[g]; la += _lostAmount[g]; oa += _openAmount[g]; wo += _weighted[g];
        }
        rows.Add(Row(SalesEngine.AllGroup, c, ca, w, wa, l, la, d, o, oa, wo));
        var order = Enumerable.Range(0, groupNames.Count).OrderBy(g => groupNames[g], StringComparer.Ordinal);
        foreach (int g in order)
            rows.Add(Row(groupNames[g], _created[g], _createdAmount[g], _won[g], _wonAmount[g], _lost[g], _lostAmount[g], _cycleDays[g], _open[g], _openAmount[g], _weighted[g]));
        return new SalesReport(_query, rows);
    }

    private static SalesRow Row(string group, long created, Int128 createdAmount, long won, Int128 wonAmount, long lost, Int128 lostAmount,
        long cycleDays, long open, Int128 openAmount, Int128 weighted)
    {
        var unit = (BigInteger)Money.NativeUnit;
        decimal? winRate = won + lost > 0 ? Money.ToDecimal(won, won + lost) : null;
        Int128 closedAmount = wonAmount + lostAmount;
        decimal? winRateValue = closedAmount > 0 ? Money.ToDecimal((BigInteger)wonAmount, (BigInteger)closedAmount) : null;
        decimal? average = won > 0 ? Money.ToDecimal((BigInteger)wonAmount, unit * won) : null;
        decimal? cycle = won > 0 ? Money.ToDecimal(cycleDays, won) : null;
        return new SalesRow(group, created, Money.ToDecimal(createdAmount, Money.NativeScale), won, lost, winRate, winRateValue,
            Money.ToDecimal(wonAmount, Money.NativeScale), average, cycle, open, Money.ToDecimal(openAmount, Money.NativeScale),
            Money.ToDecimal((BigInteger)weighted, unit * 100));
    }
}
