using System.Text;

namespace RevLoop.Crm;

/// <summary>
/// The company-directory key: two spellings of one company ("ACME, Inc." and "Acme Inc") normalise to the same string,
/// so duplicate detection and lead-to-account matching compare keys, not raw names.
/// </summary>
public static class CompanyNames
{
    // Legal forms dropped from the end of a name (after punctuation is removed), longest first.
    private static readonly string[] LegalSuffixes =
    [
        "股份有限公司", "有限责任公司", "有限公司", "sp z oo", "and", "sdn bhd", "pty ltd", "co ltd", "incorporated", "corporation", "limited", "company",
        "gmbh", "mbh", "inc", "ltd", "llc", "llp", "plc", "corp", "co", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "aps",
        "kk", "bhd", "tbk", "pt", "sro", "as", "kft", "zrt", "ooo", "oao", "pjsc", "ltda", "sl", "se", "kg",
    ];

    // Diacritics folded by hand: the server runs with invariant globalization, where string.Normalize does not decompose.
    private static readonly Dictionary<char, string> Folded = new()
    {
        ['à'] = "a", ['á'] = "a", ['â'] = "a", ['ã'] = "a", ['ä'] = "a", ['å'] = "a", ['ą'] = "a", ['æ'] = "ae", ['ç'] = "c", ['ć'] = "c", ['č'] = "c",
        ['è'] = "e", ['é'] = "e", ['ê'] = "e", ['ë'] = "e", ['ę'] = "e", ['ě'] = "e", ['ğ'] = "g", ['ì'] = "i", ['í'] = "i", ['î'] = "i", ['ï'] = "i",
        ['ı'] = "i", ['ł'] = "l", ['ñ'] = "n", ['ń'] = "n", ['ň'] = "n", ['ò'] = "o", ['ó'] = "o", ['ô'] = "o", ['õ'] = "o", ['ö'] = "o", ['ø'] = "o",
        ['œ'] = "oe", ['ř'] = "r", ['ś'] = "s", ['š'] = "s", ['ş'] = "s", ['ß'] = "ss", ['ť'] = "t", ['ù'] = "u", ['ú'] = "u", ['û'] = "u", ['ü'] = "u",
        ['ů'] = "u", ['ý'] = "y", ['ÿ'] = "y", ['ź'] = "z", ['ż'] = "z", ['ž'] = "z",
    };

    private static readonly HashSet<string> FreeMailDomains =
    [
        "gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com", "aol.com", "proton.me",
        "protonmail.com", "gmx.de", "gmx.net", "web.de", "qq.com", "163.com", "126.com", "wp.pl", "onet.pl", "yandex.ru", "mail.ru",
    ];

    public static string? Normalise(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var sb = new StringBuilder(name.Length);
        foreach (var ch in name.ToLowerInvariant())
        {
            if (Folded.TryGetValue(ch, out var plain)) sb.Append(plain);
            else if (char.IsLetterOrDigit(ch)) sb.Append(ch);
            else if (ch == '&') sb.Append(" and ");
            else if (ch is '.' or '\'') continue;
            else sb.Append(' ');
        }
        var words = sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var changed = true;
        while (changed && words.Count > 1)
        {
            changed = false;
            var joined = string.Join(' ', words);
            foreach (var suffix in LegalSuffixes)
            {
                if (joined.EndsWith(" " + suffix, StringComparison.Ordinal))
                {
                    words = joined[..^(suffix.Length + 1)].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
                    changed = true;
                    break;
                }
            }
        }
        var key = string.Join(' ', words);
        foreach (var suffix in LegalSuffixes.Where(s => s.Any(c => c > 0x2E80)))
            if (key.EndsWith(suffix, StringComparison.Ordinal) && key.Length > suffix.Length) { key = key[..^suffix.Length].TrimEnd(); break; }
        return key.Length == 0 ? null : key;
    }

    /// <summary>The company domain of an email, or null for free-mail providers that say nothing about the employer.</summary>
    public static string? DomainOfEmail(string? email)
    {
        if (email is null) return null;
        var at = email.LastIndexOf('@');
        if (at < 0) return null;
        var domain = email[(at + 1)..].Trim().ToLowerInvariant();
        return FreeMailDomains.Contains(domain) ? null : domain;
    }
}
