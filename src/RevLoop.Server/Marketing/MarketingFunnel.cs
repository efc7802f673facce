using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Marketing;
using RevLoop.Metrics;
using RevLoop.Server.Analytics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

/// <summary>
/// One row of the marketing funnel: the leads of a group that entered in a period and how many of them got to each stage,
/// the conversion between consecutive stages and from lead to won (fractions, 4 decimals, null when nothing entered the
/// earlier stage), the won amount in the base currency and the median days from lead to MQL and from MQL to SQL (2 decimals).
/// </summary>
public sealed record MarketingFunnelRowDto(string Group, long Leads, long Mql, long Sql, long Opportunities, long Won, decimal WonAmount,
    decimal? LeadToMql, decimal? MqlToSql, decimal? SqlToOpportunity, decimal? OpportunityToWon, decimal? LeadToWon,
    decimal? MedianDaysToMql, decimal? MedianDaysMqlToSql);

/// <summary>The leads created in [From, To] (a month or quarter clipped to the window), the (all) row first.</summary>
public sealed record MarketingFunnelPeriodDto(string Period, DateOnly From, DateOnly To, IReadOnlyList<MarketingFunnelRowDto> Rows);

/// <summary>
/// The funnel report: one entry per period of the window and <c>total</c>, the whole window at once (medians are not sums,
/// so it is computed, not added up). <c>unconverted</c> = won deals whose currency has no exchange rate: counted as won,
/// left out of the won amount.
/// </summary>
public sealed record MarketingFunnelDto(DateOnly From, DateOnly To, string Period, string? GroupBy, string BaseCurrency, long Unconverted,
    MarketingFunnelPeriodDto Total, IReadOnlyList<MarketingFunnelPeriodDto> Periods);

/// <summary>One lead of a funnel drill-down: who, where it came from and how far it got.</summary>
public sealed record FunnelLeadDto(Guid Id, string Name, string? Company, string Status, string? Source, string? Region, string? Owner,
    DateTimeOffset CreatedAt, DateTimeOffset? MqlAt, DateTimeOffset? SqlAt, string Stage, Guid? OpportunityId, decimal? WonAmount);

/// <summary>
/// The marketing funnel (issue 6, "Funnel reports"): a cohort report by period of entry. The leads created in a period
/// (UTC day of <c>Lead.CreatedAt</c>; months or calendar quarters, clipped to the window from..to, both days inclusive)
/// and how far each of them got by now:
/// <list type="bullet">
/// <item><b>opportunity</b>: the lead was converted with a deal (<c>ConvertedOpportunityId</c> set);</item>
/// <item><b>won</b>: that deal is in a won stage now; its amount in the base currency at the rate of its close date
/// (ADR 0007). Only deals the viewer may see count as won: a rep whose lead became someone else's deal sees the
/// opportunity, not its outcome;</item>
/// <item><b>SQL</b>: sales accepted it (<c>SqlAt</c> set, kept when it was later rejected to nurture: it did get there),
/// or its status is sql (set by hand or imported without the time), or it became an opportunity (a deal is sales
/// taking the lead). A lead converted without a deal (a contact added to an account) and never accepted is not an SQL;</item>
/// <item><b>MQL</b>: <c>MqlAt</c> set, or status mql, sql or converted (imported data without the time), or it got to SQL.</item>
/// </list>
/// Each stage counts the leads that reached it or a later one, so the stages nest and every conversion is at most 1.
/// Median days lead -> MQL over the leads with <c>MqlAt</c> (MqlAt - CreatedAt); MQL -> SQL over the leads with
/// <c>MqlAt</c> and an SQL time (<c>SqlAt</c>, else the conversion time of a lead converted with a deal); a time before the
/// one it follows (imported data) counts as 0 days. Groups: channel = the lead's source; campaign = the campaign of the
/// lead's earliest marketing event with a campaign, else of its earliest campaign membership; region; team and rep = the
/// lead's owner team and owner; an empty value is <c>(none)</c>. Every period lists every group of the window, in ordinal
/// order after <c>(all)</c>. Leads are read through the visibility filter (ADR 0003): everyone's numbers are their own.
/// One projection query for the leads (the campaign as two correlated subqueries) and one for their won deals; the
/// rest is counting in memory, so the report and its drill-down lists are the same sets.
/// </summary>
public static class MarketingFunnel
{
    public static readonly string[] Groups = ["channel", "campaign", "region", "team", "rep"];
    public static readonly string[] Periods = ["month", "quarter"];
    public static readonly string[] Stages = ["leads", "mql", "sql", "opportunity", "won"];
    public const string AllGroup = SalesEngine.AllGroup, NoneGroup = SalesEngine.NoneGroup;

