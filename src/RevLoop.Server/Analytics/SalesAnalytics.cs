using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Metrics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

public sealed record SalesRowDto(string Group, long Created, decimal PipelineCreated, long Won, long Lost, decimal? WinRate, decimal? WinRateValue,
    decimal WonAmount, decimal? AvgDealSize, decimal? SalesCycleDays, long Open, decimal OpenAmount, decimal WeightedPipeline, decimal? VelocityPerDay);
public sealed record SalesPeriodDto(string Period, DateOnly From, DateOnly To, IReadOnlyList<SalesRowDto> Rows);
/// <summary>
/// The sales report; <c>unconverted</c> = deals left out because their currency has no exchange rate, <c>invalid</c> = deals
/// the engine refuses (a closed deal without its close time, or closed before it was created).
/// </summary>
public sealed record SalesAnalyticsDto(string BaseCurrency, string? GroupBy, string? Period, long Unconverted, long Invalid, IReadOnlyList<SalesPeriodDto> Periods);

/// <summary>
/// The sales metrics of METRICS.md §5 over the stored opportunities, computed by the same <see cref="SalesEngine"/> as
/// `revloop metrics sales`: created = the deal's CreatedAt (UTC day); closed = the UTC day of WonAt (won) or LostAt
/// (lost); status = its stage's type; amount in the base currency (ADR 0007). The deals come from the in-memory deal
/// columns (ADR 0012), then each period of the window is one pass of the engine over them.
/// </summary>
public static class SalesAnalytics
{
    public static readonly string[] Groups = ["owner", "team", "sourcingRole", "product", "region", "segment", "source", "pipeline"];
    public static readonly string[] Periods = ["month", "quarter", "fiscalQuarter", "year"];
    public static readonly string[] Metrics = ["created", "won", "lost", "open"];

    public static SalesGroupBy ParseGroupBy(string? s) => string.IsNullOrWhiteSpace(s) ? SalesGroupBy.None : s.Trim() switch
    {
        "owner" => SalesGroupBy.Owner, "team" => SalesGroupBy.Team, "sourcingRole" => SalesGroupBy.SourcingRole, "product" => SalesGroupBy.Product,
        "region" => SalesGroupBy.Region, "segment" => SalesGroupBy.Segment, "source" => SalesGroupBy.Source, "pipeline" => SalesGroupBy.Pipeline,
        _ => throw new InputException("groupBy", $"must be one of {string.Join(", ", Groups)}"),
    };

    private static string? NameOf(SalesGroupBy g) => g == SalesGroupBy.None ? null : Groups[g switch
    {
        SalesGroupBy.Owner => 0, SalesGroupBy.Team => 1, SalesGroupBy.SourcingRole => 2, SalesGroupBy.Product => 3,
        SalesGroupBy.Region => 4, SalesGroupBy.Segment => 5, SalesGroupBy.Source => 6, _ => 7,
    }];

    /// <summary>The periods [from, to] is cut into (each clipped to the window); the whole window when <paramref name="period"/> is empty.</summary>
    public static List<(string Label, DateOnly From, DateOnly To)> Split(DateOnly from, DateOnly to, string? period, int fiscalYearStartMonth)
    {
        if (string.IsNullOrWhiteSpace(period)) return [($"{from:yyyy-MM-dd}..{to:yyyy-MM-dd}", from, to)];
        int months = period switch
        {
            "month" => 1, "quarter" or "fiscalQuarter" => 3, "year" => 12,
            _ => throw new InputException("period", $"must be one of {string.Join(", ", Periods)}"),
        };
        // Periods are aligned on January, except fiscal quarters on the fiscal year's first month.
        int anchor = period == "fiscalQuarter" ? fiscalYearStartMonth - 1 : 0;
        int index = from.Year * 12 + from.Month - 1;
        int startIndex = index - (((index - anchor) % months) + months) % months;
        var result = new List<(string, DateOnly, DateOnly)>();
        for (int m = startIndex; ; m += months)
        {
            var start = new DateOnly(m / 12, m % 12 + 1, 1);
            if (start > to) break;
            var end = start.AddMonths(months).AddDays(-1);
            if (result.Count >= 400) throw new InputException("period", "the window holds more than 400 periods");
            result.Add((Label(period, start, fiscalYearStartMonth), start < from ? from : start, end > to ? to : end));
        }
        return result;
    }

