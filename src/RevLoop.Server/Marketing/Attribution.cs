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

/// <summary>One model's credit to a campaign: deals (fractional), their amount, the won revenue of the period and the ROI on it.</summary>
public sealed record AttributionModelDto(string Model, decimal Count, decimal Amount, decimal WonRevenue, decimal? Roi);

/// <summary>
/// A campaign in the attribution report: its cost in the period (base currency), the leads it brought in the period and
/// how many of them are MQLs or further, the deals it touched (created in the period; won in the period), unit costs and
/// the credit of each model.
/// </summary>
public sealed record AttributionCampaignDto(Guid CampaignId, string Name, string Channel, decimal Cost, long Leads, long Mqls, long Opportunities, long Won,
    decimal? CostPerLead, decimal? CostPerMql, decimal? CostPerOpportunity, IReadOnlyList<AttributionModelDto> Models);

/// <summary>
/// The attribution report: <c>deals</c> and <c>amount</c> of the basis (pipeline: created in the period; revenue: won in
/// it), the part no touch reached (<c>unattributed…</c>), deals left out for lack of an exchange rate (<c>unconverted</c>).
/// </summary>
public sealed record AttributionDto(DateOnly From, DateOnly To, string Basis, string BaseCurrency, int LookbackDays, double HalfLifeDays, IReadOnlyList<string> Models,
    long Deals, decimal Amount, long UnattributedDeals, decimal UnattributedAmount, long Unconverted, IReadOnlyList<AttributionCampaignDto> Campaigns);

/// <summary>A deal behind an attribution number with the campaign's share of it under the model (none for markov or without a model).</summary>
public sealed record AttributedDealDto(Guid Id, string Name, string Stage, decimal? Amount, long AmountMinor, string Currency, DateOnly? CloseDate, string? Owner,
    DateTimeOffset CreatedAt, decimal? Share, decimal? Attributed);

/// <summary>A lead a campaign brought in the period.</summary>
public sealed record AttributedLeadDto(Guid Id, string Name, string? Company, string Status, string? Source, DateTimeOffset CreatedAt);

/// <summary>The query string of the report and its drill-downs, checked by <see cref="Parse"/>.</summary>
public sealed record AttributionQuery(string? From, string? To, string? Basis, string? Model, string? LookbackDays, string? HalfLifeDays)
{
    public AttributionRequest Parse(string prefix = "")
    {
        var from = AnalyticsPieces.Day(From, prefix + "from");
        var to = AnalyticsPieces.Day(To, prefix + "to");
        if (to < from) throw new InputException(prefix + "to", $"must not be before {prefix}from");
        var basis = string.IsNullOrWhiteSpace(Basis) ? Attribution.Pipeline : Basis.Trim().ToLowerInvariant();
        if (basis is not (Attribution.Pipeline or Attribution.Revenue)) throw new InputException(prefix + "basis", "must be pipeline or revenue");
        TouchModel[] models;
        if (string.IsNullOrWhiteSpace(Model)) models = Enum.GetValues<TouchModel>();
        else
        {
            try { models = [TouchAttribution.ParseModel(Model)]; }
            catch (MetricsInputException) { throw new InputException(prefix + "model", $"must be one of {string.Join(", ", TouchAttribution.ModelNames)}"); }
        }
        int lookback = 365;
        if (!string.IsNullOrWhiteSpace(LookbackDays))
        {
            var field = prefix + (prefix == "" ? "lookbackDays" : "lookback-days");
            if (!int.TryParse(LookbackDays.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out lookback)) throw new InputException(field, $"'{LookbackDays}' is not a whole number of days");
            if (lookback is < 0 or > 3650) throw new InputException(field, "must be between 0 and 3650 days");
        }
        double halfLife = 7;
        if (!string.IsNullOrWhiteSpace(HalfLifeDays))
        {
            var field = prefix + (prefix == "" ? "halfLifeDays" : "half-life-days");
            if (!double.TryParse(HalfLifeDays.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out halfLife) || !double.IsFinite(halfLife))
                throw new InputException(field, $"'{HalfLifeDays}' is not a number of days");
            if (halfLife is <= 0 or > 3650) throw new InputException(field, "must be more than 0 and at most 3650 days");
        }
        return new AttributionRequest(from, to, basis == Attribution.Revenue, models, lookback, halfLife);
    }
}

public sealed record AttributionRequest(DateOnly From, DateOnly To, bool Revenue, TouchModel[] Models, int LookbackDays, double HalfLifeDays)
{
    public TouchAttributionOptions Options => new(LookbackDays, HalfLifeDays);
}

