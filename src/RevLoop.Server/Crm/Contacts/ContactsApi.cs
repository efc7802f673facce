using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Contacts;
using RevLoop.Data;
using RevLoop.Server.Crm.Configuration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Contacts;

public sealed record ContactDto(Guid Id, Guid? AccountId, string FirstName, string LastName, string? Title, string? DealRole, string? Email, string? Phone,
    string EmailConsent, string PhoneConsent, string SmsConsent, Guid? OwnerId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<string>? Tags = null, IReadOnlyDictionary<string, JsonElement>? CustomFields = null)
{
    public static ContactDto From(Contact c) => new(c.Id, c.AccountId, c.FirstName, c.LastName, c.Title, c.DealRole, c.Email, c.Phone,
        c.EmailConsent, c.PhoneConsent, c.SmsConsent, c.OwnerId, c.Version, c.CreatedAt, c.UpdatedAt, TagsAndCustomFields.TagList(c.Tags),
        TagsAndCustomFields.ToDictionary(c.CustomFields));
}

public sealed record ContactInput(string? FirstName, string? LastName, Guid? AccountId = null, string? Title = null, string? DealRole = null,
    string? Email = null, string? Phone = null, string? EmailConsent = null, string? PhoneConsent = null, string? SmsConsent = null, Guid? OwnerId = null,
    IReadOnlyList<string>? Tags = null, IReadOnlyDictionary<string, JsonElement>? CustomFields = null)
{
    public static ContactInput From(Contact c) => new(c.FirstName, c.LastName, c.AccountId, c.Title, c.DealRole, c.Email, c.Phone,
        c.EmailConsent, c.PhoneConsent, c.SmsConsent, c.OwnerId, TagsAndCustomFields.TagList(c.Tags), TagsAndCustomFields.ToDictionary(c.CustomFields));
}

/// <summary>A created contact and the visible contacts that share its email or phone (a warning, not a refusal).</summary>
public sealed record ContactCreatedDto(ContactDto Contact, IReadOnlyList<Guid> PossibleDuplicates);

public static class ContactsApi
{
    public static void MapContactsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/contacts").WithTags("Contacts").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", List);
        g.MapGet("/{id:guid}", (Guid id, RevLoopDb db, HttpResponse response, CancellationToken ct) => RecordEndpoints.GetAsync(db.Contacts, id, ContactDto.From, response, ct));
        g.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write);
        g.MapPut("/{id:guid}", (Guid id, ContactInput input, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            RecordEndpoints.UpdateAsync(db, db.Contacts, id, request, response, c => ContactRules.ApplyAsync(db, c, input, ct), ContactDto.From, ct)).RequireAuthorization(ApiPolicies.Write);
        g.MapPatch("/{id:guid}", (Guid id, JsonElement patch, RevLoopDb db, HttpRequest request, HttpResponse response, CancellationToken ct) =>
            RecordEndpoints.UpdateAsync(db, db.Contacts, id, request, response, c => ContactRules.ApplyAsync(db, c, MergePatch.Apply(ContactInput.From(c), patch, "contact"), ct), ContactDto.From, ct))
            .RequireAuthorization(ApiPolicies.Write).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        g.MapDelete("/{id:guid}", (Guid id, RevLoopDb db, HttpRequest request, CancellationToken ct) => RecordEndpoints.DeleteAsync(db, db.Contacts, id, request, ct)).RequireAuthorization(ApiPolicies.Write);
        HistoryApi.Register("contacts", "contact", (db, id, ct) => db.Contacts.AnyAsync(c => c.Id == id, ct));
    }

    public static async Task<Ok<Page<ContactDto>>> List(Guid? accountId, string? email, Guid? ownerId, string? tag, string? cursor, int? pageSize, RevLoopDb db,
        HttpRequest request, CancellationToken ct)
    {
        var q = await TagsAndCustomFields.FilterAsync(db, db.Contacts, "contact", tag, request.Query, ct);
        if (accountId is { } a) q = q.Where(c => c.AccountId == a);
        if (email is not null) { var e = email.Trim().ToLowerInvariant(); q = q.Where(c => c.NormalizedEmail == e); }
        if (ownerId is { } o) q = q.Where(c => c.OwnerId == o);
        return TypedResults.Ok(await RecordEndpoints.PageByIdAsync(q, cursor, pageSize, ContactDto.From, ct));
    }

    public static async Task<Created<ContactCreatedDto>> Create(ContactInput input, RevLoopDb db, Viewer viewer, HttpResponse response, CancellationToken ct)
    {
        if (input.OwnerId is null && viewer.UserId is { } me && me != Guid.Empty) input = input with { OwnerId = me };
        var c = new Contact();
        await ContactRules.ApplyAsync(db, c, input, ct);
        var duplicates = await db.Contacts.Where(x => (c.NormalizedEmail != null && x.NormalizedEmail == c.NormalizedEmail) || (c.Phone != null && x.Phone == c.Phone))
            .Select(x => x.Id).Take(10).ToListAsync(ct);
        db.Contacts.Add(c);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(c.Version);
        return TypedResults.Created($"/api/v1/contacts/{c.Id}", new ContactCreatedDto(ContactDto.From(c), duplicates));
    }
}

public static class ContactRules
{
    public static async Task ApplyAsync(RevLoopDb db, Contact c, ContactInput i, CancellationToken ct)
    {
        (c.FirstName, c.LastName) = PersonRules.Names(i.FirstName, i.LastName);
        (c.Email, c.NormalizedEmail) = PersonRules.Email(i.Email);
        c.Phone = PersonRules.Phone(i.Phone);
        c.Title = PersonRules.Optional("title", i.Title, 200);
        c.DealRole = PersonRules.OneOf("dealRole", i.DealRole, Contact.DealRoles);
        c.EmailConsent = PersonRules.Consent("emailConsent", i.EmailConsent);
        c.PhoneConsent = PersonRules.Consent("phoneConsent", i.PhoneConsent);
        c.SmsConsent = PersonRules.Consent("smsConsent", i.SmsConsent);
        await TagsAndCustomFields.ApplyAsync(db, c, "contact", i.Tags, i.CustomFields, ct);
        if (i.AccountId is { } a && !await db.Accounts.AnyAsync(x => x.Id == a, ct)) throw new InputException("accountId", $"no account has id {a}");
        c.AccountId = i.AccountId;
        await new Ownership(db).AssignAsync(c, i.OwnerId, ct);
    }
}
