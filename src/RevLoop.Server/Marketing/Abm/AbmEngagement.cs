using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Marketing;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing.Abm;

public sealed record CampaignRefDto(Guid Id, string Name);

public sealed record AccountEngagementDto(Guid AccountId, string Name, string? Domain, DateTimeOffset AddedAt, long Score, int EngagedPeople, int Events,
    DateTimeOffset? LastEngagedAt, IReadOnlyList<CampaignRefDto> Campaigns, decimal OpenPipeline, int OpenOpportunities, decimal Won, int WonOpportunities);

public sealed record EngagementTotalsDto(int Accounts, int EngagedAccounts, int EngagedPeople, int Events, long Score, decimal OpenPipeline, int OpenOpportunities,
    decimal Won, int WonOpportunities);

/// <summary>A campaign that touched target accounts: which ones, with how many events, and their pipeline and won business (not attributed: the accounts' whole amounts).</summary>
public sealed record CampaignTouchDto(Guid CampaignId, string Name, string Type, int Accounts, int Events, decimal OpenPipeline, decimal Won, IReadOnlyList<Guid> AccountIds);

public sealed record TargetListEngagementDto(Guid ListId, string List, int Days, DateTimeOffset From, DateTimeOffset AsOf, string Opportunities, string BaseCurrency,
    IReadOnlyDictionary<string, int> Weights, EngagementTotalsDto Totals, IReadOnlyList<AccountEngagementDto> Accounts, IReadOnlyList<CampaignTouchDto> Campaigns,
    int UnconvertedOpportunities);

public sealed record EngagedPersonDto(string PersonType, Guid PersonId, string Name, string? Email, long Score, int Events, DateTimeOffset LastEngagedAt);
public sealed record EngagementEventDto(long Id, DateTimeOffset OccurredAt, string Type, int Points, string PersonType, Guid PersonId, Guid? CampaignId, string? What);
public sealed record EngagedOpportunityDto(Guid Id, string Name, string Stage, string Status, decimal Amount, string Currency, decimal? BaseAmount, DateOnly? CloseDate,
    DateTimeOffset CreatedAt);

/// <summary>One target account's numbers and the records behind them: its engaged people, their events (newest first, at most 500) and the deals counted.</summary>
public sealed record AccountEngagementDetailDto(Guid ListId, string List, int Days, DateTimeOffset From, DateTimeOffset AsOf, string Opportunities, string BaseCurrency,
    AccountEngagementDto Account, IReadOnlyList<EngagedPersonDto> People, IReadOnlyList<EngagementEventDto> Events, IReadOnlyDictionary<Guid, string> CampaignNames,
    IReadOnlyList<EngagedOpportunityDto> OpportunityRecords);

/// <summary>How engagement is measured: the window, which deals count, the points per event type.</summary>
public sealed record EngagementOptions(int Days, bool SinceAdded, IReadOnlyDictionary<string, int> Weights)
{
    public const int DefaultDays = 90, MaxDays = 3650;
    public const string SinceAddedScope = "since_added", AllScope = "all";
    public static readonly EngagementOptions Default = new(DefaultDays, true, EngagementWeights.Defaults);

    public string Opportunities => SinceAdded ? SinceAddedScope : AllScope;

    public int Points(string type) => Weights.GetValueOrDefault(type);

