using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Metrics;
using RevLoop.Platform;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Forecasting;

/// <summary>
/// The deal amounts forecasting and the APM read, in base currency. A deal's bookings value is its ACV where set, else
/// its amount. The database sums per currency and close day (the day decides the exchange rate, ADR 0007), so a million
/// deals come back as a few thousand groups; deals in a currency without any rate are left out and counted.
/// </summary>
public static class Bookings
{
    public static async Task<int> FiscalStartMonthAsync(RevLoopDb db, CancellationToken ct) =>
        await db.CompanySettings.AsNoTracking().Select(s => (int?)s.FiscalYearStartMonth).FirstOrDefaultAsync(ct) ?? 1;

    public static FiscalPeriod Period(string? label, int startMonth, DateOnly today) =>
        string.IsNullOrWhiteSpace(label) ? FiscalPeriod.Containing(today, FiscalPeriodKind.Quarter, startMonth)
        : FiscalPeriod.TryParse(label, startMonth, out var p) ? p
        : throw new InputException("period", $"'{label}' is not a fiscal period (FY2027, FY2027-Q1 or FY2027-M01)");

    public static DateOnly Today(RevLoopDb db) => DateOnly.FromDateTime(db.Clock.GetUtcNow().UtcDateTime);

    private sealed class OwnerGroup
    {
        public Guid? OwnerId { get; init; }
        public string Currency { get; init; } = "";
        public DateOnly? CloseDate { get; init; }
        public bool Won { get; init; }
        public string Category { get; init; } = "";
        public long Minor { get; init; }
    }

    /// <summary>Per owner: won, and open commit / best case / pipeline deals closing in the period (lost deals do not count).</summary>
    public static async Task<Dictionary<Guid, CategoryAmounts>> ByOwnerAsync(RevLoopDb db, RateBook rates, FiscalPeriod p, CancellationToken ct)
    {
        var rows = await db.Opportunities.AsNoTracking()
            .Where(o => o.CloseDate >= p.Start && o.CloseDate < p.End && o.LostAt == null && o.OwnerId != null)
            .GroupBy(o => new { o.OwnerId, o.Currency, o.CloseDate, Won = o.WonAt != null, o.ForecastCategory })
            .Select(g => new OwnerGroup { OwnerId = g.Key.OwnerId, Currency = g.Key.Currency, CloseDate = g.Key.CloseDate, Won = g.Key.Won, Category = g.Key.ForecastCategory, Minor = g.Sum(o => o.AcvMinor ?? o.AmountMinor) })
            .ToListAsync(ct);
        var result = new Dictionary<Guid, CategoryAmounts>();
        foreach (var r in rows)
        {
            if (rates.ToBaseMinor(r.Minor, r.Currency, r.CloseDate) is not { } minor) continue;
            var amount = MinorUnits.ToAmount(minor, rates.BaseCurrency);
            var add = r.Won ? new CategoryAmounts(amount, 0, 0, 0) : r.Category switch
            {
                ForecastCategories.Commit => new CategoryAmounts(0, amount, 0, 0),
                ForecastCategories.BestCase => new CategoryAmounts(0, 0, amount, 0),
                ForecastCategories.Pipeline => new CategoryAmounts(0, 0, 0, amount),
                _ => default,
            };
            result[r.OwnerId!.Value] = result.GetValueOrDefault(r.OwnerId!.Value) + add;
        }
        return result;
    }

    /// <summary>A deal as the APM sees it: the dimension's value and what decides which columns it feeds.</summary>
    private sealed class DimensionGroup
    {
        public string? Value { get; init; }
        public string Currency { get; init; } = "";
        public DateOnly? CloseDate { get; init; }
        public bool Won { get; init; }
        public string Category { get; init; } = "";
        public bool PriorYear { get; init; }
        public long Minor { get; init; }
    }

    public const string NoValue = "(none)";
    /// <summary>The matrix's total row: the deals of every value.</summary>
    public const string AllValues = "(all)";

    public static IQueryable<Opportunity> OfValue(IQueryable<Opportunity> q, string dimension, string value)
    {
        if (value == AllValues) return q;
        var v = value == NoValue ? null : value;
        return dimension switch
        {
            TargetSubjects.Product => q.Where(o => o.ProductFamily == v),
            TargetSubjects.Region => q.Where(o => o.Region == v),
            TargetSubjects.Segment => q.Where(o => o.Segment == v),
            _ => q.Where(o => o.Source == v),
        };
    }

