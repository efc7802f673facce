using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Server.Crm.Routing;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing.Scoring;

/// <summary>How many people a scoring run looked at, how many scores changed, and the leads that became MQL (and were re-routed).</summary>
public sealed record ScoringOutcome(int Leads, int Contacts, int Changed, int NewMqls, int Rerouted)
{
    public int People => Leads + Contacts;
    public static readonly ScoringOutcome None = new(0, 0, 0, 0, 0);
    public ScoringOutcome Add(ScoringOutcome o) => new(Leads + o.Leads, Contacts + o.Contacts, Changed + o.Changed, NewMqls + o.NewMqls, Rerouted + o.Rerouted);
}

/// <summary>
/// Keeps scores current: after each event batch (the people it touched, a few queries for the whole batch: their records,
/// their scored events, then one save), and for everyone when rules or the threshold change (pages of 500 people). A lead
/// in status new or working whose score reaches the MQL threshold becomes mql with <c>MqlAt</c> = now; a nurturing lead
/// (e.g. rejected by sales) only when its score crosses the threshold again from below; a demo request makes a new,
/// working or nurturing lead an MQL whatever its score. A new MQL is routed again (when routing rules exist), in the same
/// transaction. Status changes go through SaveChanges (history names "scoring" as who); the score itself is derived data.
/// </summary>
public static class LeadScoring
{
    public const string Actor = "scoring";
    private const int Page = 500;
    private static readonly string[] Qualifiable = [LeadStatus.New, LeadStatus.Working];
    private static readonly string[] FastTrackable = [LeadStatus.New, LeadStatus.Working, LeadStatus.Nurturing];

    private sealed record Rules(List<ScoringRule> Active, int Threshold, List<string> EventTypes, bool RoutingRules);

    private static async Task<Rules> LoadRulesAsync(RevLoopDb db, CancellationToken ct)
    {
        var rules = await db.ScoringRules.AsNoTracking().Where(r => r.Active).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(ct);
        var threshold = (await SettingsApi.LoadAsync(db, ct)).MqlThreshold;
        var types = rules.Where(r => r.Kind == ScoringRuleKinds.Behaviour).Select(r => r.EventType!).Distinct().ToList();
        return new Rules(rules, threshold, types, await db.RoutingRules.AnyAsync(r => r.Active, ct));
    }

    /// <summary>
    /// After an event batch is stored (its people resolved, visitors' earlier events moved to them): rescores the people it
    /// touched and applies MQL (demo requests fast-track). <paramref name="routedNow"/>: leads created and routed by this
    /// batch, not routed twice.
    /// </summary>
    public static async Task<ScoringOutcome> AfterEventsAsync(RevLoopDb db, IReadOnlyList<MarketingEvent> events, IReadOnlySet<Guid> routedNow, CancellationToken ct)
    {
        var leadIds = events.Where(e => e.PersonType == PersonTypes.Lead).Select(e => e.PersonId!.Value).Distinct().ToList();
        var contactIds = events.Where(e => e.PersonType == PersonTypes.Contact).Select(e => e.PersonId!.Value).Distinct().ToList();
        if (leadIds.Count == 0 && contactIds.Count == 0) return ScoringOutcome.None;
        var demoRequests = events.Where(e => e.PersonType == PersonTypes.Lead && e.Type == MarketingEventTypes.DemoRequest).Select(e => e.PersonId!.Value).ToHashSet();
        var rules = await LoadRulesAsync(db, ct);
        // Nothing to score and no demo request to fast-track: the batch costs one query for the rules.
        if (rules.Active.Count == 0 && demoRequests.Count == 0) return ScoringOutcome.None;
        if (rules.Active.Count == 0) leadIds = leadIds.Where(demoRequests.Contains).ToList();
        var leads = await db.Leads.IgnoreQueryFilters().Where(l => leadIds.Contains(l.Id) && l.DeletedAt == null).ToListAsync(ct);
        var contacts = rules.Active.Count == 0 ? [] : await db.Contacts.IgnoreQueryFilters().Where(c => contactIds.Contains(c.Id) && c.DeletedAt == null).ToListAsync(ct);
        return await ScoreAsync(db, rules, leads, contacts, demoRequests, routedNow, lifecycle: true, ct);
    }

