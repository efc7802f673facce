using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Crm.Accounts;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Integration;
using RevLoop.Platform;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Crm.Contacts;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Duplicates;

/// <summary>
/// Body of POST /{accounts|contacts|leads}/{id}/merge; {id} is the survivor. <c>fields</c> picks "survivor" or "duplicate"
/// per field (API names); a field not named keeps the survivor's value unless that is empty and the duplicate's is not.
/// <c>duplicateVersion</c>, when given, must be the duplicate's current version (its ETag), like If-Match for the survivor.
/// </summary>
public sealed record MergeInput(Guid? DuplicateId, Dictionary<string, string>? Fields = null, long? DuplicateVersion = null);

/// <summary>The survivor after the merge, the merged record's id and how many children of each kind moved to the survivor.</summary>
public sealed record MergeResult<TDto>(TDto Survivor, Guid DuplicateId, IReadOnlyDictionary<string, int> Moved);

/// <summary>A merge that cannot go ahead: the duplicate is missing or stale, or the two records cannot be merged.</summary>
public sealed class MergeRefused(int status, string title, string detail) : Exception(title)
{
    public int Status { get; } = status;
    public string Detail { get; } = detail;
}

/// <summary>
/// Merges a duplicate into a survivor in one transaction: every child of the duplicate moves to the survivor (each move
/// is a field change with source "merge"), the duplicate is soft-deleted with MergedIntoId, the survivor takes the chosen
/// field values through the same rules as an edit, and a "{type}.merged" event goes to the outbox. Children are moved
/// (and flushed) before the chosen values are checked, because the checks must see the merged state (an account's
/// parent must not be one of the child accounts it just took over). Any failure rolls everything back.
/// </summary>
public static class Merge
{
    public const string Survivor = "survivor", Duplicate = "duplicate";

    public static Task<MergeResult<AccountDto>?> AccountsAsync(RevLoopDb db, Guid survivorId, MergeInput input, long? survivorVersion, CancellationToken ct) =>
        RunAsync(db, db.Accounts, "account", survivorId, input, survivorVersion, MoveAccountChildrenAsync, async (s, d) =>
        {
            var chosen = Choose(AccountRules.InputOf(s), AccountRules.InputOf(d), input.Fields, [], "account");
            await AccountCommands.UpdateAsync(db, s, chosen, ct);
        }, AccountDto.From, ct);

    public static Task<MergeResult<ContactDto>?> ContactsAsync(RevLoopDb db, Guid survivorId, MergeInput input, long? survivorVersion, CancellationToken ct) =>
        RunAsync(db, db.Contacts, "contact", survivorId, input, survivorVersion, MoveContactChildrenAsync, async (s, d) =>
        {
            var chosen = Choose(ContactInput.From(s), ContactInput.From(d), input.Fields, ["emails", "phones"], "contact");
            var (emails, phones) = AllChannels(s.Email, s.ExtraEmails, s.Phone, s.ExtraPhones, d.Email, d.ExtraEmails, d.Phone, d.ExtraPhones);
            await ContactRules.ApplyAsync(db, s, chosen with { Emails = emails, Phones = phones }, ct);
        }, ContactDto.From, ct);

    public static Task<MergeResult<LeadDto>?> LeadsAsync(RevLoopDb db, Guid survivorId, MergeInput input, long? survivorVersion, CancellationToken ct) =>
        RunAsync(db, db.Leads, "lead", survivorId, input, survivorVersion, MoveLeadChildrenAsync, async (s, d) =>
        {
            var chosen = Choose(LeadInput.From(s), LeadInput.From(d), input.Fields, ["emails", "phones", "status"], "lead");
            var (emails, phones) = AllChannels(s.Email, s.ExtraEmails, s.Phone, s.ExtraPhones, d.Email, d.ExtraEmails, d.Phone, d.ExtraPhones);
            await LeadRules.ApplyAsync(db, s, chosen with { Emails = emails, Phones = phones }, ct);
        }, LeadDto.From, ct);

