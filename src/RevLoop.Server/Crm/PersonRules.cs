using System.Net.Mail;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm;

/// <summary>Normalisation shared by contacts and leads: email, E.164 phone, consent values, names.</summary>
public static class PersonRules
{
    public static (string First, string Last) Names(string? first, string? last)
    {
        var f = first?.Trim() ?? "";
        var l = last?.Trim() ?? "";
        if (f.Length == 0 && l.Length == 0) throw new InputException("lastName", "a first or last name is required");
        if (f.Length > 100) throw new InputException("firstName", "must be at most 100 characters");
        if (l.Length > 100) throw new InputException("lastName", "must be at most 100 characters");
        return (f, l);
    }

    /// <summary>The email as given (trimmed) and its normalised form (lower case) for matching; null when blank.</summary>
    public static (string? Email, string? Normalized) Email(string? email) => Email("email", email);

    public static (string? Email, string? Normalized) Email(string field, string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return (null, null);
        var e = email.Trim();
        if (e.Length > 320 || !MailAddress.TryCreate(e, out var parsed) || parsed.Address != e || !e.Contains('.', StringComparison.Ordinal))
            throw new InputException(field, $"'{email}' is not an email address");
        return (e, e.ToLowerInvariant());
    }

    /// <summary>E.164 without a default calling code: the number must start with + or 00.</summary>
    public static string? Phone(string? phone) => Phone("phone", phone, null);

    /// <summary>E.164 (<see cref="PhoneNumbers.ToE164"/>); a national number takes <paramref name="callingCode"/>.</summary>
    public static string? Phone(string field, string? phone, string? callingCode)
    {
        if (string.IsNullOrWhiteSpace(phone)) return null;
        var r = PhoneNumbers.ToE164(phone, callingCode);
        return r.Number ?? throw new InputException(field, r.Error!);
    }

    public const int MaxExtras = 20;

    /// <summary>
    /// The extra emails, validated one by one (errors name "emails[2]"); an address equal to the primary one or to an
    /// earlier one (ignoring case) is dropped. Stored one per line; null when none.
    /// </summary>
    public static string? ExtraEmails(IReadOnlyList<string?>? items, string? primaryNormalized)
    {
        if (items is null || items.Count == 0) return null;
        if (items.Count > MaxExtras) throw new InputException("emails", $"at most {MaxExtras} further addresses");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (primaryNormalized is not null) seen.Add(primaryNormalized);
        var kept = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var (email, normalized) = Email($"emails[{i}]", items[i]);
            if (email is null) throw new InputException($"emails[{i}]", "is empty");
            if (seen.Add(normalized!)) kept.Add(email);
        }
        return kept.Count == 0 ? null : string.Join('\n', kept);
    }

    /// <summary>The extra phones in E.164, validated one by one ("phones[1]"), repeats and the primary number dropped.</summary>
    public static string? ExtraPhones(IReadOnlyList<string?>? items, string? primary, string? callingCode)
    {
        if (items is null || items.Count == 0) return null;
        if (items.Count > MaxExtras) throw new InputException("phones", $"at most {MaxExtras} further numbers");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (primary is not null) seen.Add(primary);
        var kept = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var phone = Phone($"phones[{i}]", items[i], callingCode) ?? throw new InputException($"phones[{i}]", "is empty");
            if (seen.Add(phone)) kept.Add(phone);
        }
        return kept.Count == 0 ? null : string.Join('\n', kept);
    }

    /// <summary>The stored one-per-line form back as a list (the API's array).</summary>
    public static IReadOnlyList<string> Lines(string? stored) => stored is null ? [] : stored.Split('\n');

    private static readonly ConditionalWeakTable<RevLoopDb, StrongBox<string?>> CallingCodes = new();

    /// <summary>The company's default calling code, read once per unit of work (an import checks thousands of phones).</summary>
    public static async Task<string?> CallingCodeAsync(RevLoopDb db, CancellationToken ct)
    {
        if (CallingCodes.TryGetValue(db, out var box)) return box.Value;
        var code = await db.CompanySettings.AsNoTracking().Select(s => s.DefaultCallingCode).FirstOrDefaultAsync(ct);
        CallingCodes.AddOrUpdate(db, new StrongBox<string?>(code));
        return code;
    }

    public static string Consent(string field, string? value)
    {
        var v = value?.Trim().ToLowerInvariant() ?? RevLoop.Crm.Contacts.Consent.Unknown;
        return RevLoop.Crm.Contacts.Consent.All.Contains(v) ? v : throw new InputException(field, "must be opted_in, opted_out or unknown");
    }

    public static string? Optional(string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value.Trim();
        return v.Length <= max ? v : throw new InputException(field, $"must be at most {max} characters");
    }

    public static string? OneOf(string field, string? value, IReadOnlyList<string> allowed)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value.Trim().ToLowerInvariant();
        return allowed.Contains(v) ? v : throw new InputException(field, $"must be one of {string.Join(", ", allowed)}");
    }
}