    /// <summary>Everyone again (rules or the threshold changed, or decay moved on): pages of people, each page saved on its own.</summary>
    /// <param name="asOf">The moment to score at (the demo scores as of its own day, so a load repeats); default now.</param>
    public static async Task<ScoringOutcome> RecomputeAllAsync(RevLoopDb db, bool lifecycle, CancellationToken ct, DateTimeOffset? asOf = null)
    {
        var rules = await LoadRulesAsync(db, ct);
        var total = ScoringOutcome.None;
        Guid? after = null;
        while (true)
        {
            var (outcome, last) = await PageAsync(db, after, async from =>
            {
                var query = db.Leads.IgnoreQueryFilters().Where(l => l.DeletedAt == null);
                if (from is { } f) query = query.Where(l => l.Id.CompareTo(f) > 0);
                var leads = await query.OrderBy(l => l.Id).Take(Page).ToListAsync(ct);
                return (leads.Count == 0 ? null : await SavePageAsync(db, rules, leads, [], lifecycle, asOf, ct), leads.LastOrDefault()?.Id);
            });
            if (outcome is null) break;
            (total, after) = (total.Add(outcome), last);
        }
        after = null;
        while (true)
        {
            var (outcome, last) = await PageAsync(db, after, async from =>
            {
                var query = db.Contacts.IgnoreQueryFilters().Where(c => c.DeletedAt == null);
                if (from is { } f) query = query.Where(c => c.Id.CompareTo(f) > 0);
                var contacts = await query.OrderBy(c => c.Id).Take(Page).ToListAsync(ct);
                return (contacts.Count == 0 ? null : await SavePageAsync(db, rules, [], contacts, lifecycle, asOf, ct), contacts.LastOrDefault()?.Id);
            });
            if (outcome is null) break;
            (total, after) = (total.Add(outcome), last);
        }
        return total;
    }