    /// <param name="weights">Overrides of the default points, such as <c>page_view:2,email_open:0</c>.</param>
    public static EngagementOptions Parse(int? days, string? opportunities, string? weights)
    {
        var d = days ?? DefaultDays;
        if (d is < 1 or > MaxDays) throw new InputException("days", $"must be between 1 and {MaxDays}");
        var scope = string.IsNullOrWhiteSpace(opportunities) ? SinceAddedScope : opportunities.Trim().ToLowerInvariant();
        if (scope is not (SinceAddedScope or AllScope)) throw new InputException("opportunities", $"must be {SinceAddedScope} (deals created once the account was on the list) or {AllScope}");
        var w = new Dictionary<string, int>(EngagementWeights.Defaults);
        foreach (var part in (weights ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split(':', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !MarketingEventTypes.All.Contains(kv[0]))
                throw new InputException("weights", $"'{part}' is not type:points with a type of {string.Join(", ", MarketingEventTypes.All)}");
            if (!int.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) || p is < 0 or > 1000)
                throw new InputException("weights", $"'{part}': points must be a whole number from 0 to 1000");
            w[kv[0]] = p;
        }
        return new EngagementOptions(d, scope == SinceAddedScope, w);
    }
}

/// <summary>
/// Account engagement for a target list. An account's people are its contacts and the leads converted to it (or, not
/// converted, matched to it); a lead converted into a contact is one person with that contact. Its score is the sum of
/// the points of every event of its people in the last N days (occurred at or after now − N days); engaged people are
/// the distinct people with such an event. Campaigns that touched it are those of these events and the campaign
/// memberships of its people changed in the window. Open pipeline and won amounts are its open and won deals (by stage
/// type) in the base currency (ADR 0007), by default only deals created once the account was on the list
/// (<c>opportunities=since_added</c>; <c>all</c> counts every deal). Everything is read through the visibility filter,
/// so each viewer's numbers count the records they may see. Fixed queries per request whatever the list's size: one
/// grouped query over the events joined to the people, one over memberships, one over deals.
/// </summary>
public static class AbmEngagement
{
    public const int MaxDetailEvents = 500;

    private sealed class PersonRow
    {
        public Guid AccountId { get; set; }
        public string Type { get; set; } = "";
        public Guid Id { get; set; }
        /// <summary>The person: the contact a lead was converted into, else the record itself.</summary>
        public Guid Key { get; set; }
    }

    private sealed record Touch(Guid AccountId, Guid Key, string Type, Guid? CampaignId, int Count, DateTimeOffset Last);

    private sealed class Tally
    {
        public required Guid Id;
        public required string Name;
        public string? Domain;
        public DateTimeOffset AddedAt;
        public long Score;
        public int Events;
        public DateTimeOffset? Last;
        public readonly HashSet<Guid> People = [];
        public readonly HashSet<Guid> Campaigns = [];
        public long OpenMinor, WonMinor;
        public int OpenCount, WonCount;
    }

