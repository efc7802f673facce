using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Crm.Contacts;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Platform;
using RevLoop.Server.Platform;
using RevLoop.Server.Web.Components;

namespace RevLoop.Server.Marketing;

public sealed record UnsubscribeLinkInput(Guid? ContactId, Guid? LeadId);
public sealed record UnsubscribeLinkDto(string Url, string Path);

/// <summary>
/// The unsubscribe link every marketing email carries: <c>/unsubscribe/{token}</c>, the token naming the contact or lead
/// and signed with the installation's secret, so it works without signing in, for years, and cannot be made up for
/// somebody else. GET shows what will happen; POST (the page's button, or a mail client's RFC 8058 one-click) opts the
/// person out of email. The change goes into the person's history with source "unsubscribe", so consent keeps its
/// source and time, and <see cref="ContactPolicy"/> refuses email from then on.
/// </summary>
public static class Unsubscribe
{
    private const string SecretName = "unsubscribe";
    private const int SignatureBytes = 16;

    public static void MapUnsubscribe(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/consent/unsubscribe-links", CreateLink).WithTags("Consent").RequireAuthorization(ApiPolicies.Write);
        app.MapGet("/unsubscribe/{token}", Show).AllowAnonymous().ExcludeFromDescription();
        // The token is the authorisation; mail clients post one-click unsubscribes without cookies or a form token.
        app.MapPost("/unsubscribe/{token}", Confirm).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
    }

    public static async Task<Ok<UnsubscribeLinkDto>> CreateLink(UnsubscribeLinkInput input, RevLoopDb db, HttpRequest request, CancellationToken ct)
    {
        var (kind, id) = (input.ContactId, input.LeadId) switch
        {
            ({ } c, null) => (PersonTypes.Contact, c),
            (null, { } l) => (PersonTypes.Lead, l),
            _ => throw new InputException("contactId", "give a contactId or a leadId"),
        };
        var exists = kind == PersonTypes.Contact ? await db.Contacts.AnyAsync(c => c.Id == id, ct) : await db.Leads.AnyAsync(l => l.Id == id, ct);
        if (!exists) throw new InputException(kind == PersonTypes.Contact ? "contactId" : "leadId", $"no {kind} has id {id}");
        var path = "/unsubscribe/" + Sign(await SecretAsync(db, ct), kind, id);
        return TypedResults.Ok(new UnsubscribeLinkDto($"{request.Scheme}://{request.Host}{path}", path));
    }

    public static async Task<IResult> Show(string token, RevLoopDb db, CancellationToken ct)
    {
        var person = await FindAsync(db, token, ct);
        return person is null ? Invalid() : new RazorComponentResult<UnsubscribeDocument>(new { Token = token, Email = Mask(person.Value.Email), Done = false });
    }

    public static async Task<IResult> Confirm(string token, RevLoopDb db, CancellationToken ct)
    {
        var person = await FindAsync(db, token, ct);
        if (person is null) return Invalid();
        var (kind, id, email) = person.Value;
        db.Origin.Actor = $"{kind}:{id}";
        db.Origin.Source = ChangeSources.Unsubscribe;
        // Idempotent: a second click (or the mail client's one-click and then the button) changes nothing more.
        if (kind == PersonTypes.Contact)
        {
            var c = await db.Contacts.IgnoreQueryFilters().FirstAsync(x => x.Id == id, ct);
            if (c.EmailConsent != Consent.OptedOut) { c.EmailConsent = Consent.OptedOut; await db.SaveChangesAsync(ct); }
        }
        else
        {
            var l = await db.Leads.IgnoreQueryFilters().FirstAsync(x => x.Id == id, ct);
            if (l.EmailConsent != Consent.OptedOut) { l.EmailConsent = Consent.OptedOut; await db.SaveChangesAsync(ct); }
        }
        return new RazorComponentResult<UnsubscribeDocument>(new { Token = token, Email = Mask(email), Done = true });
    }

    private static RazorComponentResult<UnsubscribeDocument> Invalid() =>
        new(new { Token = "", Email = (string?)null, Done = false }) { StatusCode = 404 };

    /// <summary>The person a token names, if its signature holds and the person still exists (whoever owns them: the link is the permission).</summary>
    private static async Task<(string Kind, Guid Id, string? Email)?> FindAsync(RevLoopDb db, string token, CancellationToken ct)
    {
        if (Read(await SecretAsync(db, ct), token) is not var (kind, id)) return null;
        if (kind == PersonTypes.Contact)
        {
            var c = await db.Contacts.IgnoreQueryFilters().AsNoTracking().Where(x => x.Id == id && x.DeletedAt == null).Select(x => new { x.Email }).FirstOrDefaultAsync(ct);
            return c is null ? null : (kind, id, c.Email);
        }
        var l = await db.Leads.IgnoreQueryFilters().AsNoTracking().Where(x => x.Id == id && x.DeletedAt == null).Select(x => new { x.Email }).FirstOrDefaultAsync(ct);
        return l is null ? null : (kind, id, l.Email);
    }

    public static string Sign(byte[] secret, string kind, Guid id)
    {
        Span<byte> payload = stackalloc byte[17 + SignatureBytes];
        payload[0] = kind == PersonTypes.Contact ? (byte)'c' : (byte)'l';
        id.TryWriteBytes(payload[1..17], bigEndian: true, out _);
        HMACSHA256.HashData(secret, payload[..17])[..SignatureBytes].CopyTo(payload[17..]);
        return Base64Url.EncodeToString(payload);
    }

    public static (string Kind, Guid Id)? Read(byte[] secret, string token)
    {
        if (token.Length > 64) return null;
        Span<byte> payload = stackalloc byte[48];
        if (!Base64Url.TryDecodeFromChars(token, payload, out var n) || n != 17 + SignatureBytes) return null;
        var kind = payload[0] switch { (byte)'c' => PersonTypes.Contact, (byte)'l' => PersonTypes.Lead, _ => null };
        if (kind is null) return null;
        var expected = HMACSHA256.HashData(secret, payload[..17])[..SignatureBytes];
        if (!CryptographicOperations.FixedTimeEquals(expected, payload[17..n])) return null;
        return (kind, new Guid(payload[1..17], bigEndian: true));
    }

    /// <summary>The installation's signing key, made on first use; two servers making it at once agree on the first one stored.</summary>
    private static async Task<byte[]> SecretAsync(RevLoopDb db, CancellationToken ct)
    {
        var value = await db.InstallationSecrets.AsNoTracking().Where(s => s.Name == SecretName).Select(s => s.Value).FirstOrDefaultAsync(ct);
        if (value is null)
        {
            var made = new InstallationSecret { Name = SecretName, Value = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)) };
            db.InstallationSecrets.Add(made);
            try { await db.SaveChangesAsync(ct); value = made.Value; }
            catch (DbUpdateException)
            {
                db.Entry(made).State = EntityState.Detached;
                value = await db.InstallationSecrets.AsNoTracking().Where(s => s.Name == SecretName).Select(s => s.Value).FirstAsync(ct);
            }
        }
        return Base64Url.DecodeFromChars(value);
    }

    /// <summary>Enough of the address for its owner to recognise it, not enough to harvest it from a forwarded link.</summary>
    public static string? Mask(string? email)
    {
        if (email is null) return null;
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : email[0] + new string('*', Math.Max(3, at - 1)) + email[at..];
    }
}