    /// <summary>The amounts behind the APM for one dimension: closing in the period and a year earlier, and created in both.</summary>
    /// <param name="priorOpen">Also last year's open pipeline as it stood (read from history; not needed for targets).</param>
    public static async Task<List<ApmFact>> ApmFactsAsync(RevLoopDb db, RateBook rates, string dimension, FiscalPeriod p, DateOnly asOf, CancellationToken ct, bool priorOpen = true)
    {
        var prior = p.PriorYear;
        var priorAsOf = asOf.AddYears(-1);
        var closing = db.Opportunities.AsNoTracking().Where(o => o.LostAt == null
            && ((o.CloseDate >= p.Start && o.CloseDate < p.End) || (o.CloseDate >= prior.Start && o.CloseDate < prior.End)));
        var createdTo = Instant(asOf < p.End ? asOf.AddDays(1) : p.End);
        var priorCreatedTo = Instant(priorAsOf < prior.End ? priorAsOf.AddDays(1) : prior.End);
        var (start, priorStart) = (Instant(p.Start), Instant(prior.Start));
        var created = db.Opportunities.AsNoTracking().Where(o => (o.CreatedAt >= start && o.CreatedAt < createdTo) || (o.CreatedAt >= priorStart && o.CreatedAt < priorCreatedTo));

        var closingRows = await Group(Project(closing, dimension, start), false).ToListAsync(ct);
        var createdRows = await Group(Project(created, dimension, start), true).ToListAsync(ct);
        var facts = new List<ApmFact>(closingRows.Count * 2 + createdRows.Count);
        foreach (var r in closingRows)
        {
            if (rates.ToBaseMinor(r.Minor, r.Currency, r.CloseDate) is not { } minor) continue;
            var amount = MinorUnits.ToAmount(minor, rates.BaseCurrency);
            var value = r.Value ?? NoValue;
            var isPrior = r.CloseDate < p.Start;
            if (r.Won)
            {
                if (!isPrior) facts.Add(new ApmFact(value, ApmFactKind.Won, false, amount));
                else
                {
                    facts.Add(new ApmFact(value, ApmFactKind.WonWholePeriod, true, amount));
                    if (r.CloseDate <= priorAsOf) facts.Add(new ApmFact(value, ApmFactKind.Won, true, amount));
                }
            }
            else if (!isPrior && r.Category != ForecastCategories.Omitted)
            {
                facts.Add(new ApmFact(value, ApmFactKind.Open, false, amount));
                if (r.Category == ForecastCategories.Commit) facts.Add(new ApmFact(value, ApmFactKind.OpenCommit, false, amount));
            }
        }
        foreach (var r in createdRows)
        {
            if (rates.ToBaseMinor(r.Minor, r.Currency, r.CloseDate) is not { } minor) continue;
            facts.Add(new ApmFact(r.Value ?? NoValue, ApmFactKind.Created, r.PriorYear, MinorUnits.ToAmount(minor, rates.BaseCurrency)));
        }
        if (priorOpen) await PriorOpenAsync(db, rates, dimension, prior, priorAsOf, facts, ct);
        return facts;
    }

    /// <summary>
    /// Last year's open pipeline, for the year-over-year change: the deals open at the end of the same day a year ago
    /// whose close date, as it stood then, fell in last year's period, at their amount as it stood then (ACV, where set,
    /// as it is now). Close date and amount are rebuilt from the history rows written after that day (the old value of
    /// the first later change); the dimension value and forecast category are today's.
    /// </summary>
    private static async Task PriorOpenAsync(RevLoopDb db, RateBook rates, string dimension, FiscalPeriod prior, DateOnly priorAsOf, List<ApmFact> facts, CancellationToken ct)
    {
        // Last year's pipeline as it stood a year ago only changes when year-old history is rewritten, yet finding it reads
        // every deal open then (a second at 1M deals): kept for ten minutes per database, viewer scope, dimension and day.
        var key = $"{db.Database.GetConnectionString()}|{(db.Viewer.SeesAll ? "*" : db.Viewer.UserId?.ToString())}|{string.Join(",", db.Viewer.TeamIds)}|{dimension}|{prior.Label}|{priorAsOf:yyyy-MM-dd}|{rates.BaseCurrency}";
        var now = db.Clock.GetUtcNow();
        if (PriorOpenCache.TryGetValue(key, out var cached) && now - cached.At < PriorOpenLifetime)
        {
            facts.AddRange(cached.Facts);
            return;
        }
        var found = new List<ApmFact>();
        await PriorOpenFromHistoryAsync(db, rates, dimension, prior, priorAsOf, found, ct);
        if (PriorOpenCache.Count > 1000) PriorOpenCache.Clear();
        PriorOpenCache[key] = (now, found);
        facts.AddRange(found);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset At, List<ApmFact> Facts)> PriorOpenCache = new(StringComparer.Ordinal);
    private static readonly TimeSpan PriorOpenLifetime = TimeSpan.FromMinutes(10);