/// <summary>
/// Touch attribution over the database (issue 6): which campaigns brought the pipeline created and the revenue won in a
/// period, under each model of <see cref="TouchAttribution"/>, with each campaign's cost and ROI.
/// <list type="bullet">
/// <item>Deals: the visible opportunities created in [from, to] (pipeline, amount at ADR 0007's rate) or closed in it
/// (revenue: won deals bring their amount; lost ones are the nulls of the markov chain).</item>
/// <item>A deal's people: its primary contact and contacts with a role in it, the contacts of its account, and the leads
/// converted into any of them, into the account or matched to it. Only people the viewer may see count, as everywhere.</item>
/// <item>Touches: those people's marketing events that carry a campaign, plus campaign memberships that got as far as
/// registered (registered, no-show, responded, attended) with no event of that campaign behind them (a list imported
/// from a trade show), at the time their status was last set. A touch counts for a deal within the lookback window
/// [created - lookbackDays, created]. The channel of a touch is its campaign's channel.</item>
/// <item>W-shaped anchors: the opportunity-creation touch is the last one in the window; the lead-creation touch is the
/// last one at or before the moment the first of the deal's people was created (none before it: the first touch).</item>
/// <item>Counts: the same models over one unit per deal (the engine's exact split, 4 decimals). ROI per model uses the
/// revenue won in the period whatever the basis: (attributed won revenue - cost) / cost.</item>
/// <item>Per campaign: cost = its cost lines dated in the period at their day's rate; leads = leads created in the period
/// that responded to it (members at registered or further); MQLs = those now at mql, sql or converted
/// (the lead status: no lifecycle timestamps exist yet); opportunities / won = deals created / won in the period with a
/// touch of the campaign in their window.</item>
/// </list>
/// Everything is read set-based: the deals, then their roles, contacts, leads, events and memberships each in one query
/// (the ids of the step before as one array parameter; never a query per deal); the touches are bucketed per deal in two
/// linear passes over them.
/// </summary>
public static class Attribution
{
    public const string Pipeline = "pipeline", Revenue = "revenue";
    /// <summary>Deal counts are attributed in ten-thousandths of a deal.</summary>
    private const long CountUnit = 10_000;
    private static readonly string[] RespondedStatuses =
        [CampaignMemberStatus.Registered, CampaignMemberStatus.NoShow, CampaignMemberStatus.Responded, CampaignMemberStatus.Attended];
    private static readonly string[] MqlOrLater = [LeadStatus.Mql, LeadStatus.Sql, LeadStatus.Converted];

    /// <summary>A visible deal of the period; its touches in the window are TouchStart[d]..TouchStart[d + 1] of <see cref="Loaded"/>.</summary>
    internal sealed record Deal(Guid Id, DateTimeOffset CreatedAt, long AmountBase, DealOutcome Outcome, bool CreatedInPeriod, bool WonInPeriod, bool ClosedInPeriod);

    internal sealed record CampaignInfo(Guid Id, string Name, string Channel, string Currency);

    /// <summary>A campaign's name in the engine: unique, and ties of the largest-remainder split go by campaign name.</summary>
    private static string EngineName(CampaignInfo c) => c.Name + "\u001f" + c.Id.ToString("N");

    /// <summary>The deals, their touches and the two engine tables (pipeline: created in the period; revenue: closed in it).</summary>
    internal sealed class Loaded
    {
        public required string BaseCurrency { get; init; }
        public required List<Deal> Deals { get; init; }
        public required int[] TouchStart { get; init; }   // per deal, into TouchCampaign (CSR)
        public required int[] TouchCampaign { get; init; } // campaign index
        public required List<CampaignInfo> Campaigns { get; init; }
        public required TouchTable PipelineTable { get; init; }
        public required List<int> PipelineDeals { get; init; } // table row -> deal index
        public required TouchTable RevenueTable { get; init; }
        public required List<int> RevenueDeals { get; init; }
        public long Unconverted { get; init; }
        public required RateBook Rates { get; init; }

        public string Key(int campaign) => EngineName(Campaigns[campaign]);

        public bool Touched(int deal, int campaign)
        {
            for (int i = TouchStart[deal]; i < TouchStart[deal + 1]; i++) if (TouchCampaign[i] == campaign) return true;
            return false;
        }
    }

    private static decimal Amount(long minor, string currency) => MinorUnits.ToAmount(minor, currency) + 0.00m;

