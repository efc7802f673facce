using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
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
/// their scored events, their accounts; then the changed scores written), and for everyone when rules or the threshold
/// change (pages of 1,000 people). A lead
/// in status new or working whose score reaches the MQL threshold becomes mql with <c>MqlAt</c> = now; a nurturing lead
/// (e.g. rejected by sales) only when its score crosses the threshold again from below; a demo request makes a new,
/// working or nurturing lead an MQL whatever its score. A new MQL is routed again (when routing rules exist), in the same
/// transaction. Status changes go through SaveChanges (history names "scoring" as who); the score itself is derived data,
/// written without history or version bump (a page view is not an edit, and must not make an open edit form stale).
/// </summary>
public static class LeadScoring
{
    public const string Actor = "scoring";
    private const int Page = 1000;
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

    /// <summary>What scoring reads of a lead: its fit fields, status and stored score (a projection, not the tracked record).</summary>
    private sealed record LeadRow(Guid Id, string? Title, int? Employees, string? Industry, string? Country, string Status, int Score,
        string? ScoreBreakdown);

    private sealed record ContactRow(Guid Id, string? Title, Guid? AccountId, int Score, string? ScoreBreakdown);

    private static IQueryable<Lead> Leads(RevLoopDb db) => db.Leads.IgnoreQueryFilters().AsNoTracking().Where(l => l.DeletedAt == null);
    private static IQueryable<Contact> Contacts(RevLoopDb db) => db.Contacts.IgnoreQueryFilters().AsNoTracking().Where(c => c.DeletedAt == null);

    private static Task<List<LeadRow>> LeadRowsAsync(IQueryable<Lead> q, CancellationToken ct) =>
        q.Select(l => new LeadRow(l.Id, l.Title, l.Employees, l.Industry, l.Country, l.Status, l.Score, l.ScoreBreakdown)).ToListAsync(ct);

    private static Task<List<ContactRow>> ContactRowsAsync(IQueryable<Contact> q, CancellationToken ct) =>
        q.Select(c => new ContactRow(c.Id, c.Title, c.AccountId, c.Score, c.ScoreBreakdown)).ToListAsync(ct);

    /// <summary>
    /// After an event batch is saved (its people resolved, visitors' earlier events moved to them): rescores the people it
    /// touched and applies MQL (demo requests fast-track). <paramref name="routedNow"/>: leads created and routed by this
    /// batch, not routed twice. People whose fit fields the batch's saves changed (<see cref="RevLoopDb.ScoredChanges"/>,
    /// deferred by the ingestion) are scored with them. Expects nothing unsaved in <paramref name="db"/> (it attaches what it changes).
    /// </summary>
    public static async Task<ScoringOutcome> AfterEventsAsync(RevLoopDb db, IReadOnlyList<MarketingEvent> events, IReadOnlySet<Guid> routedNow, CancellationToken ct)
    {
        var changed = Take(db.ScoredChanges);
        var leadIds = events.Where(e => e.PersonType == PersonTypes.Lead).Select(e => e.PersonId!.Value).Union(changed.Leads).ToList();
        var contactIds = events.Where(e => e.PersonType == PersonTypes.Contact).Select(e => e.PersonId!.Value).Union(changed.Contacts).ToList();
        var demoRequests = events.Where(e => e.PersonType == PersonTypes.Lead && e.Type == MarketingEventTypes.DemoRequest).Select(e => e.PersonId!.Value).ToHashSet();
        return await RescoreAsync(db, leadIds, contactIds, changed.Accounts, demoRequests, routedNow.Union(changed.NewLeads).ToHashSet(), ct);
    }

    /// <summary>
    /// After a save changed fit-scored fields (a lead's title, employees, industry, country; a contact's title or account;
    /// an account's employees, industry or country, which its contacts score from): rescores those people exactly as after
    /// events (the same few queries for however many people the save or import batch changed), so a lead that now reaches
    /// the threshold becomes an MQL and is re-routed; leads the save created keep the placement they were just given.
    /// Runs in the caller's transaction right after the save (<see cref="RescoreAfterSave"/>), or when an import or the
    /// event ingestion asks, and saves what it changes.
    /// </summary>
    public static async Task<ScoringOutcome> AfterChangesAsync(RevLoopDb db, CancellationToken ct)
    {
        if (db.ScoredChanges.IsEmpty) return ScoringOutcome.None;
        var changed = Take(db.ScoredChanges);
        db.ScoredChanges.Running = true;
        try
        {
            var outcome = await RescoreAsync(db, changed.Leads, changed.Contacts, changed.Accounts, new HashSet<Guid>(), changed.NewLeads, ct);
            await SaveAsScoringAsync(db, ct);
            return outcome;
        }
        finally { db.ScoredChanges.Running = false; }
    }

