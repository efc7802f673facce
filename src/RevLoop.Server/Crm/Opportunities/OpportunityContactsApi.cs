using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Contacts;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Opportunities;

public sealed record ContactRoleDto(Guid Id, Guid ContactId, string FirstName, string LastName, string? Email, Guid? AccountId, string Role, bool IsPrimary,
    long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <param name="Role">decision_maker, champion, influencer, user or key_person; defaults to the contact's own deal role.</param>
/// <param name="IsPrimary">true makes this contact the deal's primary contact (it must belong to the deal's account); false stops it being primary.</param>
public sealed record ContactRoleInput(Guid? ContactId = null, string? Role = null, bool? IsPrimary = null);

/// <summary>
/// The contacts involved in a deal and their roles, under /api/v1/opportunities/{id}/contacts. Only visible deals and
/// visible contacts take part; every change is a tracked record change (history and an event) and, for the primary
/// contact, a change of the opportunity's primaryContactId.
/// </summary>
public static class OpportunityContactsApi
{
    public const int MaxPerOpportunity = 100;

    public static void MapOpportunityContactsApi(this RouteGroupBuilder g)
    {
        g.MapGet("/{id:guid}/contacts", List);
        g.MapPost("/{id:guid}/contacts", Add).RequireAuthorization(ApiPolicies.Write);
        g.MapPut("/{id:guid}/contacts/{contactId:guid}", Change).RequireAuthorization(ApiPolicies.Write);
        g.MapDelete("/{id:guid}/contacts/{contactId:guid}", Remove).RequireAuthorization(ApiPolicies.Write);
    }

    /// <summary>All roles of the deal (at most <see cref="MaxPerOpportunity"/>, so one page), primary first, then by name.</summary>
    public static async Task<Results<Ok<List<ContactRoleDto>>, NotFound>> List(Guid id, RevLoopDb db, CancellationToken ct)
    {
        var deal = await db.Opportunities.AsNoTracking().Where(o => o.Id == id).Select(o => new { o.PrimaryContactId }).FirstOrDefaultAsync(ct);
        if (deal is null) return TypedResults.NotFound();
        return TypedResults.Ok(await RolesAsync(db, id, deal.PrimaryContactId, ct));
    }

    public static async Task<List<ContactRoleDto>> RolesAsync(RevLoopDb db, Guid opportunityId, Guid? primary, CancellationToken ct)
    {
        // Joined with the visible contacts: a role of a contact the viewer may not see is not shown.
        var rows = await (from r in db.OpportunityContactRoles.AsNoTracking()
                          join c in db.Contacts.AsNoTracking() on r.ContactId equals c.Id
                          where r.OpportunityId == opportunityId
                          select new { r, c.FirstName, c.LastName, c.Email, c.AccountId }).Take(MaxPerOpportunity).ToListAsync(ct);
        return rows.Select(x => new ContactRoleDto(x.r.Id, x.r.ContactId, x.FirstName, x.LastName, x.Email, x.AccountId, x.r.Role, x.r.ContactId == primary,
                x.r.Version, x.r.CreatedAt, x.r.UpdatedAt))
            .OrderByDescending(x => x.IsPrimary).ThenBy(x => x.LastName, StringComparer.OrdinalIgnoreCase).ThenBy(x => x.FirstName, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public static async Task<Results<Created<ContactRoleDto>, NotFound, ProblemHttpResult>> Add(Guid id, ContactRoleInput input, RevLoopDb db, CancellationToken ct)
    {
        var deal = await db.Opportunities.FirstOrDefaultAsync(o => o.Id == id, ct);
        if (deal is null) return TypedResults.NotFound();
        var contactId = input.ContactId ?? throw new InputException("contactId", "is required");
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct) ?? throw new InputException("contactId", $"no contact has id {contactId}");
        var role = Role(input.Role ?? contact.DealRole);
        var existing = await db.OpportunityContactRoles.IgnoreQueryFilters().Where(r => r.OpportunityId == id && r.ContactId == contactId).FirstOrDefaultAsync(ct);
        if (existing is { DeletedAt: null }) return Problems.Status(409, "The contact already has a role in this deal", $"Change it with PUT /api/v1/opportunities/{id}/contacts/{contactId}.");
        if (await db.OpportunityContactRoles.CountAsync(r => r.OpportunityId == id, ct) >= MaxPerOpportunity)
            throw new InputException("contactId", $"a deal has at most {MaxPerOpportunity} contacts");
        // A role removed before comes back as the same record (restored), so its history continues.
        var row = existing ?? new OpportunityContactRole { OpportunityId = id, ContactId = contactId };
        row.Role = role;
        row.DeletedAt = null;
        if (existing is null) db.OpportunityContactRoles.Add(row);
        SetPrimary(deal, contact, input.IsPrimary);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/opportunities/{id}/contacts/{contactId}", Dto(row, contact, deal.PrimaryContactId));
    }

    public static async Task<Results<Ok<ContactRoleDto>, NotFound>> Change(Guid id, Guid contactId, ContactRoleInput input, RevLoopDb db, CancellationToken ct)
    {
        var deal = await db.Opportunities.FirstOrDefaultAsync(o => o.Id == id, ct);
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct);
        var row = await db.OpportunityContactRoles.FirstOrDefaultAsync(r => r.OpportunityId == id && r.ContactId == contactId, ct);
        if (deal is null || contact is null || row is null) return TypedResults.NotFound();
        if (input.ContactId is { } other && other != contactId) throw new InputException("contactId", "cannot change; remove this role and add one for the other contact");
        if (input.Role is not null) row.Role = Role(input.Role);
        SetPrimary(deal, contact, input.IsPrimary);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(Dto(row, contact, deal.PrimaryContactId));
    }

    public static async Task<Results<NoContent, NotFound>> Remove(Guid id, Guid contactId, RevLoopDb db, CancellationToken ct)
    {
        var deal = await db.Opportunities.FirstOrDefaultAsync(o => o.Id == id, ct);
        var row = await db.OpportunityContactRoles.FirstOrDefaultAsync(r => r.OpportunityId == id && r.ContactId == contactId, ct);
        if (deal is null || row is null || !await db.Contacts.AnyAsync(c => c.Id == contactId, ct)) return TypedResults.NotFound();
        db.OpportunityContactRoles.Remove(row);
        if (deal.PrimaryContactId == contactId) deal.PrimaryContactId = null;
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static void SetPrimary(Opportunity deal, Contact contact, bool? isPrimary)
    {
        if (isPrimary == true)
        {
            if (contact.AccountId != deal.AccountId) throw new InputException("isPrimary", "the primary contact must belong to the deal's account");
            deal.PrimaryContactId = contact.Id;
        }
        else if (isPrimary == false && deal.PrimaryContactId == contact.Id) deal.PrimaryContactId = null;
    }

    private static string Role(string? role)
    {
        var r = role?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(r)) throw new InputException("role", $"is required (the contact has no deal role): one of {string.Join(", ", Contact.DealRoles)}");
        return Contact.DealRoles.Contains(r) ? r : throw new InputException("role", $"must be one of {string.Join(", ", Contact.DealRoles)}");
    }

    private static ContactRoleDto Dto(OpportunityContactRole r, Contact c, Guid? primary) =>
        new(r.Id, r.ContactId, c.FirstName, c.LastName, c.Email, c.AccountId, r.Role, r.ContactId == primary, r.Version, r.CreatedAt, r.UpdatedAt);
}