    internal static async Task<Loaded> LoadAsync(RevLoopDb db, AttributionRequest r, CancellationToken ct)
    {
        var rates = await RateBook.LoadAsync(db, ct);
        var (start, end) = (AnalyticsPieces.StartOf(r.From), AnalyticsPieces.StartOf(r.To.AddDays(1)));
        var stageTypes = await db.Stages.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Type, ct);
        var won = db.Stages.Where(s => s.Type == StageTypes.Won).Select(s => s.Id);
        var lost = db.Stages.Where(s => s.Type == StageTypes.Lost).Select(s => s.Id);
        // The visible deals created or closed in the period (the global filter applies to this and every read below).
        var dealsQ = db.Opportunities.Where(o => (o.CreatedAt >= start && o.CreatedAt < end)
            || (won.Contains(o.StageId) && o.WonAt >= start && o.WonAt < end) || (lost.Contains(o.StageId) && o.LostAt >= start && o.LostAt < end));

        var deals = new List<Deal>();
        var dealAccount = new List<Guid>();
        var dealPrimary = new List<Guid?>();
        long unconverted = 0;
        var rows = await dealsQ.AsNoTracking().OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
            .Select(o => new { o.Id, o.AccountId, o.PrimaryContactId, o.CreatedAt, o.WonAt, o.LostAt, o.StageId, o.AmountMinor, o.Currency, o.CloseDate }).ToListAsync(ct);
        foreach (var o in rows)
        {
            var type = stageTypes.GetValueOrDefault(o.StageId, StageTypes.Open);
            var outcome = type == StageTypes.Won ? DealOutcome.Won : type == StageTypes.Lost ? DealOutcome.Lost : DealOutcome.Open;
            var amount = rates.ToBaseMinor(o.AmountMinor, o.Currency, o.CloseDate);
            if (amount is null) { unconverted++; continue; }
            bool createdIn = o.CreatedAt >= start && o.CreatedAt < end;
            bool wonIn = outcome == DealOutcome.Won && o.WonAt >= start && o.WonAt < end;
            bool lostIn = outcome == DealOutcome.Lost && o.LostAt >= start && o.LostAt < end;
            if (!createdIn && !wonIn && !lostIn) continue;
            deals.Add(new Deal(o.Id, o.CreatedAt, Math.Max(0, amount.Value), outcome, createdIn, wonIn, wonIn || lostIn));
            dealAccount.Add(o.AccountId);
            dealPrimary.Add(o.PrimaryContactId);
        }

        // The deals' people, each kind in one query. Id lists go as one array parameter each (json_each on SQLite, an
        // array on PostgreSQL), so any number of deals is one statement, not one per deal nor thousands of parameters.
        var dealIdList = deals.Select(d => d.Id).ToList();
        var roleRows = await db.OpportunityContactRoles.AsNoTracking().Where(x => EF.Parameter(dealIdList).Contains(x.OpportunityId))
            .Select(x => new { x.OpportunityId, x.ContactId }).ToListAsync(ct);
        var accountList = dealAccount.Distinct().Select(a => (Guid?)a).ToList();
        var seedContacts = dealPrimary.Where(p => p is not null).Concat(roleRows.Select(x => (Guid?)x.ContactId)).Distinct().ToList();
        var contacts = await db.Contacts.AsNoTracking().Where(c => EF.Parameter(accountList).Contains(c.AccountId) || EF.Parameter(seedContacts).Contains(c.Id))
            .Select(c => new { c.Id, c.AccountId, c.CreatedAt }).ToListAsync(ct);
        var contactIds = contacts.Select(c => (Guid?)c.Id).ToList();
        var leads = await db.Leads.AsNoTracking().Where(l => EF.Parameter(contactIds).Contains(l.ConvertedContactId)
                || EF.Parameter(accountList).Contains(l.ConvertedAccountId) || EF.Parameter(accountList).Contains(l.MatchedAccountId))
            .Select(l => new { l.Id, l.ConvertedContactId, l.ConvertedAccountId, l.MatchedAccountId, l.CreatedAt }).ToListAsync(ct);
        var leadIds = leads.Select(l => (Guid?)l.Id).ToList();

