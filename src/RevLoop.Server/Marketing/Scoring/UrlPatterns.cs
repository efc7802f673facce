using System.Globalization;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing.Scoring;

/// <summary>
/// URL patterns of behaviour rules: a path such as <c>/pricing</c> (compared with the event URL's path, so
/// <c>https://www.example.com/pricing?plan=pro</c> matches), or a whole URL starting with http:// or https://; <c>*</c>
/// matches any run of characters (<c>/blog/*</c>, <c>*/pricing</c>). Case-insensitive; a trailing slash does not matter;
/// the query string counts only when the pattern has a <c>?</c>.
/// </summary>
public static class UrlPatterns
{
    /// <summary>Characters a URL may hold (RFC 3986 unreserved and reserved, % escapes) plus the * wildcard.</summary>
    private const string Allowed = "-._~:/?#[]@!$&'()+,;=%*";

    /// <summary>Checks a pattern; a bad one is refused naming the 1-based position of the first fault.</summary>
    public static string Validate(string field, string? pattern)
    {
        var p = pattern?.Trim() ?? "";
        if (p.Length == 0) throw new InputException(field, "is empty; give a path such as /pricing or a URL (* matches anything)");
        if (p.Length > 500) throw new InputException(field, "must be at most 500 characters");
        var isUrl = p.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || p.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!isUrl && p[0] is not ('/' or '*'))
            throw new InputException(field, $"position 1: '{p[0]}' cannot start a pattern; start with / (a path such as /pricing), * or http(s)://");
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            var at = i + 1;
            if (char.IsWhiteSpace(c)) throw new InputException(field, $"position {at}: a space is not allowed in a URL (write it as %20)");
            if (c > 127 || (!char.IsAsciiLetterOrDigit(c) && !Allowed.Contains(c)))
                throw new InputException(field, $"position {at}: '{c}' is not allowed in a URL");
            if (c == '*' && i > 0 && p[i - 1] == '*')
                throw new InputException(field, $"position {at}: two * in a row; one * already matches any run of characters");
            if (c == '%' && (i + 2 >= p.Length || !char.IsAsciiHexDigit(p[i + 1]) || !char.IsAsciiHexDigit(p[i + 2])))
                throw new InputException(field, $"position {at}: % must be followed by two hex digits (such as %20)");
        }
        if (isUrl)
        {
            var hostStart = p.IndexOf("://", StringComparison.Ordinal) + 3;
            if (hostStart >= p.Length || p[hostStart] is '/' or '?' or '#')
                throw new InputException(field, $"position {hostStart + 1}: the URL has no host (such as www.example.com)");
        }
        return p;
    }

    /// <summary>A product feature name: any text, * wildcards allowed.</summary>
    public static string ValidateFeature(string field, string? feature)
    {
        var f = feature?.Trim() ?? "";
        if (f.Length == 0) throw new InputException(field, "is empty; give the feature's name as product_usage events send it");
        if (f.Length > 200) throw new InputException(field, "must be at most 200 characters");
        var twice = f.IndexOf("**", StringComparison.Ordinal);
        if (twice >= 0) throw new InputException(field, $"position {twice + 2}: two * in a row; one * already matches any run of characters");
        return f;
    }

    public static bool Matches(string pattern, string? url)
    {
        if (url is null) return false;
        var isUrl = pattern.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || pattern.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var subject = url.Split('#')[0];
        if (!isUrl && Uri.TryCreate(subject, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            subject = absolute.PathAndQuery;
        if (!pattern.Contains('?')) subject = subject.Split('?')[0];
        return Glob(Trim(pattern), Trim(subject));
    }

    private static string Trim(string s) => s.Length > 1 && s.EndsWith('/') ? s[..^1] : s;

    /// <summary>Wildcard match, case-insensitive: * is any run of characters (greedy with backtracking to the last star).</summary>
    public static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && Same(pattern[p], text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b) => char.ToLower(a, CultureInfo.InvariantCulture) == char.ToLower(b, CultureInfo.InvariantCulture);
}
