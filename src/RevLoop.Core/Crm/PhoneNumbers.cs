namespace RevLoop.Crm;

/// <summary>
/// Phone numbers to E.164 (+ and 8 to 15 digits), by hand: formatting is dropped, "00" is the international prefix, and a
/// national number gets the company's default calling code with its trunk prefix removed. Anything that cannot be a
/// number is refused with the reason, never guessed.
/// </summary>
public static class PhoneNumbers
{
    public readonly record struct Result(string? Number, string? Error);

    /// <param name="defaultCallingCode">Digits of the calling code national numbers belong to ("49"), or null to require "+".</param>
    public static Result ToE164(string text, string? defaultCallingCode)
    {
        var s = text.Trim();
        // "+44 (0)20 ..." writes the national trunk prefix in brackets; it is not dialled from abroad.
        s = s.Replace("(0)", "", StringComparison.Ordinal);
        foreach (var c in s)
            if (!char.IsAsciiDigit(c) && c is not ('+' or ' ' or '-' or '.' or '(' or ')' or '/'))
                return new(null, $"'{text}' has characters a phone number cannot have");
        var digits = new string(s.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
        if (digits.LastIndexOf('+') > 0) return new(null, $"'{text}' has a '+' that is not at the start");
        string international;
        if (digits.StartsWith('+')) international = digits[1..];
        else if (digits.StartsWith("00", StringComparison.Ordinal)) international = digits[2..];
        else
        {
            if (defaultCallingCode is null) return new(null, $"'{text}' needs its country code, e.g. +49 30 1234567 (or set a default calling code in settings)");
            international = defaultCallingCode + National(digits, defaultCallingCode);
        }
        if (international.Length == 0 || international[0] == '0') return new(null, $"'{text}' has no country code after the international prefix");
        if (international.Length is < 8 or > 15) return new(null, $"'{text}' is not an E.164 number (+ and 8 to 15 digits)");
        // North America: ten digits, area code and exchange never start with 0 or 1.
        if (international[0] == '1' && (international.Length != 11 || international[1] is '0' or '1' || international[4] is '0' or '1'))
            return new(null, $"'{text}' is not a North American number (+1 and ten digits)");
        return new("+" + international, null);
    }

    // The trunk prefix dialled inside a country but not from abroad: 0 almost everywhere, 8 in Russia and Kazakhstan,
    // a leading 1 in North America; Italy keeps its 0 (it is part of the number).
    private static string National(string digits, string callingCode) => callingCode switch
    {
        "1" => digits.Length == 11 && digits[0] == '1' ? digits[1..] : digits,
        "7" => digits.StartsWith('8') ? digits[1..] : digits,
        "39" => digits,
        _ => digits.StartsWith('0') ? digits[1..] : digits,
    };

    /// <summary>A calling code as stored in settings: 1 to 3 digits, no leading zero ("+49" and "49" both give "49").</summary>
    public static string? CallingCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim().TrimStart('+');
        return t.Length is >= 1 and <= 3 && t.All(char.IsAsciiDigit) && t[0] != '0' ? t : throw new FormatException("a calling code is 1 to 3 digits, e.g. +49");
    }
}
