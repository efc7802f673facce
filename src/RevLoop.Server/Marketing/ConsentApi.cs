using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Server.Crm;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

public sealed record SuppressionDto(long Id, string Kind, string Value, string? Reason, DateTimeOffset CreatedAt, string CreatedBy);
public sealed record SuppressionInput(string? Email = null, string? Domain = null, string? Reason = null);
public sealed record ConsentCheckInput(Guid? ContactId = null, Guid? LeadId = null, string? Channel = null, string? Action = null);
public sealed record ContactBlockDto(long Id, string PersonType, Guid PersonId, string Channel, string Action, string Reason, DateTimeOffset BlockedAt, string Actor);

/// <summary>The global suppression list, the "may we contact" check and the log of blocked contacts.</summary>
public static class ConsentApi
{
    public static void MapConsentApi(this IEndpointRouteBuilder app)
    {
        var s = app.MapGroup("/api/v1/suppressions").WithTags("Consent").RequireAuthorization(ApiPolicies.Read);
        s.MapGet("/", List);
        s.MapPost("/", Add).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        s.MapDelete("/{id:long}", Remove).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        var c = app.MapGroup("/api/v1/consent").WithTags("Consent").RequireAuthorization(ApiPolicies.Read);
        c.MapPost("/check", Check).RequireAuthorization(ApiPolicies.Write);
        c.MapGet("/blocks", Blocks);
    }

    public static async Task<Ok<Page<SuppressionDto>>> List(string? q, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        var size = Paging.Size(pageSize);
        var query = db.Suppressions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q)) { var p = q.Trim().ToLowerInvariant(); query = query.Where(x => x.Value.StartsWith(p)); }
        if (cursor is not null)
        {
            var after = long.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var n) ? n : throw new InputException("cursor", "is not a cursor this list returned");
            query = query.Where(x => x.Id > after);
        }
        var rows = await query.OrderBy(x => x.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Id.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<SuppressionDto>(rows.Take(size).Select(Dto).ToList(), next, size));
    }

    private static SuppressionDto Dto(SuppressionEntry x) => new(x.Id, x.Kind, x.Value, x.Reason, x.CreatedAt, x.CreatedBy);

    public static async Task<Created<SuppressionDto>> Add(SuppressionInput input, RevLoopDb db, CancellationToken ct)
    {
        var (kind, value) = (input.Email, input.Domain) switch
        {
            ({ } e, null) => ("email", PersonRules.Email("email", e).Normalized ?? throw new InputException("email", "is required")),
            (null, { } d) when !string.IsNullOrWhiteSpace(d) => ("domain", RevLoop.Server.Crm.Accounts.AccountRules.NormaliseDomain(d)),
            (null, _) => throw new InputException("email", "give an email or a domain"),
            _ => throw new InputException("domain", "give an email or a domain, not both"),
        };
        if (await db.Suppressions.AnyAsync(x => x.Kind == kind && x.Value == value, ct)) throw new InputException(kind, $"{value} is already on the suppression list");
        var entry = new SuppressionEntry { Kind = kind, Value = value, Reason = PersonRules.Optional("reason", input.Reason, 300), CreatedAt = db.Clock.GetUtcNow(), CreatedBy = db.Origin.Actor };
        db.Suppressions.Add(entry);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/suppressions/{entry.Id}", Dto(entry));
    }

    public static async Task<Results<NoContent, NotFound>> Remove(long id, RevLoopDb db, CancellationToken ct) =>
        await db.Suppressions.Where(x => x.Id == id).ExecuteDeleteAsync(ct) == 0 ? TypedResults.NotFound() : TypedResults.NoContent();

    public static async Task<Ok<ContactDecision>> Check(ConsentCheckInput input, RevLoopDb db, CancellationToken ct)
    {
        var (type, id) = (input.ContactId, input.LeadId) switch
        {
            ({ } c, null) => (PersonTypes.Contact, c),
            (null, { } l) => (PersonTypes.Lead, l),
            (null, null) => throw new InputException("contactId", "give a contactId or a leadId"),
            _ => throw new InputException("leadId", "give a contactId or a leadId, not both"),
        };
        var channel = PersonRules.OneOf("channel", input.Channel, ContactPolicy.Channels) ?? throw new InputException("channel", $"is required ({string.Join(", ", ContactPolicy.Channels)})");
        var action = PersonRules.Optional("action", input.Action, 40) ?? (channel == ContactPolicy.Email ? "send_email" : channel == ContactPolicy.Phone ? "call_task" : "sms");
        return TypedResults.Ok(await ContactPolicy.DecideAsync(db, type, id, channel, action, ct));
    }

    public static async Task<Ok<Page<ContactBlockDto>>> Blocks(Guid? contactId, Guid? leadId, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        var q = db.ContactBlocks.AsNoTracking();
        // Through the person's own (filtered) set, as for touches.
        if (contactId is { } c)
        {
            if (!await db.Contacts.AnyAsync(x => x.Id == c, ct)) throw new InputException("contactId", $"no contact has id {c}");
            q = q.Where(b => b.PersonType == PersonTypes.Contact && b.PersonId == c);
        }
        else if (leadId is { } l)
        {
            if (!await db.Leads.AnyAsync(x => x.Id == l, ct)) throw new InputException("leadId", $"no lead has id {l}");
            q = q.Where(b => b.PersonType == PersonTypes.Lead && b.PersonId == l);
        }
        else throw new InputException("contactId", "give contactId or leadId");
        var size = Paging.Size(pageSize);
        if (cursor is not null)
        {
            var before = long.TryParse(Paging.DecodeCursor(cursor, 1)[0], out var n) ? n : throw new InputException("cursor", "is not a cursor this list returned");
            q = q.Where(b => b.Id < before);
        }
        var rows = await q.OrderByDescending(b => b.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Id.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<ContactBlockDto>(rows.Take(size).Select(b => new ContactBlockDto(b.Id, b.PersonType, b.PersonId, b.Channel, b.Action, b.Reason, b.BlockedAt, b.Actor)).ToList(), next, size));
    }
}