    private sealed record Changed(List<Guid> Leads, List<Guid> Contacts, List<Guid> Accounts, HashSet<Guid> NewLeads);

    private static Changed Take(ScoredChanges pending)
    {
        var taken = new Changed([.. pending.Leads], [.. pending.Contacts], [.. pending.Accounts], [.. pending.NewLeads]);
        pending.Clear();
        return taken;
    }

    /// <summary>The one incremental path: these leads and contacts (and the contacts of these accounts) scored and written, MQL applied.</summary>
    private static async Task<ScoringOutcome> RescoreAsync(RevLoopDb db, List<Guid> leadIds, List<Guid> contactIds, List<Guid> accountIds, IReadOnlySet<Guid> demoRequests,
        IReadOnlySet<Guid> routedNow, CancellationToken ct)
    {
        if (leadIds.Count == 0 && contactIds.Count == 0 && accountIds.Count == 0) return ScoringOutcome.None;
        var rules = await LoadRulesAsync(db, ct);
        // Nothing to score and no demo request to fast-track: the batch costs one query for the rules.
        if (rules.Active.Count == 0 && demoRequests.Count == 0) return ScoringOutcome.None;
        if (rules.Active.Count == 0) leadIds = leadIds.Where(demoRequests.Contains).ToList();
        var leads = leadIds.Count == 0 ? [] : await LeadRowsAsync(Leads(db).Where(l => leadIds.Contains(l.Id)), ct);
        var contacts = rules.Active.Count == 0 || (contactIds.Count == 0 && accountIds.Count == 0) ? []
            : await ContactRowsAsync(Contacts(db).Where(c => contactIds.Contains(c.Id) || (c.AccountId != null && accountIds.Contains(c.AccountId.Value))), ct);
        return await ScoreAsync(db, rules, leads, contacts, demoRequests, routedNow, lifecycle: true, db.Clock.GetUtcNow(), ct);
    }

    /// <summary>Everyone again (rules or the threshold changed, or decay moved on): pages of people, each page saved on its own.</summary>
    /// <param name="asOf">The moment to score at (the demo scores as of its own day, so a load repeats); default now.</param>
    public static async Task<ScoringOutcome> RecomputeAllAsync(RevLoopDb db, bool lifecycle, CancellationToken ct, DateTimeOffset? asOf = null)
    {
        var rules = await LoadRulesAsync(db, ct);
        var now = asOf ?? db.Clock.GetUtcNow();
        var total = ScoringOutcome.None;
        Guid? after = null;
        while (true)
        {
            var (outcome, last) = await PageAsync(db, after, async from =>
            {
                var query = Leads(db);
                if (from is { } f) query = query.Where(l => l.Id.CompareTo(f) > 0);
                var leads = await LeadRowsAsync(query.OrderBy(l => l.Id).Take(Page), ct);
                return (leads.Count == 0 ? null : await SavePageAsync(db, rules, leads, [], lifecycle, now, ct), leads.LastOrDefault()?.Id);
            });
            if (outcome is null) break;
            (total, after) = (total.Add(outcome), last);
        }
        after = null;
        while (true)
        {
            var (outcome, last) = await PageAsync(db, after, async from =>
            {
                var query = Contacts(db);
                if (from is { } f) query = query.Where(c => c.Id.CompareTo(f) > 0);
                var contacts = await ContactRowsAsync(query.OrderBy(c => c.Id).Take(Page), ct);
                return (contacts.Count == 0 ? null : await SavePageAsync(db, rules, [], contacts, lifecycle, now, ct), contacts.LastOrDefault()?.Id);
            });
            if (outcome is null) break;
            (total, after) = (total.Add(outcome), last);
        }
        return total;
    }

