using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Contacts;
using RevLoop.Data;
using RevLoop.Server.Crm.Duplicates;
using RevLoop.Server.Crm.Configuration;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Contacts;

/// <param name="Emails">Further email addresses besides <paramref name="Email"/>.</param>
/// <param name="Phones">Further E.164 phone numbers besides <paramref name="Phone"/>.</param>
public sealed record ContactDto(Guid Id, Guid? AccountId, string FirstName, string LastName, string? Title, string? DealRole, string? Email, string? Phone,
    IReadOnlyList<string> Emails, IReadOnlyList<string> Phones, string EmailConsent, string PhoneConsent, string SmsConsent, Guid? OwnerId,
    long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<string>? Tags = null, IReadOnlyDictionary<string, JsonElement>? CustomFields = null,
    int Score = 0)
{
    public static ContactDto From(Contact c) => new(c.Id, c.AccountId, c.FirstName, c.LastName, c.Title, c.DealRole, c.Email, c.Phone,
        PersonRules.Lines(c.ExtraEmails), PersonRules.Lines(c.ExtraPhones), c.EmailConsent, c.PhoneConsent, c.SmsConsent, c.OwnerId, c.Version, c.CreatedAt, c.UpdatedAt,
        TagsAndCustomFields.TagList(c.Tags), TagsAndCustomFields.ToDictionary(c.CustomFields), c.Score);
}

public sealed record ContactInput(string? FirstName, string? LastName, Guid? AccountId = null, string? Title = null, string? DealRole = null,
    string? Email = null, string? Phone = null, string? EmailConsent = null, string? PhoneConsent = null, string? SmsConsent = null, Guid? OwnerId = null,
    IReadOnlyList<string?>? Emails = null, IReadOnlyList<string?>? Phones = null, IReadOnlyList<string>? Tags = null,
    IReadOnlyDictionary<string, JsonElement>? CustomFields = null)
{
    public static ContactInput From(Contact c) => new(c.FirstName, c.LastName, c.AccountId, c.Title, c.DealRole, c.Email, c.Phone,
        c.EmailConsent, c.PhoneConsent, c.SmsConsent, c.OwnerId, PersonRules.Lines(c.ExtraEmails), PersonRules.Lines(c.ExtraPhones),
        TagsAndCustomFields.TagList(c.Tags), TagsAndCustomFields.ToDictionary(c.CustomFields));
}

/// <summary>
/// A created contact and the visible records that share an email or phone with it (a warning, not a refusal):
/// <c>duplicates</c> with what matched; <c>possibleDuplicates</c> (their ids) is kept for older clients.
/// </summary>
public sealed record ContactCreatedDto(ContactDto Contact, IReadOnlyList<Guid> PossibleDuplicates, IReadOnlyList<DuplicateDto> Duplicates);

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
        HistoryApi.Register("contacts", "contact", (db, id, ct) => db.Contacts.AnyAsync(c => c.Id == id, ct),
            (db, id, ct) => db.Contacts.IgnoreQueryFilters().Where(x => x.Id == id).Select(x => x.MergedIntoId).FirstOrDefaultAsync(ct));
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

    public static async Task<Results<Created<ContactCreatedDto>, ProblemHttpResult>> Create(ContactInput input, string? onDuplicate, RevLoopDb db, Viewer viewer,
        HttpResponse response, CancellationToken ct)
    {
        var reject = DuplicatePolicy.Rejects(onDuplicate);
        if (input.OwnerId is null && viewer.UserId is { } me && me != Guid.Empty) input = input with { OwnerId = me };
        var c = new Contact();
        await ContactRules.ApplyAsync(db, c, input, ct);
        var duplicates = await DuplicateFinder.ForContactAsync(db, c, ct);
        if (reject && duplicates.Count > 0) return DuplicatePolicy.Conflict("contact", duplicates);
        db.Contacts.Add(c);
        await db.SaveChangesAsync(ct);
        response.Headers.ETag = ETags.For(c.Version);
        return TypedResults.Created($"/api/v1/contacts/{c.Id}", new ContactCreatedDto(ContactDto.From(c), duplicates.Select(d => d.Id).ToList(), duplicates));
    }
}

public static class ContactRules
{
    public static async Task ApplyAsync(RevLoopDb db, Contact c, ContactInput i, CancellationToken ct)
    {
        (c.FirstName, c.LastName) = PersonRules.Names(i.FirstName, i.LastName);
        (c.Email, c.NormalizedEmail) = PersonRules.Email(i.Email);
        var callingCode = await PersonRules.CallingCodeAsync(db, ct);
        c.Phone = PersonRules.Phone("phone", i.Phone, callingCode);
        c.ExtraEmails = PersonRules.ExtraEmails(i.Emails, c.NormalizedEmail);
        c.ExtraPhones = PersonRules.ExtraPhones(i.Phones, c.Phone, callingCode);
        c.Title = PersonRules.Optional("title", i.Title, 200);
        c.DealRole = PersonRules.OneOf("dealRole", i.DealRole, Contact.DealRoles);
        c.EmailConsent = PersonRules.Consent("emailConsent", i.EmailConsent);
        c.PhoneConsent = PersonRules.Consent("phoneConsent", i.PhoneConsent);
        c.SmsConsent = PersonRules.Consent("smsConsent", i.SmsConsent);
        await TagsAndCustomFields.ApplyAsync(db, c, "contact", i.Tags, i.CustomFields, ct);
        if (i.AccountId is { } a && !await db.Accounts.AnyAsync(x => x.Id == a, ct)) throw new InputException("accountId", $"no account has id {a}");
        c.AccountId = i.AccountId;
        await new Ownership(db).AssignAsync(c, i.OwnerId, ct);
        await ContactPointIndex.SyncAsync(db, "contact", c.Id, db.Entry(c).State is EntityState.Detached or EntityState.Added, c.ExtraEmails, c.ExtraPhones, ct);
    }
}
