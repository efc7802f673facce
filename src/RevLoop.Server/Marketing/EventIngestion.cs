using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Server.Crm;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Crm.Routing;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

public sealed record RejectedEvent(int Index, string? Id, string Field, string Reason);
public sealed record CreatedLead(int Index, Guid LeadId, Guid? MatchedAccountId, string? MatchedBy);
public sealed record EventBatchResult(int Accepted, int Duplicates, IReadOnlyList<RejectedEvent> Rejected, IReadOnlyList<CreatedLead> CreatedLeads);

/// <summary>
/// Takes a batch of behavioural events: each is checked on its own (a bad one is rejected with its index and field, the
/// rest go in), resolved to a person (contact id, lead id, email, or a visitor id identified earlier) and a campaign
/// (explicit id or utm_campaign), and appended with prepared INSERTs in one transaction. Lookups are one query per kind
/// for the whole batch, never per event. See docs/decisions/0011-event-store-and-identity.md.
/// </summary>
public static class EventIngestion
{
    public const int MaxBatch = 1000;
    private static readonly HashSet<string> Fields = ["id", "type", "occurredAt", "email", "contactId", "leadId", "visitorId", "campaignId", "url", "feature", "utm", "person"];
    private static readonly HashSet<string> PersonFields = ["firstName", "lastName", "company", "title", "phone", "country"];
    /// <summary>Unknown people submitting these become leads; other touches of unknown emails are kept unattached.</summary>
    private static readonly HashSet<string> CreatesLead = [MarketingEventTypes.FormSubmit, MarketingEventTypes.DemoRequest];

    private sealed class Parsed
    {
        public int Index;
        public required MarketingEvent Event;
        public Guid? ContactId, LeadId;
        /// <summary>The email as sent (the event keeps the normalised one); a new lead gets it as written.</summary>
        public string? GivenEmail;
        public JsonElement? Person;
    }

    /// <summary>The events of a request body: {"events": [...]} or a bare array; more than <see cref="MaxBatch"/> is refused whole.</summary>
    public static IReadOnlyList<JsonElement> Items(JsonElement body)
    {
        var array = body.ValueKind == JsonValueKind.Array ? body
            : body.ValueKind == JsonValueKind.Object && body.TryGetProperty("events", out var e) && e.ValueKind == JsonValueKind.Array ? e
            : throw new InputException("events", "send {\"events\": [...]} (or a JSON array of events)");
        var n = array.GetArrayLength();
        if (n == 0) throw new InputException("events", "is empty");
        if (n > MaxBatch) throw new InputException("events", $"has {n} events; send at most {MaxBatch} per request");
        return array.EnumerateArray().ToList();
    }