    private static readonly string[] MqlStatuses = [LeadStatus.Mql, LeadStatus.Sql, LeadStatus.Converted];
    private const decimal MillisecondsPerDay = 86_400_000m;

    /// <summary>A parsed, checked request: the window, the period kind and the grouping (null = only the (all) row).</summary>
    public sealed record Query(DateOnly From, DateOnly To, string Period, string? GroupBy);

    public static Query Parse(string? from, string? to, string? period, string? groupBy)
    {
        var (f, t) = (AnalyticsPieces.Day(from, "from"), AnalyticsPieces.Day(to, "to"));
        if (t < f) throw new InputException("to", "must not be before from");
        var p = string.IsNullOrWhiteSpace(period) ? "month" : period.Trim();
        if (!Periods.Contains(p)) throw new InputException("period", $"must be one of {string.Join(", ", Periods)}");
        return new Query(f, t, p, ParseGroupBy(groupBy));
    }

    public static string? ParseGroupBy(string? groupBy)
    {
        if (string.IsNullOrWhiteSpace(groupBy)) return null;
        var g = groupBy.Trim();
        return Groups.Contains(g) ? g : throw new InputException("groupBy", $"must be one of {string.Join(", ", Groups)}");
    }

    /// <summary>How far a lead got: 0 lead, 1 MQL, 2 SQL, 3 opportunity, 4 won (the index into <see cref="Stages"/>).</summary>
    public static int ParseStage(string? stage)
    {
        int i = stage is null ? -1 : Array.IndexOf(Stages, stage.Trim());
        return i >= 0 ? i : throw new InputException("stage", $"must be one of {string.Join(", ", Stages)}");
    }

    /// <summary>A lead of the window as the report sees it. Times in Unix milliseconds; WonAmount null unless won and convertible.</summary>
    internal sealed record Fact(Guid Id, long CreatedMs, DateOnly Day, int Stage, string Group, long? ToMqlMs, long? MqlToSqlMs, decimal? WonAmount, bool Unconverted);

    private sealed record Projected(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset? MqlAt, DateTimeOffset? SqlAt, string Status,
        DateTimeOffset? ConvertedAt, Guid? OpportunityId, string? Text, Guid? Key);