    /// <summary>The list's memberships whose account the viewer may see (optionally one account).</summary>
    private static IQueryable<TargetListAccount> Members(RevLoopDb db, Guid listId, Guid? only)
    {
        var q = db.TargetListAccounts.Where(m => m.ListId == listId);
        if (only is { } a) q = q.Where(m => m.AccountId == a);
        return q.Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => m);
    }

    private static IQueryable<PersonRow> People(RevLoopDb db, IQueryable<Guid> accountIds) =>
        db.Contacts.Where(c => c.AccountId != null && accountIds.Contains(c.AccountId.Value))
            .Select(c => new PersonRow { AccountId = c.AccountId!.Value, Type = PersonTypes.Contact, Id = c.Id, Key = c.Id })
            .Concat(db.Leads.Where(l => (l.ConvertedAccountId != null && accountIds.Contains(l.ConvertedAccountId.Value))
                    || (l.ConvertedAccountId == null && l.MatchedAccountId != null && accountIds.Contains(l.MatchedAccountId.Value)))
                .Select(l => new PersonRow { AccountId = l.ConvertedAccountId ?? l.MatchedAccountId!.Value, Type = PersonTypes.Lead, Id = l.Id, Key = l.ConvertedContactId ?? l.Id }));

    public static async Task<Results<Ok<TargetListEngagementDto>, FileContentHttpResult, NotFound>> Get(Guid id, int? days, string? opportunities, string? weights, string? format,
        RevLoopDb db, CancellationToken ct)
    {
        var f = format?.Trim().ToLowerInvariant() ?? "json";
        if (f is not ("json" or "csv")) throw new InputException("format", "must be json or csv");
        var options = EngagementOptions.Parse(days, opportunities, weights);
        var list = await db.TargetAccountLists.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return TypedResults.NotFound();
        var dto = await ComputeAsync(db, list, options, ct);
        if (f == "csv") return TypedResults.File(Encoding.UTF8.GetBytes(Csv(dto)), "text/csv; charset=utf-8", $"abm-engagement-{id}.csv");
        return TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<AccountEngagementDetailDto>, NotFound>> GetAccount(Guid id, Guid accountId, int? days, string? opportunities, string? weights,
        RevLoopDb db, CancellationToken ct)
    {
        var options = EngagementOptions.Parse(days, opportunities, weights);
        var list = await db.TargetAccountLists.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return TypedResults.NotFound();
        var detail = await DetailAsync(db, list, accountId, options, ct);
        return detail is null ? TypedResults.NotFound() : TypedResults.Ok(detail);
    }

    public static async Task<TargetListEngagementDto> ComputeAsync(RevLoopDb db, TargetAccountList list, EngagementOptions o, CancellationToken ct) =>
        (await LoadAsync(db, list, o, null, ct)).Dto;

    private static async Task<(TargetListEngagementDto Dto, List<Touch> Touches, DateTimeOffset Since)> LoadAsync(RevLoopDb db, TargetAccountList list, EngagementOptions o,
        Guid? only, CancellationToken ct)
    {
        var asOf = db.Clock.GetUtcNow();
        var since = asOf.AddDays(-o.Days);
        var members = Members(db, list.Id, only);
        var accountIds = members.Select(m => m.AccountId);
        var people = People(db, accountIds);
        var tallies = (await db.TargetListAccounts.AsNoTracking().Where(m => m.ListId == list.Id && (only == null || m.AccountId == only))
                .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { a.Id, a.Name, a.Domain, m.AddedAt }).ToListAsync(ct))
            .ToDictionary(a => a.Id, a => new Tally { Id = a.Id, Name = a.Name, Domain = a.Domain, AddedAt = a.AddedAt });

        // One grouped query: events in the window joined to the people of the list's accounts.
        var touches = await (from e in db.MarketingEvents
                             join p in people on new { T = e.PersonType, I = e.PersonId } equals new { T = (string?)p.Type, I = (Guid?)p.Id }
                             where e.OccurredAt >= since
                             group e by new { p.AccountId, p.Key, e.Type, e.CampaignId } into g
                             select new Touch(g.Key.AccountId, g.Key.Key, g.Key.Type, g.Key.CampaignId, g.Count(), g.Max(x => x.OccurredAt))).ToListAsync(ct);
        var memberships = await (from m in db.CampaignMembers
                                 join p in people on new { T = m.PersonType, I = m.PersonId } equals new { T = p.Type, I = p.Id }
                                 where m.UpdatedAt >= since
                                 select new { p.AccountId, m.CampaignId }).Distinct().ToListAsync(ct);
        var sinceAdded = o.SinceAdded;
        var deals = await (from op in db.Opportunities
                           join m in members on op.AccountId equals m.AccountId
                           join s in db.Stages on op.StageId equals s.Id
                           where s.Type != StageTypes.Lost && (!sinceAdded || op.CreatedAt >= m.AddedAt)
                           group op by new { op.AccountId, s.Type, op.Currency, op.CloseDate } into g
                           select new { g.Key.AccountId, g.Key.Type, g.Key.Currency, g.Key.CloseDate, Sum = g.Sum(x => x.AmountMinor), Count = g.Count() }).ToListAsync(ct);

        var campaignIds = touches.Where(t => t.CampaignId is not null).Select(t => t.CampaignId!.Value).Concat(memberships.Select(m => m.CampaignId)).Distinct().ToList();
        var campaigns = campaignIds.Count == 0 ? [] : await db.Campaigns.AsNoTracking().Where(c => campaignIds.Contains(c.Id))
            .Select(c => new { c.Id, c.Name, c.Type }).ToDictionaryAsync(c => c.Id, ct);
        var campaignEvents = new Dictionary<Guid, int>();
        foreach (var t in touches)
        {
            if (!tallies.TryGetValue(t.AccountId, out var a)) continue;
            a.Score += (long)o.Points(t.Type) * t.Count;
            a.Events += t.Count;
            a.People.Add(t.Key);
            if (a.Last is null || t.Last > a.Last) a.Last = t.Last;
            if (t.CampaignId is { } c && campaigns.ContainsKey(c))
            {
                a.Campaigns.Add(c);
                campaignEvents[c] = campaignEvents.GetValueOrDefault(c) + t.Count;
            }
        }
        foreach (var m in memberships)
            if (tallies.TryGetValue(m.AccountId, out var a) && campaigns.ContainsKey(m.CampaignId)) a.Campaigns.Add(m.CampaignId);

        // Amounts are summed per currency and close date in SQL and converted per group (ADR 0007).
        var rates = await RateBook.LoadAsync(db, ct);
        var unconverted = 0;
        foreach (var d in deals)
        {
            if (!tallies.TryGetValue(d.AccountId, out var a)) continue;
            if (rates.ToBaseMinor(d.Sum, d.Currency, d.CloseDate) is not { } minor) { unconverted += d.Count; continue; }
            if (d.Type == StageTypes.Won) { a.WonMinor += minor; a.WonCount += d.Count; }
            else { a.OpenMinor += minor; a.OpenCount += d.Count; }
        }

        var cur = rates.BaseCurrency;
        decimal Money(long minor) => MinorUnits.ToAmount(minor, cur);
        var ordered = tallies.Values.OrderByDescending(a => a.Score).ThenBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Id).ToList();
        var rows = ordered.Select(a => new AccountEngagementDto(a.Id, a.Name, a.Domain, a.AddedAt, a.Score, a.People.Count, a.Events, a.Last,
            a.Campaigns.Select(c => new CampaignRefDto(c, campaigns[c].Name)).OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Id).ToList(),
            Money(a.OpenMinor), a.OpenCount, Money(a.WonMinor), a.WonCount)).ToList();
        var totals = new EngagementTotalsDto(ordered.Count, ordered.Count(a => a.People.Count > 0), ordered.Sum(a => a.People.Count), ordered.Sum(a => a.Events),
            ordered.Sum(a => a.Score), Money(ordered.Sum(a => a.OpenMinor)), ordered.Sum(a => a.OpenCount), Money(ordered.Sum(a => a.WonMinor)), ordered.Sum(a => a.WonCount));
        var byCampaign = campaigns.Values.Select(c =>
            {
                var touched = ordered.Where(a => a.Campaigns.Contains(c.Id)).ToList();
                return new CampaignTouchDto(c.Id, c.Name, c.Type, touched.Count, campaignEvents.GetValueOrDefault(c.Id), Money(touched.Sum(a => a.OpenMinor)),
                    Money(touched.Sum(a => a.WonMinor)), touched.Select(a => a.Id).ToList());
            })
            .OrderByDescending(c => c.Accounts).ThenByDescending(c => c.Events).ThenBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.CampaignId).ToList();
        var dto = new TargetListEngagementDto(list.Id, list.Name, o.Days, since, asOf, o.Opportunities, cur, o.Weights, totals, rows, byCampaign, unconverted);
        return (dto, touches, since);
    }

    /// <summary>One account of the list with the people, events and deals behind its numbers; null when it is not on the list (or not visible).</summary>
    public static async Task<AccountEngagementDetailDto?> DetailAsync(RevLoopDb db, TargetAccountList list, Guid accountId, EngagementOptions o, CancellationToken ct)
    {
        var (dto, touches, since) = await LoadAsync(db, list, o, accountId, ct);
        if (dto.Accounts.Count == 0) return null;
        var account = dto.Accounts[0];
        var people = People(db, Members(db, list.Id, accountId).Select(m => m.AccountId));
        var rows = await people.ToListAsync(ct);

        // Each person once: a converted lead shows as the contact it became.
        var keyIsContact = rows.Where(r => r.Type == PersonTypes.Contact || r.Key != r.Id).Select(r => r.Key).ToHashSet();
        var leadOfKey = rows.Where(r => r.Type == PersonTypes.Lead).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Id).First().Id);
        var engaged = touches.GroupBy(t => t.Key).Select(g => new
        {
            Key = g.Key, Score = g.Sum(t => (long)o.Points(t.Type) * t.Count), Events = g.Sum(t => t.Count), Last = g.Max(t => t.Last),
        }).ToList();
        var wanted = engaged.SelectMany(e => new[] { (PersonTypes.Contact, e.Key), (PersonTypes.Lead, leadOfKey.GetValueOrDefault(e.Key, e.Key)) }).ToList();
        var names = await CampaignMembersApi.PeopleAsync(db, wanted, ct);
        var engagedPeople = engaged.Select(e =>
            {
                var type = keyIsContact.Contains(e.Key) && names.ContainsKey((PersonTypes.Contact, e.Key)) ? PersonTypes.Contact : PersonTypes.Lead;
                var id = type == PersonTypes.Contact ? e.Key : leadOfKey.GetValueOrDefault(e.Key, e.Key);
                var (name, email) = names.TryGetValue((type, id), out var n) ? n : ("", null);
                return new EngagedPersonDto(type, id, name, email, e.Score, e.Events, e.Last);
            })
            .OrderByDescending(p => p.Score).ThenByDescending(p => p.LastEngagedAt).ThenBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.PersonId).ToList();

        var events = await (from e in db.MarketingEvents
                            join p in people on new { T = e.PersonType, I = e.PersonId } equals new { T = (string?)p.Type, I = (Guid?)p.Id }
                            where e.OccurredAt >= since
                            orderby e.OccurredAt descending, e.Id descending
                            select new { e.Id, e.OccurredAt, EventType = e.Type, PersonType = p.Type, PersonId = p.Id, e.CampaignId, What = e.Url ?? e.Feature }).Take(MaxDetailEvents).ToListAsync(ct);

        var sinceAdded = o.SinceAdded;
        var addedAt = account.AddedAt;
        var deals = await (from op in db.Opportunities.AsNoTracking()
                           join s in db.Stages on op.StageId equals s.Id
                           where op.AccountId == accountId && s.Type != StageTypes.Lost && (!sinceAdded || op.CreatedAt >= addedAt)
                           orderby op.CreatedAt descending, op.Name, op.Id
                           select new { op.Id, op.Name, Stage = s.Name, s.Type, op.AmountMinor, op.Currency, op.CloseDate, op.CreatedAt }).ToListAsync(ct);
        var rates = await RateBook.LoadAsync(db, ct);
        return new AccountEngagementDetailDto(dto.ListId, dto.List, dto.Days, dto.From, dto.AsOf, dto.Opportunities, dto.BaseCurrency, account, engagedPeople,
            events.Select(e => new EngagementEventDto(e.Id, e.OccurredAt, e.EventType, o.Points(e.EventType), e.PersonType, e.PersonId, e.CampaignId, e.What)).ToList(),
            account.Campaigns.ToDictionary(c => c.Id, c => c.Name),
            deals.Select(d => new EngagedOpportunityDto(d.Id, d.Name, d.Stage, d.Type == StageTypes.Won ? "won" : "open", MinorUnits.ToAmount(d.AmountMinor, d.Currency), d.Currency,
                rates.ToBase(d.AmountMinor, d.Currency, d.CloseDate), d.CloseDate, d.CreatedAt)).ToList());
    }

    private static string Amount(decimal v, string currency) => v.ToString("F" + MinorUnits.Decimals(currency), CultureInfo.InvariantCulture);
    private static string When(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) ?? "";
    private static string Q(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    public static readonly string CsvHeader =
        "account_id,account,domain,added_at,score,engaged_people,events,last_engaged_at,campaigns,open_pipeline,open_opportunities,won,won_opportunities";

    /// <summary>One line per account in the API's order (score, then name); campaigns by name joined with "; "; amounts in the base currency.</summary>
    public static string Csv(TargetListEngagementDto d)
    {
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (var a in d.Accounts)
            sb.Append(CultureInfo.InvariantCulture, $"{a.AccountId},{Q(a.Name)},{Q(a.Domain ?? "")},{When(a.AddedAt)},{a.Score},{a.EngagedPeople},{a.Events},{When(a.LastEngagedAt)},")
              .Append(Q(string.Join("; ", a.Campaigns.Select(c => c.Name))))
              .Append(CultureInfo.InvariantCulture, $",{Amount(a.OpenPipeline, d.BaseCurrency)},{a.OpenOpportunities},{Amount(a.Won, d.BaseCurrency)},{a.WonOpportunities}\n");
        return sb.ToString();
    }

    /// <summary>For people at a terminal: the accounts, the totals and the campaigns, in aligned columns.</summary>
    public static string Table(TargetListEngagementDto d)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{d.List}: engagement in the last {d.Days} days, deals {(d.Opportunities == EngagementOptions.SinceAddedScope ? "created since each account was added" : "of any date")}, amounts in {d.BaseCurrency}\n\n");
        var header = new[] { "Account", "Score", "People", "Events", "Last touch", "Campaigns", "Pipeline", "Open", "Won", "Won deals" };
        var rows = d.Accounts.Select(a => new[]
        {
            a.Name, N(a.Score), N(a.EngagedPeople), N(a.Events), a.LastEngagedAt?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-",
            N(a.Campaigns.Count), Amount(a.OpenPipeline, d.BaseCurrency), N(a.OpenOpportunities), Amount(a.Won, d.BaseCurrency), N(a.WonOpportunities),
        }).ToList();
        var t = d.Totals;
        rows.Add(["Total", N(t.Score), N(t.EngagedPeople), N(t.Events), "", "", Amount(t.OpenPipeline, d.BaseCurrency), N(t.OpenOpportunities), Amount(t.Won, d.BaseCurrency), N(t.WonOpportunities)]);
        Align(sb, header, rows, 1);
        sb.Append(CultureInfo.InvariantCulture, $"\n{t.EngagedAccounts} of {t.Accounts} accounts engaged\n");
        if (d.Campaigns.Count > 0)
        {
            sb.Append('\n');
            Align(sb, ["Campaign", "Type", "Accounts", "Events", "Pipeline", "Won"],
                d.Campaigns.Select(c => new[] { c.Name, c.Type, N(c.Accounts), N(c.Events), Amount(c.OpenPipeline, d.BaseCurrency), Amount(c.Won, d.BaseCurrency) }).ToList(), 2);
        }
        if (d.UnconvertedOpportunities > 0) sb.Append(CultureInfo.InvariantCulture, $"\n{d.UnconvertedOpportunities} deal(s) left out: their currency has no exchange rate\n");
        return sb.ToString();

        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Left-aligned first columns, right-aligned numbers from <paramref name="textColumns"/> on.</summary>
    private static void Align(StringBuilder sb, string[] header, List<string[]> rows, int textColumns)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        void Line(string[] cells) => sb.Append(string.Join("  ", cells.Select((c, i) => i < textColumns ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd()).Append('\n');
        Line(header);
        foreach (var r in rows) Line(r);
    }
}