    public static async Task<EventBatchResult> IngestAsync(RevLoopDb db, IReadOnlyList<JsonElement> items, CancellationToken ct)
    {
        // A concurrent request may insert the same event id between our duplicate check and our insert (the unique index
        // refuses it), or create a lead for an email this batch found unknown: the next attempt sees what it did.
        // Leads the batch creates (or whose fields it fills) are scored with the batch's people, not after each save.
        var deferred = db.ScoredChanges.Deferred;
        db.ScoredChanges.Deferred = true;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await IngestOnceAsync(db, items, ct);
                }
                catch (Exception e) when (attempt < 3 && e is DbException or DbUpdateException or PersonCreatedMeanwhile)
                {
                    db.ChangeTracker.Clear();
                    db.ScoredChanges.Clear();
                }
            }
        }
        finally { db.ScoredChanges.Deferred = deferred; }
    }

    private sealed class PersonCreatedMeanwhile : Exception;

    private static async Task<EventBatchResult> IngestOnceAsync(RevLoopDb db, IReadOnlyList<JsonElement> items, CancellationToken ct)
    {
        var now = db.Clock.GetUtcNow();
        var rejected = new List<RejectedEvent>();
        var parsed = new List<Parsed>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            try { parsed.Add(Parse(items[i], i, now)); }
            catch (InputException e) { rejected.Add(new RejectedEvent(i, IdOf(items[i]), e.Field, e.Reason)); }
        }

        // Duplicates: seen before, or twice in this batch (the first one counts).
        var ids = parsed.Select(p => p.Event.EventId).Distinct().ToList();
        var known = (await db.MarketingEvents.Where(e => ids.Contains(e.EventId)).Select(e => e.EventId).ToListAsync(ct)).ToHashSet();
        var duplicates = 0;
        var fresh = new List<Parsed>(parsed.Count);
        foreach (var p in parsed)
        {
            if (known.Add(p.Event.EventId)) fresh.Add(p);
            else duplicates++;
        }

        // Reading who is who happens before the write transaction, so one batch resolves while another writes; what it
        // decided alone (the people it creates) is checked again once it holds the write lock.
        var accepted = new List<Parsed>(fresh.Count);
        var created = new List<CreatedLead>();
        await ResolveAsync(db, fresh, accepted, rejected, created, now, ct);

        using var turn = await EventWriteTurns.TakeAsync(db, items.Count, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The new leads' history rows go in with the bulk writer too, inside this transaction.
        db.WriteHistoryInBulk = true;
        try
        {
            await WriteAsync(db, accepted.Select(p => p.Event).ToList(), created, now, ct);
        }
        finally
        {
            db.WriteHistoryInBulk = false;
        }
        await transaction.CommitAsync(ct);
        return new EventBatchResult(accepted.Count, duplicates, rejected.OrderBy(r => r.Index).ToList(), created);
    }

    /// <summary>The batch's writes, holding the write transaction: new leads routed, events appended, visitors identified, members and scores updated.</summary>
    private static async Task WriteAsync(RevLoopDb db, List<MarketingEvent> events, List<CreatedLead> created, DateTimeOffset now, CancellationToken ct)
    {
        var newLeads = db.ChangeTracker.Entries<Lead>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (newLeads.Count > 0 && (await PeopleByEmailAsync(db, newLeads.Select(l => l.NormalizedEmail!).ToList(), ct)).Count > 0)
            throw new PersonCreatedMeanwhile();
        // New leads are routed in this transaction, so a demo request has its rep (or queue) the moment it is stored.
        await LeadRouting.RouteAsync(db, newLeads, ct);
        BulkRows.Write(db, events);
        await IdentifyVisitorsAsync(db, events, now, ct);
        await UpdateMembersAsync(db, events, now, ct);
        await db.SaveChangesAsync(ct);
        // Scores of the people this batch touched, after identity resolution (a newly identified visitor's earlier events
        // count): a few queries for the whole batch, and a new MQL is re-routed before the batch commits.
        db.ChangeTracker.Clear(); // all saved; scoring attaches only what it changes
        await Scoring.LeadScoring.AfterEventsAsync(db, events, created.Select(c => c.LeadId).ToHashSet(), ct);
        await Scoring.LeadScoring.SaveAsScoringAsync(db, ct);
    }

    private static string? IdOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    private static Parsed Parse(JsonElement item, int index, DateTimeOffset now)
    {
        if (item.ValueKind != JsonValueKind.Object) throw new InputException("event", "must be a JSON object");
        foreach (var p in item.EnumerateObject())
            if (!Fields.Contains(p.Name)) throw new InputException(p.Name, $"is not a field of an event (fields: {string.Join(", ", Fields)})");
        var e = new MarketingEvent { ReceivedAt = now };
        e.EventId = Text(item, "id", 100) ?? throw new InputException("id", "is required (it makes a resend harmless)");
        var type = Text(item, "type", 30) ?? throw new InputException("type", "is required");
        e.Type = MarketingEventTypes.All.Contains(type) ? type : throw new InputException("type", $"must be one of {string.Join(", ", MarketingEventTypes.All)}");
        e.OccurredAt = now;
        if (Text(item, "occurredAt", 40) is { } at)
        {
            if (!DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
                throw new InputException("occurredAt", $"'{at}' is not a date and time (ISO 8601, such as 2026-11-23T10:15:00Z)");
            if (when > now.AddMinutes(5)) throw new InputException("occurredAt", "is in the future");
            e.OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(when.ToUnixTimeMilliseconds());
        }
        var parsed = new Parsed { Index = index, Event = e };
        var (given, email) = PersonRules.Email("email", Text(item, "email", 320));
        e.Email = email;
        parsed.GivenEmail = given;
        parsed.ContactId = Id(item, "contactId");
        parsed.LeadId = Id(item, "leadId");
        e.VisitorId = Text(item, "visitorId", 100);
        if (email is null && parsed.ContactId is null && parsed.LeadId is null && e.VisitorId is null)
            throw new InputException("email", "give the person: email, contactId, leadId or visitorId");
        e.CampaignId = Id(item, "campaignId");
        e.Url = Text(item, "url", 2000);
        if (e.Url is not null && !Uri.TryCreate(e.Url, UriKind.Absolute, out _) && !e.Url.StartsWith('/')) throw new InputException("url", $"'{e.Url}' is not a URL or a path");
        if (e.Type == MarketingEventTypes.PageView && e.Url is null) throw new InputException("url", "is required for a page_view");
        e.Feature = Text(item, "feature", 200);
        if (e.Type == MarketingEventTypes.ProductUsage && e.Feature is null) throw new InputException("feature", "is required for product_usage (the feature used)");
        if (item.TryGetProperty("utm", out var utm) && utm.ValueKind != JsonValueKind.Null)
        {
            if (utm.ValueKind != JsonValueKind.Object) throw new InputException("utm", "must be an object such as {\"source\": \"google\", \"medium\": \"cpc\", \"campaign\": \"q4-launch\"}");
            foreach (var p in utm.EnumerateObject())
                if (p.Name is not ("source" or "medium" or "campaign" or "content" or "term")) throw new InputException($"utm.{p.Name}", "is not a UTM parameter (source, medium, campaign, content, term)");
            e.UtmSource = Text(utm, "source", 200, "utm.");
            e.UtmMedium = Text(utm, "medium", 200, "utm.");
            e.UtmCampaign = Text(utm, "campaign", 200, "utm.")?.ToLowerInvariant();
        }
        else if (e.Url is not null)
        {
            // The website snippet sends the page address as it is: its utm_* parameters say where the visit came from.
            var query = e.Url.IndexOf('?') is var q and >= 0 ? e.Url[(q + 1)..].Split('#')[0] : "";
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')).Trim() : "";
                if (value.Length is 0 or > 200) continue;
                switch (kv[0])
                {
                    case "utm_source": e.UtmSource = value; break;
                    case "utm_medium": e.UtmMedium = value; break;
                    case "utm_campaign": e.UtmCampaign = value.ToLowerInvariant(); break;
                }
            }
        }
        if (item.TryGetProperty("person", out var person) && person.ValueKind != JsonValueKind.Null)
        {
            if (person.ValueKind != JsonValueKind.Object) throw new InputException("person", "must be an object (firstName, lastName, company, title, phone, country)");
            foreach (var p in person.EnumerateObject())
                if (!PersonFields.Contains(p.Name)) throw new InputException($"person.{p.Name}", $"is not a field of person ({string.Join(", ", PersonFields)})");
            parsed.Person = person;
        }
        return parsed;
    }

    private static string? Text(JsonElement item, string field, int max, string prefix = "")
    {
        if (!item.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new InputException(prefix + field, "must be a string");
        var s = v.GetString()!.Trim();
        if (s.Length == 0) return null;
        return s.Length <= max ? s : throw new InputException(prefix + field, $"must be at most {max} characters");
    }

    private static Guid? Id(JsonElement item, string field) =>
        Text(item, field, 40) is { } s ? Guid.TryParse(s, out var g) ? g : throw new InputException(field, $"'{s}' is not an id") : null;

    /// <summary>The person each email belongs to: contacts win over leads; a primary email over an extra one; the oldest record over newer duplicates.</summary>
    private static async Task<Dictionary<string, (string Type, Guid Id)>> PeopleByEmailAsync(RevLoopDb db, List<string> emails, CancellationToken ct)
    {
        var byEmail = new Dictionary<string, (string Type, Guid Id)>();
        if (emails.Count == 0) return byEmail;
        foreach (var l in await db.Leads.Where(l => emails.Contains(l.NormalizedEmail!)).OrderByDescending(l => l.CreatedAt)
                     .Select(l => new { l.Id, l.NormalizedEmail, l.ConvertedContactId }).ToListAsync(ct))
            byEmail[l.NormalizedEmail!] = l.ConvertedContactId is { } c ? (PersonTypes.Contact, c) : (PersonTypes.Lead, l.Id);
        foreach (var p in await db.ContactPoints.Where(p => p.Kind == ContactPoint.Email && emails.Contains(p.Value)).OrderByDescending(p => p.Id).ToListAsync(ct))
            if (!byEmail.TryGetValue(p.Value, out var found) || (found.Type == PersonTypes.Lead && p.RecordType == PersonTypes.Contact))
                byEmail[p.Value] = (p.RecordType, p.RecordId);
        foreach (var c in await db.Contacts.Where(c => emails.Contains(c.NormalizedEmail!)).OrderByDescending(c => c.CreatedAt)
                     .Select(c => new { c.Id, c.NormalizedEmail }).ToListAsync(ct))
            byEmail[c.NormalizedEmail!] = (PersonTypes.Contact, c.Id);
        return byEmail;
    }

    /// <summary>Finds each event's person and campaign; an event naming a record that does not exist is rejected.</summary>
    private static async Task ResolveAsync(RevLoopDb db, List<Parsed> fresh, List<Parsed> accepted, List<RejectedEvent> rejected, List<CreatedLead> created,
        DateTimeOffset now, CancellationToken ct)
    {
        var contactIds = fresh.Where(p => p.ContactId is not null).Select(p => p.ContactId!.Value).Distinct().ToList();
        var leadIds = fresh.Where(p => p.LeadId is not null).Select(p => p.LeadId!.Value).Distinct().ToList();
        var emails = fresh.Where(p => p.Event.Email is not null).Select(p => p.Event.Email!).Distinct().ToList();
        var visitors = fresh.Where(p => p.Event.VisitorId is not null).Select(p => p.Event.VisitorId!).Distinct().ToList();
        var campaignIds = fresh.Where(p => p.Event.CampaignId is not null).Select(p => p.Event.CampaignId!.Value).Distinct().ToList();
        var utms = fresh.Where(p => p.Event.UtmCampaign is not null).Select(p => p.Event.UtmCampaign!).Distinct().ToList();

        var contacts = contactIds.Count == 0 ? [] : (await db.Contacts.Where(c => contactIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        // A converted lead's later touches belong to the contact it became.
        var leads = leadIds.Count == 0 ? [] : await db.Leads.Where(l => leadIds.Contains(l.Id)).Select(l => new { l.Id, l.ConvertedContactId })
            .ToDictionaryAsync(l => l.Id, l => l.ConvertedContactId, ct);
        var byEmail = await PeopleByEmailAsync(db, emails, ct);
        var identified = visitors.Count == 0 ? [] : await db.VisitorIdentities.Where(v => visitors.Contains(v.VisitorId))
            .ToDictionaryAsync(v => v.VisitorId, v => (v.PersonType, v.PersonId), ct);
        var campaigns = campaignIds.Count == 0 ? [] : (await db.Campaigns.Where(c => campaignIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var byUtm = utms.Count == 0 ? [] : await db.Campaigns.Where(c => utms.Contains(c.UtmCampaign!)).ToDictionaryAsync(c => c.UtmCampaign!, c => c.Id, ct);

        var newLeads = await PrepareLeadsAsync(db, fresh.Where(p => p.ContactId is null && p.LeadId is null && p.Event.Email is { } m && !byEmail.ContainsKey(m)
            && CreatesLead.Contains(p.Event.Type)).ToList(), ct);
        foreach (var p in fresh)
        {
            var e = p.Event;
            try
            {
                if (e.CampaignId is { } cid && !campaigns.Contains(cid)) throw new InputException("campaignId", $"no campaign has id {cid}");
                e.CampaignId ??= e.UtmCampaign is { } u && byUtm.TryGetValue(u, out var fromUtm) ? fromUtm : null;
                if (p.ContactId is { } contactId)
                {
                    if (!contacts.Contains(contactId)) throw new InputException("contactId", $"no contact has id {contactId}");
                    (e.PersonType, e.PersonId) = (PersonTypes.Contact, contactId);
                }
                else if (p.LeadId is { } leadId)
                {
                    if (!leads.TryGetValue(leadId, out var becameContact)) throw new InputException("leadId", $"no lead has id {leadId}");
                    (e.PersonType, e.PersonId) = becameContact is { } c ? (PersonTypes.Contact, c) : (PersonTypes.Lead, leadId);
                }
                else if (e.Email is { } email && byEmail.TryGetValue(email, out var person))
                {
                    (e.PersonType, e.PersonId) = (person.Type, person.Id);
                }
                else if (e.Email is { } newEmail && CreatesLead.Contains(e.Type))
                {
                    var (lead, matchedBy, error) = newLeads[p.Index];
                    if (lead is null) throw error!;
                    db.Leads.Add(lead);
                    byEmail[newEmail] = (PersonTypes.Lead, lead.Id);
                    created.Add(new CreatedLead(p.Index, lead.Id, lead.MatchedAccountId, matchedBy));
                    (e.PersonType, e.PersonId) = (PersonTypes.Lead, lead.Id);
                }
                else if (e.VisitorId is { } v && identified.TryGetValue(v, out var known))
                {
                    (e.PersonType, e.PersonId) = known;
                }
                if (e.VisitorId is { } visitor && e.PersonId is { } pid && !identified.ContainsKey(visitor)) identified[visitor] = (e.PersonType!, pid);
                accepted.Add(p);
            }
            catch (InputException ex)
            {
                rejected.Add(new RejectedEvent(p.Index, e.EventId, ex.Field, ex.Reason));
            }
        }
    }

    /// <summary>
    /// New inbound leads from forms, prepared together (one check context, one account match for all of them) but added
    /// only when their event is accepted: each is matched to an existing account first (enterprise-directory matching: the
    /// email's company domain, then the normalised company name), whose owner then owns the lead. A lead that fails its
    /// checks gives its event's rejection instead.
    /// </summary>
    private sealed record PreparedLead(Lead? Lead, string? MatchedBy, InputException? Error);

    private static async Task<Dictionary<int, PreparedLead>> PrepareLeadsAsync(RevLoopDb db, List<Parsed> creators, CancellationToken ct)
    {
        var result = new Dictionary<int, PreparedLead>();
        if (creators.Count == 0) return result;
        var context = await LeadRules.Context.LoadAsync(db, ct);
        var leads = new List<(int Index, Lead Lead)>();
        foreach (var p in creators)
        {
            var person = p.Person;
            string? Field(string name) => person is { } x && x.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var email = p.GivenEmail!;
            var (first, last) = (Field("firstName"), Field("lastName"));
            // A form that asks only for an email still makes a lead, named after the address until someone learns more.
            if (string.IsNullOrWhiteSpace(first) && string.IsNullOrWhiteSpace(last)) last = email[..email.IndexOf('@')];
            var lead = new Lead();
            try
            {
                await LeadRules.ApplyAsync(db, lead, new LeadInput(first, last, email, Field("phone"), Field("title"), Field("company"), Country: Field("country"),
                    Source: "inbound"), context, ct);
                leads.Add((p.Index, lead));
            }
            catch (InputException e)
            {
                result[p.Index] = new PreparedLead(null, null, new InputException(e.Field == "email" ? "email" : "person." + e.Field, e.Reason));
            }
        }
        var matches = await LeadsApi.MatchAccountsAsync(db, leads.Select(l => l.Lead).ToList(), ct);
        for (var i = 0; i < leads.Count; i++)
        {
            var (lead, (account, matchedBy)) = (leads[i].Lead, matches[i]);
            if (account is not null)
            {
                lead.MatchedAccountId = account.Id;
                lead.Company ??= account.Name;
                await context.Ownership.AssignAsync(lead, account.OwnerId, ct);
            }
            lead.Domain ??= CompanyNames.DomainOfEmail(lead.Email);
            result[leads[i].Index] = new PreparedLead(lead, matchedBy, null);
        }
        return result;
    }

    /// <summary>
    /// A visitor seen with a person for the first time is identified from then on, and their earlier anonymous events
    /// move to that person (one UPDATE per newly identified visitor, using the visitor id index).
    /// </summary>
    private static async Task IdentifyVisitorsAsync(RevLoopDb db, List<MarketingEvent> events, DateTimeOffset now, CancellationToken ct)
    {
        var pairs = events.Where(e => e.VisitorId is not null && e.PersonId is not null)
            .GroupBy(e => e.VisitorId!).Select(g => g.First()).ToList();
        if (pairs.Count == 0) return;
        var visitorIds = pairs.Select(p => p.VisitorId!).ToList();
        var existing = (await db.VisitorIdentities.Where(v => visitorIds.Contains(v.VisitorId)).Select(v => v.VisitorId).ToListAsync(ct)).ToHashSet();
        // Only visitors identified by this batch have anonymous events left to move; the others were moved when they were.
        foreach (var e in pairs.Where(p => !existing.Contains(p.VisitorId!)))
        {
            db.VisitorIdentities.Add(new VisitorIdentity { VisitorId = e.VisitorId!, PersonType = e.PersonType!, PersonId = e.PersonId!.Value, IdentifiedAt = now });
            var (type, id, visitor) = (e.PersonType, e.PersonId, e.VisitorId);
            await db.MarketingEvents.Where(x => x.VisitorId == visitor && x.PersonId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.PersonType, type).SetProperty(x => x.PersonId, id), ct);
        }
    }

    /// <summary>Touches with a campaign make the person a member, moving their status forward (never back).</summary>
    private static async Task UpdateMembersAsync(RevLoopDb db, List<MarketingEvent> events, DateTimeOffset now, CancellationToken ct)
    {
        var touches = events.Where(e => e.CampaignId is not null && e.PersonId is not null && StatusFor(e.Type) is not null).ToList();
        if (touches.Count == 0) return;
        var campaignIds = touches.Select(t => t.CampaignId!.Value).Distinct().ToList();
        var personIds = touches.Select(t => t.PersonId!.Value).Distinct().ToList();
        var members = (await db.CampaignMembers.Where(m => campaignIds.Contains(m.CampaignId) && personIds.Contains(m.PersonId)).ToListAsync(ct))
            .ToDictionary(m => (m.CampaignId, m.PersonType, m.PersonId));
        foreach (var t in touches.OrderBy(t => t.OccurredAt))
        {
            var status = StatusFor(t.Type)!;
            var key = (t.CampaignId!.Value, t.PersonType!, t.PersonId!.Value);
            if (!members.TryGetValue(key, out var m))
            {
                m = new CampaignMember { CampaignId = key.Item1, PersonType = key.Item2, PersonId = key.Item3, Status = status, AddedAt = now, UpdatedAt = now };
                db.CampaignMembers.Add(m);
                members[key] = m;
            }
            else if (CampaignMemberStatus.Rank(status) > CampaignMemberStatus.Rank(m.Status))
            {
                m.Status = status;
                m.UpdatedAt = now;
            }
        }
    }

    private static string? StatusFor(string type) => type switch
    {
        MarketingEventTypes.WebinarAttended => CampaignMemberStatus.Attended,
        MarketingEventTypes.FormSubmit or MarketingEventTypes.DemoRequest or MarketingEventTypes.ContentDownload or MarketingEventTypes.EmailClick => CampaignMemberStatus.Responded,
        _ => null,
    };
}