    private static async Task<MergeResult<TDto>?> RunAsync<T, TDto>(RevLoopDb db, DbSet<T> set, string type, Guid survivorId, MergeInput input, long? survivorVersion,
        Func<RevLoopDb, T, T, Dictionary<string, int>, CancellationToken, Task> moveChildren, Func<T, T, Task> applyFields, Func<T, TDto> dto, CancellationToken ct)
        where T : class, IMergeableRecord
    {
        var duplicateId = input.DuplicateId ?? throw new InputException("duplicateId", "is required: the id of the record to merge into this one");
        if (duplicateId == survivorId) throw new InputException("duplicateId", "is this record itself");
        var survivor = await set.FirstOrDefaultAsync(r => r.Id == survivorId, ct);
        if (survivor is null) return null;
        var duplicate = await set.FirstOrDefaultAsync(r => r.Id == duplicateId, ct)
            ?? throw new MergeRefused(404, $"The duplicate {type} was not found", $"No visible {type} has id {duplicateId}; it may be merged or deleted already.");
        if (survivorVersion is { } v && v != survivor.Version)
            throw new MergeRefused(412, "The record was changed by someone else", $"You merged into version {v}; the current version is {survivor.Version}. Reload both and merge again.");
        if (input.DuplicateVersion is { } dv && dv != duplicate.Version)
            throw new MergeRefused(412, "The duplicate was changed by someone else", $"You merged version {dv} of the duplicate; the current version is {duplicate.Version}. Reload both and merge again.");
        if (input.Fields is { } fields)
            foreach (var (name, pick) in fields)
                if (pick is not (Survivor or Duplicate)) throw new InputException($"fields.{name}", "must be \"survivor\" or \"duplicate\"");

        var source = db.Origin.Source;
        db.Origin.Source = ChangeSources.Merge;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var moved = new Dictionary<string, int>();
            await moveChildren(db, survivor, duplicate, moved, ct);
            duplicate.MergedIntoId = survivor.Id;
            db.Remove(duplicate);
            await db.SaveChangesAsync(ct);
            await applyFields(survivor, duplicate);
            db.OutboxEvents.Add(new OutboxEvent
            {
                Type = $"{type}.merged", EntityType = type, EntityId = survivor.Id, OccurredAt = db.Clock.GetUtcNow(),
                Payload = JsonSerializer.Serialize(new { survivorId = survivor.Id, duplicateId, fields = input.Fields ?? [], moved, actor = db.Origin.Actor, source = ChangeSources.Merge }),
            });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return new MergeResult<TDto>(dto(survivor), duplicateId, moved);
        }
        finally
        {
            db.Origin.Source = source;
        }
    }

    /// <summary>The survivor's input with the picked (or blank-filling) values of the duplicate.</summary>
    public static TInput Choose<TInput>(TInput survivor, TInput duplicate, Dictionary<string, string>? fields, IReadOnlyList<string> notPickable, string recordName)
    {
        var s = JsonSerializer.SerializeToNode(survivor, ApiJson.Options)!.AsObject();
        var d = JsonSerializer.SerializeToNode(duplicate, ApiJson.Options)!.AsObject();
        var pickable = s.Select(p => p.Key).Where(k => !notPickable.Contains(k)).ToList();
        foreach (var name in (fields ?? []).Keys)
            if (!pickable.Contains(name)) throw new InputException($"fields.{name}", $"is not a field of {recordName} that a merge picks (fields: {string.Join(", ", pickable)})");
        foreach (var key in pickable)
        {
            var pick = fields?.GetValueOrDefault(key) ?? (s[key] is null && d[key] is not null ? Duplicate : Survivor);
            if (pick == Duplicate) s[key] = d[key]?.DeepClone();
        }
        return s.Deserialize<TInput>(ApiJson.Options)!;
    }

    /// <summary>Every email and phone of both, as extra ones (the rules drop whichever became the primary and repeats): nothing is lost.</summary>
    private static (List<string?> Emails, List<string?> Phones) AllChannels(string? sEmail, string? sExtraEmails, string? sPhone, string? sExtraPhones,
        string? dEmail, string? dExtraEmails, string? dPhone, string? dExtraPhones) =>
        ([.. new[] { sEmail }.Concat(PersonRules.Lines(sExtraEmails)).Concat([dEmail]).Concat(PersonRules.Lines(dExtraEmails)).Where(e => e is not null)],
         [.. new[] { sPhone }.Concat(PersonRules.Lines(sExtraPhones)).Concat([dPhone]).Concat(PersonRules.Lines(dExtraPhones)).Where(p => p is not null)]);

    // Children are read without the visibility filter: the survivor keeps all of them, also those its merger cannot see.
    private static async Task MoveAccountChildrenAsync(RevLoopDb db, Account s, Account d, Dictionary<string, int> moved, CancellationToken ct)
    {
        var contacts = await db.Contacts.IgnoreQueryFilters().Where(c => c.AccountId == d.Id).ToListAsync(ct);
        contacts.ForEach(c => c.AccountId = s.Id);
        var opportunities = await db.Opportunities.IgnoreQueryFilters().Where(o => o.AccountId == d.Id).ToListAsync(ct);
        opportunities.ForEach(o => o.AccountId = s.Id);
        var opportunityIds = opportunities.Select(o => o.Id).ToList();
        var lineItems = opportunityIds.Count == 0 ? 0 : await db.LineItems.CountAsync(l => opportunityIds.Contains(l.OpportunityId), ct);
        var activities = await db.Activities.IgnoreQueryFilters().Where(a => a.AccountId == d.Id).ToListAsync(ct);
        activities.ForEach(a => a.AccountId = s.Id);
        var subscriptions = await db.SubscriptionPeriods.IgnoreQueryFilters().Where(p => p.AccountId == d.Id).ToListAsync(ct);
        subscriptions.ForEach(p => p.AccountId = s.Id);
        var children = await db.Accounts.IgnoreQueryFilters().Where(a => a.ParentAccountId == d.Id && a.Id != s.Id).ToListAsync(ct);
        children.ForEach(a => a.ParentAccountId = s.Id);
        // The survivor was the duplicate's own child: it takes the duplicate's place in the hierarchy.
        if (s.ParentAccountId == d.Id) s.ParentAccountId = d.ParentAccountId;
        var conversions = await db.Leads.IgnoreQueryFilters().Where(l => l.ConvertedAccountId == d.Id).ToListAsync(ct);
        conversions.ForEach(l => l.ConvertedAccountId = s.Id);
        moved["contacts"] = contacts.Count;
        moved["opportunities"] = opportunities.Count;
        moved["lineItems"] = lineItems; // they belong to the opportunities and move with them
        moved["activities"] = activities.Count;
        moved["subscriptionPeriods"] = subscriptions.Count;
        moved["childAccounts"] = children.Count;
        moved["leadConversions"] = conversions.Count;
        // Target account lists: the survivor takes the duplicate's places; on a list with both it keeps the earlier date.
        var places = await db.TargetListAccounts.Where(m => m.AccountId == d.Id).ToListAsync(ct);
        var listIds = places.Select(m => m.ListId).ToList();
        var own = await db.TargetListAccounts.Where(m => m.AccountId == s.Id && listIds.Contains(m.ListId)).ToDictionaryAsync(m => m.ListId, ct);
        foreach (var m in places)
        {
            if (own.TryGetValue(m.ListId, out var kept))
            {
                if (m.AddedAt < kept.AddedAt) kept.AddedAt = m.AddedAt;
                db.TargetListAccounts.Remove(m);
            }
            else m.AccountId = s.Id;
        }
        moved["targetLists"] = places.Count - own.Count;
    }

    private static async Task MoveContactChildrenAsync(RevLoopDb db, Contact s, Contact d, Dictionary<string, int> moved, CancellationToken ct)
    {
        var activities = await db.Activities.IgnoreQueryFilters().Where(a => a.ContactId == d.Id).ToListAsync(ct);
        activities.ForEach(a => a.ContactId = s.Id);
        var opportunities = await db.Opportunities.IgnoreQueryFilters().Where(o => o.PrimaryContactId == d.Id).ToListAsync(ct);
        opportunities.ForEach(o => o.PrimaryContactId = s.Id);
        var conversions = await db.Leads.IgnoreQueryFilters().Where(l => l.ConvertedContactId == d.Id).ToListAsync(ct);
        conversions.ForEach(l => l.ConvertedContactId = s.Id);
        moved["activities"] = activities.Count;
        moved["opportunities"] = opportunities.Count;
        moved["leadConversions"] = conversions.Count;
        moved["contactRoles"] = await MoveContactRolesAsync(db, s.Id, d.Id, ct);
        await MoveChannelsAsync(db, "contact", d.Id, d.Email, d.ExtraEmails, d.Phone, d.ExtraPhones, moved, ct);
    }

    /// <summary>
    /// The duplicate's roles in deals become the survivor's. A deal has one role row per contact, so where the survivor
    /// already has a role in the deal it keeps its own and the duplicate's is removed; where the survivor's role there
    /// was removed before, that row comes back with the duplicate's role (as adding it again would). Returns the roles
    /// the survivor gained.
    /// </summary>
    private static async Task<int> MoveContactRolesAsync(RevLoopDb db, Guid survivorId, Guid duplicateId, CancellationToken ct)
    {
        var roles = await db.OpportunityContactRoles.IgnoreQueryFilters().Where(r => r.ContactId == duplicateId && r.DeletedAt == null).ToListAsync(ct);
        if (roles.Count == 0) return 0;
        var dealIds = roles.Select(r => r.OpportunityId).ToList();
        var survivorRoles = await db.OpportunityContactRoles.IgnoreQueryFilters()
            .Where(r => r.ContactId == survivorId && dealIds.Contains(r.OpportunityId)).ToDictionaryAsync(r => r.OpportunityId, ct);
        var gained = 0;
        foreach (var role in roles)
        {
            if (!survivorRoles.TryGetValue(role.OpportunityId, out var own))
            {
                role.ContactId = survivorId;
                gained++;
                continue;
            }
            if (own.DeletedAt is not null)
            {
                own.Role = role.Role;
                own.DeletedAt = null;
                gained++;
            }
            db.OpportunityContactRoles.Remove(role);
        }
        return gained;
    }

    private static async Task MoveLeadChildrenAsync(RevLoopDb db, Lead s, Lead d, Dictionary<string, int> moved, CancellationToken ct)
    {
        if (d.Status == LeadStatus.Converted && s.Status != LeadStatus.Converted)
            throw new MergeRefused(409, "The duplicate lead is converted", $"Merge the other way: keep the converted lead {d.Id} and merge {s.Id} into it.");
        var activities = await db.Activities.IgnoreQueryFilters().Where(a => a.LeadId == d.Id).ToListAsync(ct);
        activities.ForEach(a => a.LeadId = s.Id);
        moved["activities"] = activities.Count;
        await MoveChannelsAsync(db, "lead", d.Id, d.Email, d.ExtraEmails, d.Phone, d.ExtraPhones, moved, ct);
    }

    // The duplicate's emails and phones become the survivor's (see AllChannels); its matching rows go, so it no longer matches.
    private static async Task MoveChannelsAsync(RevLoopDb db, string type, Guid duplicateId, string? email, string? extraEmails, string? phone, string? extraPhones,
        Dictionary<string, int> moved, CancellationToken ct)
    {
        db.ContactPoints.RemoveRange(await db.ContactPoints.Where(p => p.RecordType == type && p.RecordId == duplicateId).ToListAsync(ct));
        moved["emails"] = (email is null ? 0 : 1) + PersonRules.Lines(extraEmails).Count;
        moved["phones"] = (phone is null ? 0 : 1) + PersonRules.Lines(extraPhones).Count;
    }
}