    /// <summary>One page, read and saved again if someone changed one of its leads meanwhile (their version moved on).</summary>
    private static async Task<(ScoringOutcome?, Guid?)> PageAsync(RevLoopDb db, Guid? after, Func<Guid?, Task<(ScoringOutcome?, Guid?)>> page)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await page(after); }
            catch (DbUpdateConcurrencyException) when (attempt < 3) { db.ChangeTracker.Clear(); }
        }
    }

    private static async Task<ScoringOutcome> SavePageAsync(RevLoopDb db, Rules rules, List<Lead> leads, List<Contact> contacts, bool lifecycle, DateTimeOffset? asOf,
        CancellationToken ct)
    {
        var outcome = await ScoreAsync(db, rules, leads, contacts, new HashSet<Guid>(), new HashSet<Guid>(), lifecycle, ct, asOf);
        await SaveAsScoringAsync(db, ct);
        db.ChangeTracker.Clear();
        return outcome;
    }

    /// <summary>Saves as "scoring", so a lead's history says its status was changed by the scoring, not by whoever sent the event.</summary>
    public static async Task SaveAsScoringAsync(RevLoopDb db, CancellationToken ct)
    {
        var actor = db.Origin.Actor;
        db.Origin.Actor = Actor;
        try { await db.SaveChangesAsync(ct); }
        finally { db.Origin.Actor = actor; }
    }

    private static async Task<ScoringOutcome> ScoreAsync(RevLoopDb db, Rules rules, List<Lead> leads, List<Contact> contacts, IReadOnlySet<Guid> demoRequests,
        IReadOnlySet<Guid> routedNow, bool lifecycle, CancellationToken ct, DateTimeOffset? asOf = null)
    {
        var now = asOf ?? db.Clock.GetUtcNow();
        var leadTouches = await TouchesAsync(db, rules, PersonTypes.Lead, leads.Select(l => l.Id).ToList(), ct);
        var contactTouches = await TouchesAsync(db, rules, PersonTypes.Contact, contacts.Select(c => c.Id).ToList(), ct);
        var accountIds = contacts.Where(c => c.AccountId is not null).Select(c => c.AccountId!.Value).Distinct().ToList();
        var accounts = accountIds.Count == 0 ? [] : await db.Accounts.IgnoreQueryFilters().AsNoTracking().Where(a => accountIds.Contains(a.Id))
            .Select(a => new { a.Id, a.Employees, a.Industry, a.Country }).ToDictionaryAsync(a => a.Id, ct);
        var changed = 0;
        var mqls = new List<Lead>();
        foreach (var lead in leads)
        {
            var before = lead.Score;
            var result = ScoreCard.Compute(rules.Active, FactsOf(lead), leadTouches.GetValueOrDefault(lead.Id) ?? [], now);
            if (Store(lead, result, now)) changed++;
            if (!lifecycle) continue;
            var demo = demoRequests.Contains(lead.Id) && FastTrackable.Contains(lead.Status);
            var reached = result.Score >= rules.Threshold && (Qualifiable.Contains(lead.Status) || (lead.Status == LeadStatus.Nurturing && before < rules.Threshold));
            if (demo || reached)
            {
                lead.Status = LeadStatus.Mql;
                lead.MqlAt = now;
                mqls.Add(lead);
            }
        }
        foreach (var contact in contacts)
        {
            var account = contact.AccountId is { } a ? accounts.GetValueOrDefault(a) : null;
            var result = ScoreCard.Compute(rules.Active, new PersonFacts(contact.Title, account?.Employees, account?.Industry, account?.Country),
                contactTouches.GetValueOrDefault(contact.Id) ?? [], now);
            if (Store(contact, result, now)) changed++;
        }
        // A new MQL goes to sales now: routed again by the routing rules (leads this batch created were routed already).
        var reroute = rules.RoutingRules ? mqls.Where(l => !routedNow.Contains(l.Id)).ToList() : [];
        if (reroute.Count > 0) await LeadRouting.RouteAsync(db, reroute, ct);
        return new ScoringOutcome(leads.Count, contacts.Count, changed, mqls.Count, reroute.Count);
    }

    public static PersonFacts FactsOf(Lead l) => new(l.Title, l.Employees, l.Industry, l.Country);

    /// <summary>The scored events of these people: one query, only the event types some active behaviour rule looks at.</summary>
    public static async Task<Dictionary<Guid, List<Touch>>> TouchesAsync(RevLoopDb db, IReadOnlyCollection<string> types, string personType, List<Guid> ids, CancellationToken ct)
    {
        var byPerson = new Dictionary<Guid, List<Touch>>();
        if (ids.Count == 0 || types.Count == 0) return byPerson;
        var typeList = types.ToList();
        var rows = await db.MarketingEvents.AsNoTracking()
            .Where(e => e.PersonType == personType && ids.Contains(e.PersonId!.Value) && typeList.Contains(e.Type))
            .Select(e => new { e.PersonId, e.Type, e.OccurredAt, e.Url, e.Feature }).ToListAsync(ct);
        foreach (var r in rows)
        {
            if (!byPerson.TryGetValue(r.PersonId!.Value, out var list)) byPerson[r.PersonId.Value] = list = [];
            list.Add(new Touch(r.Type, r.OccurredAt, r.Url, r.Feature));
        }
        return byPerson;
    }

    private static Task<Dictionary<Guid, List<Touch>>> TouchesAsync(RevLoopDb db, Rules rules, string personType, List<Guid> ids, CancellationToken ct) =>
        TouchesAsync(db, rules.EventTypes, personType, ids, ct);

    private static bool Store(Lead l, ScoreResult r, DateTimeOffset now)
    {
        var breakdown = Serialize(r);
        var changed = l.Score != r.Score || l.ScoreBreakdown != breakdown;
        (l.Score, l.ScoreBreakdown) = (r.Score, breakdown);
        if (changed || l.ScoredAt is null) l.ScoredAt = now;
        return changed;
    }

    private static bool Store(Contact c, ScoreResult r, DateTimeOffset now)
    {
        var breakdown = Serialize(r);
        var changed = c.Score != r.Score || c.ScoreBreakdown != breakdown;
        (c.Score, c.ScoreBreakdown) = (r.Score, breakdown);
        if (changed || c.ScoredAt is null) c.ScoredAt = now;
        return changed;
    }

    private static string? Serialize(ScoreResult r) => r.Breakdown.Count == 0 ? null : JsonSerializer.Serialize(r.Breakdown, BreakdownJson);

    private static readonly JsonSerializerOptions BreakdownJson = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<RulePoints> Breakdown(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<RulePoints>>(json, BreakdownJson) ?? [];
}
