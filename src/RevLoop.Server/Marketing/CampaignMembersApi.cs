using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Server.Crm;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

public sealed record CampaignMemberDto(long Id, string PersonType, Guid PersonId, string Name, string? Email, string Status, DateTimeOffset AddedAt, DateTimeOffset UpdatedAt);
public sealed record CampaignMemberInput(Guid? ContactId = null, Guid? LeadId = null, string? Status = null);

/// <summary>The contacts and leads in a campaign and their status; adding someone already in it updates their status.</summary>
public static class CampaignMembersApi
{
    public static void Map(RouteGroupBuilder campaigns)
    {
        campaigns.MapGet("/{id:guid}/members", List);
        campaigns.MapPost("/{id:guid}/members", Upsert).RequireAuthorization(ApiPolicies.Write);
        campaigns.MapDelete("/{id:guid}/members/{memberId:long}", Remove).RequireAuthorization(ApiPolicies.Write);
    }

    public static async Task<Results<Ok<Page<CampaignMemberDto>>, NotFound>> List(Guid id, string? status, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.Campaigns.AnyAsync(c => c.Id == id, ct)) return TypedResults.NotFound();
        var size = Paging.Size(pageSize);
        var q = db.CampaignMembers.AsNoTracking().Where(m => m.CampaignId == id);
        if (status is not null) q = q.Where(m => m.Status == status);
        if (cursor is not null)
        {
            var after = long.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var n) ? n : throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(m => m.Id > after);
        }
        var rows = await q.OrderBy(m => m.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        rows = rows.Take(size).ToList();
        var people = await PeopleAsync(db, rows.Select(m => (m.PersonType, m.PersonId)).ToList(), ct);
        // A member whose record the viewer may not see is left out of their page rather than shown without a name.
        var items = rows.Where(m => people.ContainsKey((m.PersonType, m.PersonId)))
            .Select(m => { var p = people[(m.PersonType, m.PersonId)]; return new CampaignMemberDto(m.Id, m.PersonType, m.PersonId, p.Name, p.Email, m.Status, m.AddedAt, m.UpdatedAt); })
            .ToList();
        return TypedResults.Ok(new Page<CampaignMemberDto>(items, next, size));
    }

    /// <summary>Names and emails of contacts and leads (visible to the viewer), two queries for any number of people.</summary>
    public static async Task<Dictionary<(string, Guid), (string Name, string? Email)>> PeopleAsync(RevLoopDb db, IReadOnlyList<(string Type, Guid Id)> people, CancellationToken ct)
    {
        var contactIds = people.Where(p => p.Type == PersonTypes.Contact).Select(p => p.Id).Distinct().ToList();
        var leadIds = people.Where(p => p.Type == PersonTypes.Lead).Select(p => p.Id).Distinct().ToList();
        var result = new Dictionary<(string, Guid), (string, string?)>();
        if (contactIds.Count > 0)
            foreach (var c in await db.Contacts.AsNoTracking().Where(c => contactIds.Contains(c.Id)).Select(c => new { c.Id, c.FirstName, c.LastName, c.Email }).ToListAsync(ct))
                result[(PersonTypes.Contact, c.Id)] = ($"{c.FirstName} {c.LastName}".Trim(), c.Email);
        if (leadIds.Count > 0)
            foreach (var l in await db.Leads.AsNoTracking().Where(l => leadIds.Contains(l.Id)).Select(l => new { l.Id, l.FirstName, l.LastName, l.Email }).ToListAsync(ct))
                result[(PersonTypes.Lead, l.Id)] = ($"{l.FirstName} {l.LastName}".Trim(), l.Email);
        return result;
    }

    public static async Task<Results<Created<CampaignMemberDto>, Ok<CampaignMemberDto>, NotFound>> Upsert(Guid id, CampaignMemberInput input, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.Campaigns.AnyAsync(c => c.Id == id, ct)) return TypedResults.NotFound();
        var (type, personId) = (input.ContactId, input.LeadId) switch
        {
            ({ } c, null) => (PersonTypes.Contact, c),
            (null, { } l) => (PersonTypes.Lead, l),
            (null, null) => throw new InputException("contactId", "give a contactId or a leadId"),
            _ => throw new InputException("leadId", "give a contactId or a leadId, not both"),
        };
        var people = await PeopleAsync(db, [(type, personId)], ct);
        if (!people.TryGetValue((type, personId), out var person)) throw new InputException(type == PersonTypes.Contact ? "contactId" : "leadId", $"no {type} has id {personId}");
        var status = PersonRules.OneOf("status", input.Status, CampaignMemberStatus.All) ?? CampaignMemberStatus.Targeted;
        var now = db.Clock.GetUtcNow();
        var member = await db.CampaignMembers.FirstOrDefaultAsync(m => m.CampaignId == id && m.PersonType == type && m.PersonId == personId, ct);
        var created = member is null;
        if (member is null)
        {
            member = new CampaignMember { CampaignId = id, PersonType = type, PersonId = personId, AddedAt = now };
            db.CampaignMembers.Add(member);
        }
        member.Status = status;
        member.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        var dto = new CampaignMemberDto(member.Id, type, personId, person.Name, person.Email, member.Status, member.AddedAt, member.UpdatedAt);
        return created ? TypedResults.Created($"/api/v1/campaigns/{id}/members/{member.Id}", dto) : TypedResults.Ok(dto);
    }

    public static async Task<Results<NoContent, NotFound>> Remove(Guid id, long memberId, RevLoopDb db, CancellationToken ct)
    {
        if (!await db.Campaigns.AnyAsync(c => c.Id == id, ct)) return TypedResults.NotFound();
        var removed = await db.CampaignMembers.Where(m => m.Id == memberId && m.CampaignId == id).ExecuteDeleteAsync(ct);
        return removed == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