    /// <summary>One page, read and saved again if someone changed one of its people meanwhile (their version moved on).</summary>
    private static async Task<(ScoringOutcome?, Guid?)> PageAsync(RevLoopDb db, Guid? after, Func<Guid?, Task<(ScoringOutcome?, Guid?)>> page)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await page(after); }
            catch (DbUpdateConcurrencyException) when (attempt < 3) { db.ChangeTracker.Clear(); }
        }
    }

    private static async Task<ScoringOutcome> SavePageAsync(RevLoopDb db, Rules rules, List<LeadRow> leads, List<ContactRow> contacts, bool lifecycle, DateTimeOffset now,
        CancellationToken ct)
    {
        // One transaction per page: the score updates commit together (on SQLite, not one disk sync per person).
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var outcome = await ScoreAsync(db, rules, leads, contacts, new HashSet<Guid>(), new HashSet<Guid>(), lifecycle, now, ct);
        await SaveAsScoringAsync(db, ct);
        await transaction.CommitAsync(ct);
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

    /// <summary>
    /// Scores the people and writes the changes: a changed score with one prepared UPDATE of the three score columns per
    /// person (derived data: no history, no version check, and far cheaper than the tracker), while a lead becoming an MQL
    /// is loaded whole and changed through the tracker (status history, routing) for the caller to save.
    /// </summary>
    private static async Task<ScoringOutcome> ScoreAsync(RevLoopDb db, Rules rules, List<LeadRow> leads, List<ContactRow> contacts, IReadOnlySet<Guid> demoRequests,
        IReadOnlySet<Guid> routedNow, bool lifecycle, DateTimeOffset now, CancellationToken ct)
    {
        var leadTouches = await TouchesAsync(db, rules, PersonTypes.Lead, leads.Select(l => l.Id).ToList(), ct);
        var contactTouches = await TouchesAsync(db, rules, PersonTypes.Contact, contacts.Select(c => c.Id).ToList(), ct);
        var accountIds = contacts.Where(c => c.AccountId is not null).Select(c => c.AccountId!.Value).Distinct().ToList();
        var accounts = accountIds.Count == 0 ? [] : await db.Accounts.IgnoreQueryFilters().AsNoTracking().Where(a => accountIds.Contains(a.Id))
            .Select(a => new { a.Id, a.Employees, a.Industry, a.Country }).ToDictionaryAsync(a => a.Id, ct);
        var changed = 0;
        var writes = new ScoreWrites();
        var mqls = new Dictionary<Guid, (int Score, string? Breakdown)>();
        foreach (var lead in leads)
        {
            var result = ScoreCard.Compute(rules.Active, new PersonFacts(lead.Title, lead.Employees, lead.Industry, lead.Country), leadTouches.GetValueOrDefault(lead.Id) ?? [], now);
            var breakdown = Serialize(result);
            var isNew = lead.Score != result.Score || lead.ScoreBreakdown != breakdown;
            if (isNew) changed++;
            var demo = lifecycle && demoRequests.Contains(lead.Id) && FastTrackable.Contains(lead.Status);
            var reached = lifecycle && result.Score >= rules.Threshold
                && (Qualifiable.Contains(lead.Status) || (lead.Status == LeadStatus.Nurturing && lead.Score < rules.Threshold));
            if (demo || reached) mqls[lead.Id] = (result.Score, breakdown);
            else if (isNew) writes.Leads.Add((lead.Id, result.Score, breakdown));
        }
        foreach (var contact in contacts)
        {
            var account = contact.AccountId is { } a ? accounts.GetValueOrDefault(a) : null;
            var result = ScoreCard.Compute(rules.Active, new PersonFacts(contact.Title, account?.Employees, account?.Industry, account?.Country),
                contactTouches.GetValueOrDefault(contact.Id) ?? [], now);
            var breakdown = Serialize(result);
            var isNew = contact.Score != result.Score || contact.ScoreBreakdown != breakdown;
            if (isNew) changed++;
            // Unchanged scores are not written (nor are the zeros of people no rule gives points): ScoredAt is when the score last changed.
            if (isNew) writes.Contacts.Add((contact.Id, result.Score, breakdown));
        }
        await writes.RunAsync(db, now, ct);
        writes.Refresh(db, now);
        if (mqls.Count == 0) return new ScoringOutcome(leads.Count, contacts.Count, changed, 0, 0);

        // The few that become MQLs: whole records, so the status change is history and routing sees the lead.
        var ids = mqls.Keys.ToList();
        var qualified = await db.Leads.IgnoreQueryFilters().Where(l => ids.Contains(l.Id)).ToListAsync(ct);
        foreach (var lead in qualified)
        {
            (lead.Score, lead.ScoreBreakdown) = mqls[lead.Id];
            lead.ScoredAt = now;
            lead.Status = LeadStatus.Mql;
            lead.MqlAt = now;
        }
        // A new MQL goes to sales now: routed again by the routing rules (leads this batch created were routed already).
        var reroute = rules.RoutingRules ? qualified.Where(l => !routedNow.Contains(l.Id)).ToList() : [];
        if (reroute.Count > 0) await LeadRouting.RouteAsync(db, reroute, ct);
        return new ScoringOutcome(leads.Count, contacts.Count, changed, qualified.Count, reroute.Count);
    }

    /// <summary>Score updates, run as one prepared UPDATE per table with the provider's own parameter mappings, in the caller's transaction.</summary>
    private sealed class ScoreWrites
    {
        public readonly List<(Guid Id, int Score, string? Breakdown)> Leads = [], Contacts = [];

        /// <summary>
        /// The records a saving request still tracks (the lead it just edited, for its response) get the score just written,
        /// as saved values, so the tracker sees nothing to write again.
        /// </summary>
        public void Refresh(RevLoopDb db, DateTimeOffset now)
        {
            if (Leads.Count > 0 && db.Leads.Local is { Count: > 0 } leads)
                foreach (var (id, score, breakdown) in Leads)
                    if (leads.FindEntry(id) is { } e) Set(e, score, breakdown, now);
            if (Contacts.Count > 0 && db.Contacts.Local is { Count: > 0 } contacts)
                foreach (var (id, score, breakdown) in Contacts)
                    if (contacts.FindEntry(id) is { } e) Set(e, score, breakdown, now);
        }

        private static void Set<T>(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<T> e, int score, string? breakdown, DateTimeOffset now) where T : class
        {
            foreach (var (name, value) in new (string, object?)[] { (nameof(Lead.Score), score), (nameof(Lead.ScoreBreakdown), breakdown), (nameof(Lead.ScoredAt), now) })
            {
                var p = e.Property(name);
                p.CurrentValue = value;
                p.OriginalValue = value;
                p.IsModified = false;
            }
        }

        public async Task RunAsync(RevLoopDb db, DateTimeOffset now, CancellationToken ct)
        {
            if (Leads.Count == 0 && Contacts.Count == 0) return;
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                await RunAsync(db, typeof(Lead), Leads, now, ct);
                await RunAsync(db, typeof(Contact), Contacts, now, ct);
            }
            finally { await db.Database.CloseConnectionAsync(); }
        }

        private static async Task RunAsync(RevLoopDb db, Type type, List<(Guid Id, int Score, string? Breakdown)> rows, DateTimeOffset now, CancellationToken ct)
        {
            if (rows.Count == 0) return;
            var entity = db.Model.FindEntityType(type)!;
            var sql = db.GetService<ISqlGenerationHelper>();
            var columns = new[] { nameof(Lead.Id), nameof(Lead.Score), nameof(Lead.ScoreBreakdown), nameof(Lead.ScoredAt) }
                .Select(n => entity.FindProperty(n)!).Select(p => (Name: sql.DelimitIdentifier(p.GetColumnName()), Mapping: p.GetRelationalTypeMapping())).ToArray();
            var table = sql.DelimitIdentifier(entity.GetTableName()!);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (!db.IsSqlite)
            {
                // PostgreSQL: one statement for all rows (arrays unnested), one round trip however many people changed.
                command.CommandText = $"UPDATE {table} SET {columns[1].Name} = v.score, {columns[2].Name} = v.breakdown, {columns[3].Name} = @at "
                    + $"FROM unnest(@ids, @scores, @breakdowns) AS v(id, score, breakdown) WHERE {table}.{columns[0].Name} = v.id";
                command.Parameters.Add(new Npgsql.NpgsqlParameter("ids", rows.Select(r => r.Id).ToArray()));
                command.Parameters.Add(new Npgsql.NpgsqlParameter("scores", rows.Select(r => r.Score).ToArray()));
                command.Parameters.Add(new Npgsql.NpgsqlParameter("breakdowns", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = rows.Select(r => r.Breakdown).ToArray() });
                command.Parameters.Add(new Npgsql.NpgsqlParameter("at", now.ToUniversalTime()));
                await command.ExecuteNonQueryAsync(ct);
                return;
            }
            // SQLite runs in-process: a prepared statement per row costs microseconds.
            command.CommandText = $"UPDATE {table} SET {columns[1].Name} = @p1, {columns[2].Name} = @p2, {columns[3].Name} = @p3 WHERE {columns[0].Name} = @p0";
            foreach (var (id, score, breakdown) in rows)
            {
                command.Parameters.Clear();
                object?[] values = [id, score, breakdown, now];
                for (var i = 0; i < columns.Length; i++) command.Parameters.Add(columns[i].Mapping.CreateParameter(command, $"p{i}", values[i], nullable: true));
                await command.ExecuteNonQueryAsync(ct);
            }
        }
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

    private static string? Serialize(ScoreResult r) => r.Breakdown.Count == 0 ? null : JsonSerializer.Serialize(r.Breakdown, BreakdownJson);

    private static readonly JsonSerializerOptions BreakdownJson = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<RulePoints> Breakdown(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<RulePoints>>(json, BreakdownJson) ?? [];
}