        // People are numbered: contacts first, then leads.
        var person = new Dictionary<(bool Lead, Guid Id), int>();
        var personCreated = new List<DateTimeOffset>();
        int Person(bool lead, Guid id, DateTimeOffset created)
        {
            if (!person.TryGetValue((lead, id), out var i)) { person.Add((lead, id), i = personCreated.Count); personCreated.Add(created); }
            return i;
        }
        var contactsByAccount = new Dictionary<Guid, List<int>>();
        foreach (var c in contacts)
        {
            int p = Person(false, c.Id, c.CreatedAt);
            if (c.AccountId is { } a) (contactsByAccount.TryGetValue(a, out var l) ? l : contactsByAccount[a] = []).Add(p);
        }
        var leadsByContact = new Dictionary<int, List<int>>();
        var leadsByAccount = new Dictionary<Guid, List<int>>();
        foreach (var l in leads)
        {
            int p = Person(true, l.Id, l.CreatedAt);
            if (l.ConvertedContactId is { } cid && person.TryGetValue((false, cid), out var cp)) (leadsByContact.TryGetValue(cp, out var x) ? x : leadsByContact[cp] = []).Add(p);
            if (l.ConvertedAccountId is { } a1) (leadsByAccount.TryGetValue(a1, out var y) ? y : leadsByAccount[a1] = []).Add(p);
            if (l.MatchedAccountId is { } a2 && a2 != l.ConvertedAccountId) (leadsByAccount.TryGetValue(a2, out var z) ? z : leadsByAccount[a2] = []).Add(p);
        }
        var dealIndex = new Dictionary<Guid, int>(deals.Count);
        for (int d = 0; d < deals.Count; d++) dealIndex[deals[d].Id] = d;
        var rolesByDeal = new Dictionary<int, List<int>>();
        foreach (var x in roleRows)
            if (dealIndex.TryGetValue(x.OpportunityId, out var d) && person.TryGetValue((false, x.ContactId), out var p))
                (rolesByDeal.TryGetValue(d, out var l) ? l : rolesByDeal[d] = []).Add(p);

        // Each deal's people (CSR), and when the first of them was created (the W-shaped lead-creation moment).
        var dealPeopleStart = new int[deals.Count + 1];
        var dealPeople = new List<int>();
        var firstKnown = new long[deals.Count];
        var seen = new HashSet<int>();
        for (int d = 0; d < deals.Count; d++)
        {
            seen.Clear();
            dealPeopleStart[d] = dealPeople.Count;
            void Add(int p) { if (seen.Add(p)) dealPeople.Add(p); }
            var direct = new List<int>();
            if (dealPrimary[d] is { } pc && person.TryGetValue((false, pc), out var pp)) direct.Add(pp);
            if (rolesByDeal.TryGetValue(d, out var roles)) direct.AddRange(roles);
            if (contactsByAccount.TryGetValue(dealAccount[d], out var accountContacts)) direct.AddRange(accountContacts);
            foreach (var p in direct) { Add(p); if (leadsByContact.TryGetValue(p, out var converted)) foreach (var l in converted) Add(l); }
            if (leadsByAccount.TryGetValue(dealAccount[d], out var accountLeads)) foreach (var l in accountLeads) Add(l);
            firstKnown[d] = long.MaxValue;
            for (int i = dealPeopleStart[d]; i < dealPeople.Count; i++) firstKnown[d] = Math.Min(firstKnown[d], personCreated[dealPeople[i]].ToUnixTimeSeconds());
        }
        dealPeopleStart[deals.Count] = dealPeople.Count;
        // Inverted: each person's deals (CSR).
        var personDealStart = new int[personCreated.Count + 1];
        foreach (var p in dealPeople) personDealStart[p + 1]++;
        for (int p = 0; p < personCreated.Count; p++) personDealStart[p + 1] += personDealStart[p];
        var personDeals = new int[dealPeople.Count];
        var fill = (int[])personDealStart.Clone();
        for (int d = 0; d < deals.Count; d++)
            for (int i = dealPeopleStart[d]; i < dealPeopleStart[d + 1]; i++) personDeals[fill[dealPeople[i]]++] = d;

