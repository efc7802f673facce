using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Crm.Contacts;
using RevLoop.Data;
using RevLoop.Marketing;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing;

public sealed record ContactDecision(bool Allowed, string Channel, string? Reason);

/// <summary>
/// THE place that decides "may we contact this person on this channel": email needs consent not opted out and an
/// address not on the suppression list (by itself or its domain); phone calls and SMS need consent opted in (unsolicited
/// calls and texts are not allowed). Every "no" is written to <see cref="ContactBlock"/> with who asked and why, and
/// shows on the person's page. Whatever sends an email, schedules a call task for a cold contact or an SMS asks here.
/// </summary>
public static class ContactPolicy
{
    public const string Email = "email", Phone = "phone", Sms = "sms";
    public static readonly IReadOnlyList<string> Channels = [Email, Phone, Sms];

    public static async Task<ContactDecision> DecideAsync(RevLoopDb db, string personType, Guid personId, string channel, string action, CancellationToken ct)
    {
        var person = personType switch
        {
            PersonTypes.Contact => await db.Contacts.AsNoTracking().Where(c => c.Id == personId)
                .Select(c => new { c.NormalizedEmail, c.EmailConsent, c.PhoneConsent, c.SmsConsent }).FirstOrDefaultAsync(ct),
            PersonTypes.Lead => await db.Leads.AsNoTracking().Where(l => l.Id == personId)
                .Select(l => new { l.NormalizedEmail, l.EmailConsent, l.PhoneConsent, l.SmsConsent }).FirstOrDefaultAsync(ct),
            _ => null,
        } ?? throw new InputException(personType == PersonTypes.Lead ? "leadId" : "contactId", $"no {personType} has id {personId}");
        string? reason = channel switch
        {
            Email when person.EmailConsent == Consent.OptedOut => "opted out of email",
            Email when person.NormalizedEmail is null => "has no email address",
            Email => await SuppressedAsync(db, person.NormalizedEmail, ct),
            Phone when person.PhoneConsent != Consent.OptedIn => person.PhoneConsent == Consent.OptedOut ? "opted out of calls" : "has not opted in to calls",
            Sms when person.SmsConsent != Consent.OptedIn => person.SmsConsent == Consent.OptedOut ? "opted out of SMS" : "has not opted in to SMS",
            Phone or Sms => null,
            _ => throw new InputException("channel", $"must be one of {string.Join(", ", Channels)}"),
        };
        if (reason is not null)
        {
            db.ContactBlocks.Add(new ContactBlock
            {
                PersonType = personType, PersonId = personId, Channel = channel, Action = action, Reason = reason,
                BlockedAt = db.Clock.GetUtcNow(), Actor = db.Origin.Actor,
            });
            await db.SaveChangesAsync(ct);
        }
        return new ContactDecision(reason is null, channel, reason);
    }

    private static async Task<string?> SuppressedAsync(RevLoopDb db, string email, CancellationToken ct)
    {
        var domain = email[(email.LastIndexOf('@') + 1)..];
        var hit = await db.Suppressions.AsNoTracking()
            .Where(s => (s.Kind == "email" && s.Value == email) || (s.Kind == "domain" && s.Value == domain))
            .OrderBy(s => s.Kind).Select(s => new { s.Kind, s.Value }).FirstOrDefaultAsync(ct);
        return hit is null ? null : $"{hit.Kind} {hit.Value} is on the suppression list";
    }
}