    private static string Label(string period, DateOnly start, int fiscalStart) => period switch
    {
        "month" => start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        "quarter" => $"{start.Year}-Q{(start.Month - 1) / 3 + 1}",
        // FY named by the calendar year it ends in (FY2027 starting February 2026).
        "fiscalQuarter" => $"FY{(fiscalStart == 1 ? start.Year : start.Month >= fiscalStart ? start.Year + 1 : start.Year)}-Q{((start.Month - fiscalStart + 12) % 12) / 3 + 1}",
        _ => start.Year.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Display names of the owner / team / pipeline ids a group-by shows.</summary>
    private static async Task<Dictionary<Guid, string>> KeyNamesAsync(RevLoopDb db, SalesGroupBy g, CancellationToken ct) => g switch
    {
        SalesGroupBy.Owner => await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct),
        SalesGroupBy.Team => await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct),
        SalesGroupBy.Pipeline => await db.Pipelines.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct),
        _ => [],
    };

    public sealed record Facts(List<OpportunityFacts> Deals, long Unconverted, string BaseCurrency);

    /// <summary>
    /// The visible, filtered deals as the engine's input, from the in-memory deal columns (ADR 0012; one pass, no
    /// query per deal), amounts converted to the base currency.
    /// </summary>
    public static async Task<Facts> LoadAsync(RevLoopDb db, AnalyticsFilter filter, SalesGroupBy groupBy, CancellationToken ct)
    {
        var rates = await RateBook.LoadAsync(db, ct);
        var stages = await db.Stages.AsNoTracking().ToDictionaryAsync(s => s.Id, s => (s.Type, s.Probability), ct);
        var names = await KeyNamesAsync(db, groupBy, ct);
        var visible = await AnalyticsFilter.VisibleOwnersAsync(db, filter.PipelineId, ct);
        return await OpportunityHistoryColumns.For(db).ReadAsync(db, c =>
        {
            var deals = new List<OpportunityFacts>();
            long unconverted = 0;
            foreach (int d in c.Live(visible))
            {
                var o = c.Now(d);
                if (!o.Matches(filter)) continue;
                var (type, probability) = stages.GetValueOrDefault(o.StageId, (StageTypes.Open, 0));
                var status = type == StageTypes.Won ? OpportunityStatus.Won : type == StageTypes.Lost ? OpportunityStatus.Lost : OpportunityStatus.Open;
                if (rates.ToBase(o.AmountMinor, o.Currency, o.CloseDate) is not { } amount) { unconverted++; continue; }
                var closedTicks = status == OpportunityStatus.Won ? o.WonTicks : status == OpportunityStatus.Lost ? o.LostTicks : null;
                Guid? key = groupBy switch { SalesGroupBy.Owner => o.OwnerId, SalesGroupBy.Team => o.TeamId, SalesGroupBy.Pipeline => o.PipelineId, _ => null };
                var group = key is { } k ? names.GetValueOrDefault(k, k.ToString()) : groupBy switch
                {
                    SalesGroupBy.SourcingRole => o.SourcingRole, SalesGroupBy.Product => o.Product, SalesGroupBy.Region => o.Region,
                    SalesGroupBy.Segment => o.Segment, SalesGroupBy.Source => o.Source, _ => null,
                };
                deals.Add(new OpportunityFacts(group, Day(o.CreatedTicks), closedTicks is { } t ? Day(t) : null, status, amount, status == OpportunityStatus.Open ? probability : 0));
            }
            return new Facts(deals, unconverted, rates.BaseCurrency);
        }, ct);
    }

    private static DateOnly Day(long utcTicks) => DateOnly.FromDayNumber((int)(utcTicks / TimeSpan.TicksPerDay));

    public static async Task<SalesAnalyticsDto> ComputeAsync(RevLoopDb db, string? from, string? to, string? groupBy, string? period, AnalyticsFilter filter, CancellationToken ct) =>
        (await ComputeManyAsync(db, from, to, groupBy, [period], filter, ct))[0];

    /// <summary>
    /// One report per entry of <paramref name="periods"/> (null = the whole window) over one read of the deals: a page
    /// showing the window's totals by group and a trend by month reads the table once.
    /// </summary>
    public static async Task<IReadOnlyList<SalesAnalyticsDto>> ComputeManyAsync(RevLoopDb db, string? from, string? to, string? groupBy, IReadOnlyList<string?> periods,
        AnalyticsFilter filter, CancellationToken ct)
    {
        var (f, t) = (AnalyticsPieces.Day(from, "from"), AnalyticsPieces.Day(to, "to"));
        if (t < f) throw new InputException("to", "must not be before from");
        var g = ParseGroupBy(groupBy);
        var fiscal = await db.CompanySettings.AsNoTracking().Select(s => s.FiscalYearStartMonth).FirstOrDefaultAsync(ct);
        var windows = periods.Select(p => Split(f, t, p, fiscal == 0 ? 1 : fiscal)).ToList();
        var facts = await LoadAsync(db, filter, g, ct);
        return periods.Select((period, i) =>
        {
            var result = new List<SalesPeriodDto>(windows[i].Count);
            long invalid = 0;
            foreach (var (label, pf, pt) in windows[i])
            {
                var errors = new List<RowError>();
                var report = SalesEngine.Compute(facts.Deals, new SalesQuery(pf, pt, g), errors);
                invalid = errors.Select(e => e.Line).Distinct().LongCount(); // the same deals in every period
                result.Add(new SalesPeriodDto(label, pf, pt, report.Rows.Select(Row).ToList()));
            }
            return new SalesAnalyticsDto(facts.BaseCurrency, NameOf(g), string.IsNullOrWhiteSpace(period) ? null : period, facts.Unconverted, invalid, result);
        }).ToList();
    }

    /// <summary>As the CLI prints them: money to cents and rates to 4 decimals, half-up (velocity to cents per day).</summary>
    public static SalesRowDto Row(SalesRow r) => new(r.Group, r.Created, Cents(r.PipelineCreated), r.Won, r.Lost, Rate(r.WinRate), Rate(r.WinRateValue),
        Cents(r.WonAmount), Cents(r.AverageDealSize), Cents(r.SalesCycleDays), r.Open, Cents(r.OpenAmount), Cents(r.WeightedOpenAmount), Cents(r.VelocityPerDay));

    private static decimal Cents(decimal v) => Money.RoundToCents(v);
    private static decimal? Cents(decimal? v) => v is { } x ? Money.RoundToCents(x) : null;
    private static decimal? Rate(decimal? v) => v is { } x ? Math.Round(x, 4, MidpointRounding.AwayFromZero) : null;

    public static async Task<Ok<SalesAnalyticsDto>> Get(string? from, string? to, string? groupBy, string? period, [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct) =>
        TypedResults.Ok(await ComputeAsync(db, from, to, groupBy, period, filter.Filter(), ct));

    /// <summary>
    /// The deals behind one cell: <paramref name="metric"/> created | won | lost | open over [from, to], in the group
    /// <paramref name="group"/> of <paramref name="groupBy"/> (the name the report shows, `(none)` for no value). The
    /// same conditions as the engine's, written as SQL, newest first.
    /// </summary>
    public static async Task<Ok<Page<DealLine>>> Deals(string? from, string? to, string? metric, string? groupBy, string? group, string? cursor, int? pageSize,
        [AsParameters] AnalyticsFilterQuery filter, RevLoopDb db, CancellationToken ct)
    {
        var (f, t) = (AnalyticsPieces.Day(from, "from"), AnalyticsPieces.Day(to, "to"));
        if (t < f) throw new InputException("to", "must not be before from");
        if (metric is null || !Metrics.Contains(metric)) throw new InputException("metric", $"must be one of {string.Join(", ", Metrics)}");
        var g = ParseGroupBy(groupBy);
        var q = filter.Filter().Apply(db.Opportunities.AsNoTracking());
        var (start, end) = (AnalyticsPieces.StartOf(f), AnalyticsPieces.StartOf(t.AddDays(1)));
        var won = db.Stages.Where(s => s.Type == StageTypes.Won).Select(s => s.Id);
        var lost = db.Stages.Where(s => s.Type == StageTypes.Lost).Select(s => s.Id);
        var open = db.Stages.Where(s => s.Type == StageTypes.Open).Select(s => s.Id);
        q = metric switch
        {
            "created" => q.Where(o => o.CreatedAt >= start && o.CreatedAt < end),
            "won" => q.Where(o => won.Contains(o.StageId) && o.WonAt >= start && o.WonAt < end),
            "lost" => q.Where(o => lost.Contains(o.StageId) && o.LostAt >= start && o.LostAt < end),
            _ => q.Where(o => o.CreatedAt < end && (open.Contains(o.StageId) || (won.Contains(o.StageId) && o.WonAt >= end) || (lost.Contains(o.StageId) && o.LostAt >= end))),
        };
        if (g != SalesGroupBy.None)
        {
            if (string.IsNullOrEmpty(group)) throw new InputException("group", "is required with groupBy");
            var none = group == SalesEngine.NoneGroup;
            string? v = none ? null : group;
            switch (g)
            {
                case SalesGroupBy.Owner or SalesGroupBy.Team or SalesGroupBy.Pipeline:
                    var ids = (await KeyNamesAsync(db, g, ct)).Where(kv => kv.Value == group).Select(kv => (Guid?)kv.Key).ToList();
                    if (Guid.TryParse(group, out var raw)) ids.Add(raw); // a group shown by id (its user, team or pipeline is gone)
                    q = g switch
                    {
                        SalesGroupBy.Owner => q.Where(o => none ? o.OwnerId == null : ids.Contains(o.OwnerId)),
                        SalesGroupBy.Team => q.Where(o => none ? o.OwnerTeamId == null : ids.Contains(o.OwnerTeamId)),
                        _ => q.Where(o => ids.Contains(o.PipelineId)),
                    };
                    break;
                case SalesGroupBy.SourcingRole: q = q.Where(o => none ? o.SourcingRole == null || o.SourcingRole == "" : o.SourcingRole == v); break;
                case SalesGroupBy.Product: q = q.Where(o => none ? o.ProductFamily == null || o.ProductFamily == "" : o.ProductFamily == v); break;
                case SalesGroupBy.Region: q = q.Where(o => none ? o.Region == null || o.Region == "" : o.Region == v); break;
                case SalesGroupBy.Segment: q = q.Where(o => none ? o.Segment == null || o.Segment == "" : o.Segment == v); break;
                default: q = q.Where(o => none ? o.Source == null || o.Source == "" : o.Source == v); break;
            }
        }
        int size = Paging.Size(pageSize);
        int offset = 0;
        if (!string.IsNullOrEmpty(cursor) && !int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            throw new InputException("cursor", "is not a cursor this server issued");
        var ids2 = await q.OrderByDescending(o => o.CreatedAt).ThenBy(o => o.Id).Skip(offset).Take(size + 1).Select(o => o.Id).ToListAsync(ct);
        var lines = await AnalyticsPieces.LinesAsync(db, ids2.Take(size).ToList(), ct);
        return TypedResults.Ok(new Page<DealLine>(lines, ids2.Count > size ? (offset + size).ToString(CultureInfo.InvariantCulture) : null, size));
    }
}