        // Campaigns (everyone sees every campaign) and the touches of the people, over the span of all windows.
        var campaigns = (await db.Campaigns.AsNoTracking().OrderBy(c => c.Name).ThenBy(c => c.Id).Select(c => new { c.Id, c.Name, c.Channel, c.Currency }).ToListAsync(ct))
            .Select(c => new CampaignInfo(c.Id, c.Name, c.Channel, c.Currency)).ToList();
        var campaignIndex = new Dictionary<Guid, int>();
        for (int i = 0; i < campaigns.Count; i++) campaignIndex[campaigns[i].Id] = i;
        long lookback = r.LookbackDays * 86_400L;
        var touches = new List<(int Person, long At, int Campaign)>();
        if (deals.Count > 0)
        {
            var lo = DateTimeOffset.FromUnixTimeSeconds(deals.Min(d => d.CreatedAt.ToUnixTimeSeconds()) - lookback);
            var hi = DateTimeOffset.FromUnixTimeSeconds(deals.Max(d => d.CreatedAt.ToUnixTimeSeconds()) + 1);
            var events = await db.MarketingEvents.AsNoTracking()
                .Where(e => e.CampaignId != null && e.OccurredAt >= lo && e.OccurredAt < hi
                    && ((e.PersonType == PersonTypes.Contact && EF.Parameter(contactIds).Contains(e.PersonId)) || (e.PersonType == PersonTypes.Lead && EF.Parameter(leadIds).Contains(e.PersonId))))
                .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
                .Select(e => new { e.PersonType, e.PersonId, e.OccurredAt, e.CampaignId }).ToListAsync(ct);
            // Memberships that no event of theirs explains (the events made the others).
            var members = await db.CampaignMembers.AsNoTracking()
                .Where(m => RespondedStatuses.Contains(m.Status) && m.UpdatedAt >= lo && m.UpdatedAt < hi
                    && ((m.PersonType == PersonTypes.Contact && EF.Parameter(contactIds).Contains(m.PersonId)) || (m.PersonType == PersonTypes.Lead && EF.Parameter(leadIds).Contains(m.PersonId)))
                    && !db.MarketingEvents.Any(e => e.CampaignId == m.CampaignId && e.PersonType == m.PersonType && e.PersonId == m.PersonId))
                .OrderBy(m => m.UpdatedAt).ThenBy(m => m.Id)
                .Select(m => new { PersonType = (string?)m.PersonType, PersonId = (Guid?)m.PersonId, OccurredAt = m.UpdatedAt, CampaignId = (Guid?)m.CampaignId }).ToListAsync(ct);
            // Merge the two time-ordered lists (events first on a tie), dropping touches of campaigns no longer there.
            int ei = 0, mi = 0;
            while (ei < events.Count || mi < members.Count)
            {
                var t = mi >= members.Count || (ei < events.Count && events[ei].OccurredAt <= members[mi].OccurredAt) ? events[ei++] : members[mi++];
                if (t.PersonId is { } pid && campaignIndex.TryGetValue(t.CampaignId!.Value, out var ci) && person.TryGetValue((t.PersonType == PersonTypes.Lead, pid), out var p))
                    touches.Add((p, t.OccurredAt.ToUnixTimeSeconds(), ci));
            }
        }

        // Bucket the touches per deal within its window (two linear passes); they stay in time order.
        var touchStart = new int[deals.Count + 1];
        var created = deals.Select(d => d.CreatedAt.ToUnixTimeSeconds()).ToArray();
        foreach (var (p, at, _) in touches)
            for (int i = personDealStart[p]; i < personDealStart[p + 1]; i++)
            {
                int d = personDeals[i];
                if (at >= created[d] - lookback && at <= created[d]) touchStart[d + 1]++;
            }
        for (int d = 0; d < deals.Count; d++) touchStart[d + 1] += touchStart[d];
        var touchAt = new long[touchStart[deals.Count]];
        var touchCampaign = new int[touchAt.Length];
        var next = (int[])touchStart.Clone();
        foreach (var (p, at, c) in touches)
            for (int i = personDealStart[p]; i < personDealStart[p + 1]; i++)
            {
                int d = personDeals[i];
                if (at >= created[d] - lookback && at <= created[d]) { touchAt[next[d]] = at; touchCampaign[next[d]++] = c; }
            }