    private static async Task PriorOpenFromHistoryAsync(RevLoopDb db, RateBook rates, string dimension, FiscalPeriod prior, DateOnly priorAsOf, List<ApmFact> facts, CancellationToken ct)
    {
        var end = Instant(priorAsOf.AddDays(1));
        var open = db.Opportunities.AsNoTracking().Where(o => o.CreatedAt < end && (o.WonAt == null || o.WonAt >= end) && (o.LostAt == null || o.LostAt >= end)
            && o.ForecastCategory != ForecastCategories.Omitted);
        var deals = await open.Select(o => new { o.Id, o.ProductFamily, o.Region, o.Segment, o.Source, o.Currency, o.CloseDate, o.AmountMinor, o.AcvMinor })
            .ToDictionaryAsync(o => o.Id, ct);
        if (deals.Count == 0) return;
        var ids = open.Select(o => o.Id);
        // The first change after that day of each field holds, as its old value, what the field was then.
        var firstAfter = new Dictionary<(Guid, string), (DateTimeOffset At, string? Old)>();
        var rows = db.FieldChanges.AsNoTracking()
            .Where(c => c.EntityType == "opportunity" && OpportunityHistoryRows.Fields.Contains(c.Field) && c.ChangedAt >= end && ids.Contains(c.EntityId))
            .Select(c => new { c.EntityId, c.Field, c.ChangedAt, c.OldValue });
        await foreach (var c in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (c.Field == nameof(Opportunity.StageId)) continue;
            var key = (c.EntityId, c.Field);
            if (!firstAfter.TryGetValue(key, out var seen) || c.ChangedAt < seen.At) firstAfter[key] = (c.ChangedAt, c.OldValue);
        }
        foreach (var (id, d) in deals)
        {
            var close = firstAfter.TryGetValue((id, nameof(Opportunity.CloseDate)), out var cd)
                ? (DateOnly.TryParseExact(cd.Old, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : (DateOnly?)null)
                : d.CloseDate;
            if (close is not { } c || c < prior.Start || c >= prior.End) continue;
            var minor = d.AcvMinor ?? (firstAfter.TryGetValue((id, nameof(Opportunity.AmountMinor)), out var am)
                ? (long.TryParse(am.Old, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var was) ? was : 0L)
                : d.AmountMinor);
            if (rates.ToBaseMinor(minor, d.Currency, close) is not { } baseMinor) continue;
            var value = dimension switch
            {
                TargetSubjects.Product => d.ProductFamily,
                TargetSubjects.Region => d.Region,
                TargetSubjects.Segment => d.Segment,
                _ => d.Source,
            };
            facts.Add(new ApmFact(value ?? NoValue, ApmFactKind.Open, true, MinorUnits.ToAmount(baseMinor, rates.BaseCurrency)));
        }
    }

    public static DateTimeOffset Instant(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private sealed class DimensionRow
    {
        public string? Value { get; init; }
        public string Currency { get; init; } = "";
        public DateOnly? CloseDate { get; init; }
        public bool Won { get; init; }
        public string Category { get; init; } = "";
        public bool PriorYear { get; init; }
        public long Minor { get; init; }
    }

    private static IQueryable<DimensionRow> Project(IQueryable<Opportunity> q, string dimension, DateTimeOffset periodStart) => dimension switch
    {
        TargetSubjects.Product => q.Select(o => new DimensionRow { Value = o.ProductFamily, Currency = o.Currency, CloseDate = o.CloseDate, Won = o.WonAt != null, Category = o.ForecastCategory, PriorYear = o.CreatedAt < periodStart, Minor = o.AcvMinor ?? o.AmountMinor }),
        TargetSubjects.Region => q.Select(o => new DimensionRow { Value = o.Region, Currency = o.Currency, CloseDate = o.CloseDate, Won = o.WonAt != null, Category = o.ForecastCategory, PriorYear = o.CreatedAt < periodStart, Minor = o.AcvMinor ?? o.AmountMinor }),
        TargetSubjects.Segment => q.Select(o => new DimensionRow { Value = o.Segment, Currency = o.Currency, CloseDate = o.CloseDate, Won = o.WonAt != null, Category = o.ForecastCategory, PriorYear = o.CreatedAt < periodStart, Minor = o.AcvMinor ?? o.AmountMinor }),
        _ => q.Select(o => new DimensionRow { Value = o.Source, Currency = o.Currency, CloseDate = o.CloseDate, Won = o.WonAt != null, Category = o.ForecastCategory, PriorYear = o.CreatedAt < periodStart, Minor = o.AcvMinor ?? o.AmountMinor }),
    };

    /// <summary>Closing deals group by status and category; created deals by whether they are last year's.</summary>
    private static IQueryable<DimensionGroup> Group(IQueryable<DimensionRow> q, bool created) => created
        ? q.GroupBy(r => new { r.Value, r.Currency, r.CloseDate, r.PriorYear })
            .Select(g => new DimensionGroup { Value = g.Key.Value, Currency = g.Key.Currency, CloseDate = g.Key.CloseDate, PriorYear = g.Key.PriorYear, Minor = g.Sum(r => r.Minor) })
        : q.GroupBy(r => new { r.Value, r.Currency, r.CloseDate, r.Won, r.Category })
            .Select(g => new DimensionGroup { Value = g.Key.Value, Currency = g.Key.Currency, CloseDate = g.Key.CloseDate, Won = g.Key.Won, Category = g.Key.Category, Minor = g.Sum(r => r.Minor) });
}
