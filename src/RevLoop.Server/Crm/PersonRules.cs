using System.Net.Mail;
using RevLoop.Crm.Contacts;
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
    public static (string? Email, string? Normalized) Email(string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return (null, null);
        var e = email.Trim();
        if (e.Length > 320 || !MailAddress.TryCreate(e, out var parsed) || parsed.Address != e || !e.Contains('.', StringComparison.Ordinal))
            throw new InputException("email", $"'{email}' is not an email address");
        return (e, e.ToLowerInvariant());
    }

    /// <summary>E.164: a plus sign, then 8 to 15 digits; spaces, dots, dashes and brackets are dropped.</summary>
    public static string? Phone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone)) return null;
        var digits = new string(phone.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
        if (phone.Any(c => !char.IsAsciiDigit(c) && c is not ('+' or ' ' or '-' or '.' or '(' or ')')))
            throw new InputException("phone", $"'{phone}' has characters a phone number cannot have");
        if (digits.StartsWith("00", StringComparison.Ordinal)) digits = "+" + digits[2..];
        if (!digits.StartsWith('+')) throw new InputException("phone", $"'{phone}' needs its country code, e.g. +49 30 1234567");
        if (digits.Length is < 9 or > 16 || digits.LastIndexOf('+') != 0) throw new InputException("phone", $"'{phone}' is not an E.164 number (+ and 8 to 15 digits)");
        return digits;
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