        TouchTable Table(Func<Deal, bool> include, List<int> rowsOut)
        {
            var b = new TouchTable.Builder(Math.Max(1, deals.Count), Math.Max(1, touchAt.Length));
            for (int d = 0; d < deals.Count; d++)
            {
                var deal = deals[d];
                if (!include(deal)) continue;
                rowsOut.Add(d);
                b.AddOpportunity(deal.Id.ToString(), deal.CreatedAt, deal.AmountBase, deal.Outcome, deal.Outcome == DealOutcome.Won ? deal.AmountBase : 0);
                int a = touchStart[d], z = touchStart[d + 1];
                int lead = -1;
                for (int i = a; i < z && touchAt[i] <= firstKnown[d]; i++) lead = i;
                for (int i = a; i < z; i++)
                {
                    var roles = (i == lead ? TouchRole.LeadCreation : TouchRole.None) | (i == z - 1 ? TouchRole.OpportunityCreation : TouchRole.None);
                    var c = campaigns[touchCampaign[i]];
                    b.AddTouch(DateTimeOffset.FromUnixTimeSeconds(touchAt[i]), c.Channel, EngineName(c), roles);
                }
            }
            return b.Build();
        }
        var pipelineRows = new List<int>();
        var revenueRows = new List<int>();
        var pipelineTable = Table(d => d.CreatedInPeriod, pipelineRows);
        var revenueTable = Table(d => d.ClosedInPeriod, revenueRows);
        return new Loaded
        {
            BaseCurrency = rates.BaseCurrency, Rates = rates, Deals = deals, TouchStart = touchStart, TouchCampaign = touchCampaign, Campaigns = campaigns,
            PipelineTable = pipelineTable, PipelineDeals = pipelineRows, RevenueTable = revenueTable, RevenueDeals = revenueRows, Unconverted = unconverted,
        };
    }

    public static async Task<AttributionDto> ReportAsync(RevLoopDb db, AttributionRequest r, CancellationToken ct)
    {
        var l = await LoadAsync(db, r, ct);
        var (cur, rates) = (l.BaseCurrency, l.Rates);
        var (start, end) = (AnalyticsPieces.StartOf(r.From), AnalyticsPieces.StartOf(r.To.AddDays(1)));

        // Cost lines of the period, each at its day's rate.
        var cost = new long[l.Campaigns.Count];
        var index = new Dictionary<Guid, int>();
        for (int i = 0; i < l.Campaigns.Count; i++) index[l.Campaigns[i].Id] = i;
        foreach (var c in await db.CampaignCosts.AsNoTracking().Where(c => c.Date >= r.From && c.Date <= r.To)
                     .GroupBy(c => new { c.CampaignId, c.Date }).Select(g => new { g.Key.CampaignId, g.Key.Date, Sum = g.Sum(c => c.AmountMinor) }).ToListAsync(ct))
            if (index.TryGetValue(c.CampaignId, out var i) && rates.ToBaseMinor(c.Sum, l.Campaigns[i].Currency, c.Date) is { } b) cost[i] += b;

        // Leads the campaign brought in the period, and the MQLs (or further) among them.
        var leadCount = new long[l.Campaigns.Count];
        var mqlCount = new long[l.Campaigns.Count];
        foreach (var m in await BroughtLeadsAsync(db, start, end, null, ct))
            if (index.TryGetValue(m.CampaignId, out var i)) { leadCount[i]++; if (MqlOrLater.Contains(m.Status)) mqlCount[i]++; }

        // Deals touched: created in the period / won in it.
        var opps = new long[l.Campaigns.Count];
        var wonDeals = new long[l.Campaigns.Count];
        var mark = new int[l.Campaigns.Count];
        Array.Fill(mark, -1);
        for (int d = 0; d < l.Deals.Count; d++)
            for (int i = l.TouchStart[d]; i < l.TouchStart[d + 1]; i++)
            {
                int c = l.TouchCampaign[i];
                if (mark[c] == d) continue;
                mark[c] = d;
                if (l.Deals[d].CreatedInPeriod) opps[c]++;
                if (l.Deals[d].WonInPeriod) wonDeals[c]++;
            }

        var options = r.Options;
        TouchAttributionResult Run(TouchTable t, TouchModel m)
        {
            try { return TouchAttribution.Compute(t, m, options); }
            catch (MetricsInputException e) { throw new InputException("query", e.Message); }
        }
        static Dictionary<string, TouchCredit> ByName(TouchAttributionResult x) => x.Campaigns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var perModel = r.Models.Select(m =>
        {
            var revenue = ByName(Run(l.RevenueTable, m));
            var amounts = r.Revenue ? revenue : ByName(Run(l.PipelineTable, m));
            var counts = ByName(Run(r.Revenue ? l.RevenueTable.PerOpportunity(CountUnit) : l.PipelineTable.PerOpportunity(CountUnit), m));
            return (Model: m, Revenue: revenue, Amounts: amounts, Counts: counts);
        }).ToList();

        var rows = new List<AttributionCampaignDto>();
        for (int c = 0; c < l.Campaigns.Count; c++)
        {
            var key = l.Key(c);
            var models = perModel.Select(p =>
            {
                long won = p.Revenue.GetValueOrDefault(key)?.Revenue ?? 0;
                long amount = p.Amounts.TryGetValue(key, out var a) ? (r.Revenue ? a.Revenue : a.Pipeline) : 0;
                long count = p.Counts.TryGetValue(key, out var n) ? (r.Revenue ? n.Revenue : n.Pipeline) : 0;
                return new AttributionModelDto(TouchAttribution.Name(p.Model), (decimal)count / CountUnit, Amount(amount, cur), Amount(won, cur),
                    TouchAttribution.Economics(cost[c], won, 0, 0, 0).Roi);
            }).ToList();
            if (cost[c] == 0 && leadCount[c] == 0 && opps[c] == 0 && wonDeals[c] == 0 && models.All(x => x.Count == 0 && x.Amount == 0 && x.WonRevenue == 0)) continue;
            var e = TouchAttribution.Economics(cost[c], 0, leadCount[c], mqlCount[c], opps[c]);
            decimal? Per(decimal? minor) => minor is { } x ? Amount((long)x, cur) : null;
            rows.Add(new AttributionCampaignDto(l.Campaigns[c].Id, l.Campaigns[c].Name, l.Campaigns[c].Channel, Amount(cost[c], cur), leadCount[c], mqlCount[c], opps[c], wonDeals[c],
                Per(e.CostPerLead), Per(e.CostPerMql), Per(e.CostPerOpportunity), models));
        }

        // Totals of the basis: every deal of it, and those without a touch in their window.
        var basisRows = r.Revenue ? l.RevenueDeals.Where(d => l.Deals[d].WonInPeriod).ToList() : l.PipelineDeals;
        long total = 0, unattributed = 0, unattributedDeals = 0;
        foreach (var d in basisRows)
        {
            total += l.Deals[d].AmountBase;
            if (l.TouchStart[d] == l.TouchStart[d + 1]) { unattributed += l.Deals[d].AmountBase; unattributedDeals++; }
        }
        return new AttributionDto(r.From, r.To, r.Revenue ? Revenue : Pipeline, cur, r.LookbackDays, r.HalfLifeDays, r.Models.Select(TouchAttribution.Name).ToList(),
            basisRows.Count, Amount(total, cur), unattributedDeals, Amount(unattributed, cur), l.Unconverted, rows);
    }

    private sealed record Brought(Guid CampaignId, Guid LeadId, string Status, DateTimeOffset CreatedAt);

    /// <summary>Leads created in [start, end) that responded to a campaign (members at registered or further), newest first.</summary>
    private static async Task<List<Brought>> BroughtLeadsAsync(RevLoopDb db, DateTimeOffset start, DateTimeOffset end, Guid? campaignId, CancellationToken ct)
    {
        var members = db.CampaignMembers.Where(m => m.PersonType == PersonTypes.Lead && RespondedStatuses.Contains(m.Status));
        if (campaignId is { } only) members = members.Where(m => m.CampaignId == only);
        var rows = await (from m in members
                          join l in db.Leads on m.PersonId equals l.Id
                          where l.CreatedAt >= start && l.CreatedAt < end
                          select new { m.CampaignId, LeadId = l.Id, l.Status, l.CreatedAt }).AsNoTracking().ToListAsync(ct);
        return rows.OrderByDescending(x => x.CreatedAt).ThenBy(x => x.LeadId)
            .Select(x => new Brought(x.CampaignId, x.LeadId, x.Status, x.CreatedAt)).ToList();
    }

    /// <summary>
    /// The deals behind a campaign's numbers: of the basis (pipeline: created in the period; revenue: won in it) with a
    /// touch of the campaign in their window, with the campaign's share under <paramref name="model"/> (none for markov,
    /// whose credit is not per deal, or when no model is given). Largest attributed amount first, then largest amount.
    /// </summary>
    public static async Task<Page<AttributedDealDto>> DealsAsync(RevLoopDb db, AttributionQuery query, Guid? campaignId, string? cursor, int? pageSize, CancellationToken ct)
    {
        var r = query.Parse();
        var id = await CampaignAsync(db, campaignId, ct);
        var size = Paging.Size(pageSize);
        var l = await LoadAsync(db, r, ct);
        int c = l.Campaigns.FindIndex(x => x.Id == id);
        var table = r.Revenue ? l.RevenueTable : l.PipelineTable;
        var tableRows = r.Revenue ? l.RevenueDeals : l.PipelineDeals;
        var model = string.IsNullOrWhiteSpace(query.Model) ? (TouchModel?)null : r.Models[0];
        var key = l.Key(c);
        var lines = new List<(int Deal, long Amount, decimal? Share, long? Attributed)>();
        for (int row = 0; row < tableRows.Count; row++)
        {
            int d = tableRows[row];
            if (r.Revenue && !l.Deals[d].WonInPeriod) continue;
            if (!l.Touched(d, c)) continue;
            long amount = l.Deals[d].AmountBase;
            var share = model is { } m ? TouchAttribution.Shares(table, row, m, r.Options)?.FirstOrDefault(s => s.Campaign == key) : null;
            // A model that gives the campaign nothing of this deal (first touch elsewhere) shows a zero share; markov shows none.
            bool perDeal = model is { } pm && pm != TouchModel.Markov;
            lines.Add((d, amount, share?.Fraction() ?? (perDeal ? 0m : null), share?.Of(amount) ?? (perDeal ? 0 : null)));
        }
        var ordered = lines.OrderByDescending(x => x.Attributed ?? -1).ThenByDescending(x => x.Amount).ThenByDescending(x => l.Deals[x.Deal].CreatedAt)
            .ThenBy(x => l.Deals[x.Deal].Id).ToList();
        int offset = 0;
        if (!string.IsNullOrEmpty(cursor) && (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > ordered.Count))
            throw new InputException("cursor", "is not a cursor this server issued");
        var slice = ordered.Skip(offset).Take(size).ToList();
        var deals = (await AnalyticsPieces.LinesAsync(db, slice.Select(x => l.Deals[x.Deal].Id).ToList(), ct)).ToDictionary(x => x.Id);
        var items = slice.Where(x => deals.ContainsKey(l.Deals[x.Deal].Id)).Select(x =>
        {
            var line = deals[l.Deals[x.Deal].Id];
            return new AttributedDealDto(line.Id, line.Name, line.Stage, line.Amount + 0.00m, line.AmountMinor, line.Currency, line.CloseDate, line.Owner, line.CreatedAt,
                x.Share, x.Attributed is { } a ? Amount(a, l.BaseCurrency) : null);
        }).ToList();
        return new Page<AttributedDealDto>(items, offset + size < ordered.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : null, size);
    }

    /// <summary>The leads a campaign brought in the period (<paramref name="mql"/>: only those now MQL or further), newest first.</summary>
    public static async Task<Page<AttributedLeadDto>> LeadsAsync(RevLoopDb db, AttributionQuery query, Guid? campaignId, bool mql, string? cursor, int? pageSize, CancellationToken ct)
    {
        var r = query.Parse();
        var id = await CampaignAsync(db, campaignId, ct);
        var size = Paging.Size(pageSize);
        var brought = (await BroughtLeadsAsync(db, AnalyticsPieces.StartOf(r.From), AnalyticsPieces.StartOf(r.To.AddDays(1)), id, ct))
            .Where(b => !mql || MqlOrLater.Contains(b.Status)).ToList();
        int offset = 0;
        if (!string.IsNullOrEmpty(cursor) && (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > brought.Count))
            throw new InputException("cursor", "is not a cursor this server issued");
        var ids = brought.Skip(offset).Take(size).Select(b => b.LeadId).ToList();
        var leads = await db.Leads.AsNoTracking().Where(x => ids.Contains(x.Id))
            .Select(x => new AttributedLeadDto(x.Id, (x.FirstName + " " + x.LastName).Trim(), x.Company, x.Status, x.Source, x.CreatedAt)).ToDictionaryAsync(x => x.Id, ct);
        return new Page<AttributedLeadDto>(ids.Where(leads.ContainsKey).Select(x => leads[x]).ToList(),
            offset + size < brought.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : null, size);
    }

    private static async Task<Guid> CampaignAsync(RevLoopDb db, Guid? campaignId, CancellationToken ct)
    {
        if (campaignId is not { } id) throw new InputException("campaignId", "is required");
        if (!await db.Campaigns.AnyAsync(c => c.Id == id, ct)) throw new InputException("campaignId", $"no campaign has id {id}");
        return id;
    }

    /// <summary>The report as rows (one per campaign and model), as the CLI prints it.</summary>
    public static List<string[]> Rows(AttributionDto dto)
    {
        static string N(decimal? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";
        var rows = new List<string[]>
        {
            new[] { "campaign", "model", "count", "amount", "won_revenue", "roi", "cost", "leads", "mqls", "opportunities", "won", "cost_per_lead", "cost_per_mql", "cost_per_opportunity" },
        };
        foreach (var c in dto.Campaigns)
            foreach (var m in c.Models)
                rows.Add([c.Name, m.Model, N(m.Count), N(m.Amount), N(m.WonRevenue), N(m.Roi), N(c.Cost), N(c.Leads), N(c.Mqls), N(c.Opportunities), N(c.Won),
                    N(c.CostPerLead), N(c.CostPerMql), N(c.CostPerOpportunity)]);
        return rows;
    }
}