    private static IQueryable<Projected> Project(RevLoopDb db, IQueryable<Lead> q, string? groupBy) => groupBy switch
    {
        "channel" => q.Select(l => new Projected(l.Id, l.CreatedAt, l.MqlAt, l.SqlAt, l.Status, l.ConvertedAt, l.ConvertedOpportunityId, l.Source, null)),
        "region" => q.Select(l => new Projected(l.Id, l.CreatedAt, l.MqlAt, l.SqlAt, l.Status, l.ConvertedAt, l.ConvertedOpportunityId, l.Region, null)),
        "team" => q.Select(l => new Projected(l.Id, l.CreatedAt, l.MqlAt, l.SqlAt, l.Status, l.ConvertedAt, l.ConvertedOpportunityId, null, l.OwnerTeamId)),
        "rep" => q.Select(l => new Projected(l.Id, l.CreatedAt, l.MqlAt, l.SqlAt, l.Status, l.ConvertedAt, l.ConvertedOpportunityId, null, l.OwnerId)),
        // The campaign that first reached the person: its earliest touch with a campaign, else its earliest membership.
        // Correlated subqueries on (PersonType, PersonId, ...) indexes: one statement, no query per lead.
        "campaign" => q.Select(l => new Projected(l.Id, l.CreatedAt, l.MqlAt, l.SqlAt, l.Status, l.ConvertedAt, l.ConvertedOpportunityId, null,
            db.MarketingEvents.Where(e => e.PersonType == PersonTypes.Lead && e.PersonId == l.Id && e.CampaignId != null)
                .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).Select(e => e.CampaignId).FirstOrDefault()
            ?? db.CampaignMembers.Where(m => m.PersonType == PersonTypes.Lead && m.PersonId == l.Id)
                .OrderBy(m => m.AddedAt).ThenBy(m => m.Id).Select(m => (Guid?)m.CampaignId).FirstOrDefault())),
        _ => q.Select(l => new Projected(l.Id, l.CreatedAt, l.MqlAt, l.SqlAt, l.Status, l.ConvertedAt, l.ConvertedOpportunityId, null, null)),
    };

    /// <summary>Display names of the team / owner / campaign ids a grouping shows (an id nobody names any more shows as itself).</summary>
    private static async Task<Dictionary<Guid, string>> KeyNamesAsync(RevLoopDb db, string? groupBy, CancellationToken ct) => groupBy switch
    {
        "team" => await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct),
        "rep" => (await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct))
            .ToDictionary(u => u.Id, u => string.IsNullOrWhiteSpace(u.DisplayName) ? u.Email ?? u.Id.ToString() : u.DisplayName),
        "campaign" => await db.Campaigns.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct),
        _ => [],
    };

    internal sealed record Loaded(List<Fact> Facts, string BaseCurrency);

    /// <summary>The visible leads created in [from, to] with how far each got, in the given grouping.</summary>
    internal static async Task<Loaded> LoadAsync(RevLoopDb db, DateOnly from, DateOnly to, string? groupBy, CancellationToken ct)
    {
        var (start, end) = (AnalyticsPieces.StartOf(from), AnalyticsPieces.StartOf(to.AddDays(1)));
        var leads = db.Leads.AsNoTracking().Where(l => l.CreatedAt >= start && l.CreatedAt < end);
        var rates = await RateBook.LoadAsync(db, ct);
        var names = await KeyNamesAsync(db, groupBy, ct);
        // The won deals among the window's conversions (visible ones only: the filter applies to opportunities too).
        var wonStages = db.Stages.Where(s => s.Type == StageTypes.Won).Select(s => s.Id);
        var converted = leads.Where(l => l.ConvertedOpportunityId != null).Select(l => l.ConvertedOpportunityId);
        var won = await db.Opportunities.AsNoTracking().Where(o => converted.Contains(o.Id) && wonStages.Contains(o.StageId))
            .Select(o => new { o.Id, o.AmountMinor, o.Currency, o.CloseDate }).ToDictionaryAsync(o => o.Id, ct);

        var facts = new List<Fact>();
        await foreach (var l in Project(db, leads, groupBy).AsAsyncEnumerable().WithCancellation(ct))
        {
            bool opportunity = l.OpportunityId is not null;
            bool sql = opportunity || l.SqlAt is not null || l.Status == LeadStatus.Sql;
            bool mql = sql || l.MqlAt is not null || MqlStatuses.Contains(l.Status);
            decimal? wonAmount = null;
            bool isWon = false, unconverted = false;
            if (l.OpportunityId is { } oid && won.TryGetValue(oid, out var deal))
            {
                isWon = true;
                wonAmount = rates.ToBase(deal.AmountMinor, deal.Currency, deal.CloseDate);
                unconverted = wonAmount is null;
            }
            int stage = isWon ? 4 : opportunity ? 3 : sql ? 2 : mql ? 1 : 0;
            var created = l.CreatedAt.ToUnixTimeMilliseconds();
            var sqlTime = l.SqlAt ?? (opportunity ? l.ConvertedAt : null);
            long? toMql = l.MqlAt is { } m ? Math.Max(0, m.ToUnixTimeMilliseconds() - created) : null;
            long? mqlToSql = l.MqlAt is { } m2 && sqlTime is { } s ? Math.Max(0, s.ToUnixTimeMilliseconds() - m2.ToUnixTimeMilliseconds()) : null;
            var group = groupBy is null ? AllGroup
                : l.Key is { } k ? names.GetValueOrDefault(k, k.ToString())
                : string.IsNullOrEmpty(l.Text) ? NoneGroup : l.Text;
            if (string.IsNullOrEmpty(group)) group = NoneGroup;
            facts.Add(new Fact(l.Id, created, DateOnly.FromDateTime(l.CreatedAt.UtcDateTime), stage, group, toMql, mqlToSql, wonAmount, unconverted));
        }
        return new Loaded(facts, rates.BaseCurrency);
    }

    public static async Task<MarketingFunnelDto> ComputeAsync(RevLoopDb db, string? from, string? to, string? period, string? groupBy, CancellationToken ct) =>
        await ComputeAsync(db, Parse(from, to, period, groupBy), ct);

    public static async Task<MarketingFunnelDto> ComputeAsync(RevLoopDb db, Query q, CancellationToken ct)
    {
        var periods = SalesAnalytics.Split(q.From, q.To, q.Period, 1);
        var loaded = await LoadAsync(db, q.From, q.To, q.GroupBy, ct);
        var groups = q.GroupBy is null ? [] : loaded.Facts.Select(f => f.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        var starts = periods.Select(p => p.From).ToArray();
        var byPeriod = periods.Select(_ => new List<Fact>()).ToArray();
        foreach (var f in loaded.Facts)
        {
            int i = Array.BinarySearch(starts, f.Day);
            byPeriod[i < 0 ? ~i - 1 : i].Add(f);
        }
        MarketingFunnelPeriodDto Block(string label, DateOnly pf, DateOnly pt, List<Fact> facts)
        {
            var rows = new List<MarketingFunnelRowDto>(groups.Count + 1) { Row(AllGroup, facts) };
            if (groups.Count > 0)
            {
                var byGroup = facts.ToLookup(f => f.Group, StringComparer.Ordinal);
                rows.AddRange(groups.Select(g => Row(g, byGroup[g])));
            }
            return new MarketingFunnelPeriodDto(label, pf, pt, rows);
        }
        return new MarketingFunnelDto(q.From, q.To, q.Period, q.GroupBy, loaded.BaseCurrency, loaded.Facts.LongCount(f => f.Unconverted),
            Block($"{q.From:yyyy-MM-dd}..{q.To:yyyy-MM-dd}", q.From, q.To, loaded.Facts),
            periods.Select((p, i) => Block(p.Label, p.From, p.To, byPeriod[i])).ToList());
    }

    private static MarketingFunnelRowDto Row(string group, IEnumerable<Fact> facts)
    {
        long leads = 0, mql = 0, sql = 0, opportunities = 0, won = 0;
        decimal wonAmount = 0;
        var toMql = new List<long>();
        var mqlToSql = new List<long>();
        foreach (var f in facts)
        {
            leads++;
            if (f.Stage >= 1) mql++;
            if (f.Stage >= 2) sql++;
            if (f.Stage >= 3) opportunities++;
            if (f.Stage >= 4) { won++; wonAmount += f.WonAmount ?? 0; }
            if (f.ToMqlMs is { } a) toMql.Add(a);
            if (f.MqlToSqlMs is { } b) mqlToSql.Add(b);
        }
        return new MarketingFunnelRowDto(group, leads, mql, sql, opportunities, won, Money.RoundToCents(wonAmount),
            Rate(mql, leads), Rate(sql, mql), Rate(opportunities, sql), Rate(won, opportunities), Rate(won, leads), MedianDays(toMql), MedianDays(mqlToSql));
    }

    private static decimal? Rate(long part, long whole) => whole == 0 ? null : Math.Round((decimal)part / whole, 4, MidpointRounding.AwayFromZero);

    /// <summary>The median in days (the mean of the two middle values of an even count), half-up to 2 decimals.</summary>
    private static decimal? MedianDays(List<long> ms)
    {
        if (ms.Count == 0) return null;
        ms.Sort();
        int n = ms.Count;
        decimal median = n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + (decimal)ms[n / 2]) / 2;
        return Math.Round(median / MillisecondsPerDay, 2, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// The leads behind one number: those created in [from, to] that got to <paramref name="stage"/> or further, in the group
    /// <paramref name="group"/> of <paramref name="groupBy"/> (the name the report shows; empty or <c>(all)</c> = every
    /// group), newest first, offset-paged like the other drill-downs. The same facts as the report, so the list has exactly
    /// as many leads as the number.
    /// </summary>
    public static async Task<Page<FunnelLeadDto>> LeadsAsync(RevLoopDb db, string? from, string? to, string? stage, string? groupBy, string? group,
        string? cursor, int? pageSize, CancellationToken ct)
    {
        var q = Parse(from, to, null, groupBy);
        int s = ParseStage(stage);
        int size = Paging.Size(pageSize);
        int offset = 0;
        if (!string.IsNullOrEmpty(cursor) && !int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            throw new InputException("cursor", "is not a cursor this server issued");
        bool all = q.GroupBy is null || string.IsNullOrEmpty(group) || group == AllGroup;
        var loaded = await LoadAsync(db, q.From, q.To, all ? null : q.GroupBy, ct);
        var matching = loaded.Facts.Where(f => f.Stage >= s && (all || f.Group == group))
            .OrderByDescending(f => f.CreatedMs).ThenBy(f => f.Id).ToList();
        var slice = matching.Skip(offset).Take(size).ToList();
        var ids = slice.Select(f => f.Id).ToList();
        var leads = await db.Leads.AsNoTracking().Where(l => ids.Contains(l.Id))
            .Select(l => new { l.Id, l.FirstName, l.LastName, l.Company, l.Status, l.Source, l.Region, l.OwnerId, l.CreatedAt, l.MqlAt, l.SqlAt, l.ConvertedOpportunityId })
            .ToDictionaryAsync(l => l.Id, ct);
        var ownerIds = leads.Values.Where(l => l.OwnerId is not null).Select(l => l.OwnerId!.Value).Distinct().ToList();
        var owners = (await db.Users.AsNoTracking().Where(u => ownerIds.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct))
            .ToDictionary(u => u.Id, u => string.IsNullOrWhiteSpace(u.DisplayName) ? u.Email : u.DisplayName);
        var items = slice.Where(f => leads.ContainsKey(f.Id)).Select(f =>
        {
            var l = leads[f.Id];
            return new FunnelLeadDto(l.Id, $"{l.FirstName} {l.LastName}".Trim(), l.Company, l.Status, l.Source, l.Region,
                l.OwnerId is { } o ? owners.GetValueOrDefault(o) : null, l.CreatedAt, l.MqlAt, l.SqlAt, Stages[f.Stage], l.ConvertedOpportunityId,
                f.WonAmount is { } w ? Money.RoundToCents(w) : null);
        }).ToList();
        return new Page<FunnelLeadDto>(items, offset + size < matching.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : null, size);
    }

    /// <summary>The report as CSV rows (header first): each period's rows, then the whole window's.</summary>
    public static List<string[]> CsvRows(MarketingFunnelDto dto)
    {
        var rows = new List<string[]>
        {
            new[] { "period", "from", "to", "group", "leads", "mql", "sql", "opportunities", "won", "won_amount", "lead_to_mql", "mql_to_sql",
                "sql_to_opportunity", "opportunity_to_won", "lead_to_won", "median_days_to_mql", "median_days_mql_to_sql" },
        };
        foreach (var p in dto.Periods.Append(dto.Total))
            foreach (var r in p.Rows)
                rows.Add([p.Period, $"{p.From:yyyy-MM-dd}", $"{p.To:yyyy-MM-dd}", r.Group, N(r.Leads), N(r.Mql), N(r.Sql), N(r.Opportunities), N(r.Won), N(r.WonAmount),
                    N(r.LeadToMql), N(r.MqlToSql), N(r.SqlToOpportunity), N(r.OpportunityToWon), N(r.LeadToWon), N(r.MedianDaysToMql), N(r.MedianDaysMqlToSql)]);
        return rows;
    }

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string N(decimal? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";
}
