using System.Globalization;
using RevLoop.Marketing;

namespace RevLoop.Server.Marketing.Scoring;

/// <summary>What fit rules look at: the lead's own fields, or a contact's title and its account's size, industry and country.</summary>
public sealed record PersonFacts(string? Title, int? Employees, string? Industry, string? Country);

/// <summary>One behavioural event as scoring sees it.</summary>
public readonly record struct Touch(string Type, DateTimeOffset At, string? Url, string? Feature);

/// <summary>What one rule gives a person now, and why (the "why 85?" of the lead page).</summary>
public sealed record RulePoints(Guid RuleId, string Rule, string Kind, double Points, string Why);

public sealed record ScoreResult(int Score, IReadOnlyList<RulePoints> Breakdown);

/// <summary>
/// The score arithmetic, pure: score = the fit rules that hold + each behaviour rule's decayed points (every matching event
/// gives points × 0.5^(age in days / half-life), or, with "at least N within D days", the points once, decayed by the
/// age of the latest matching event), each rule's total capped at ±cap; the sum is rounded half away from zero.
/// </summary>
public static class ScoreCard
{
    public static ScoreResult Compute(IReadOnlyList<ScoringRule> rules, PersonFacts person, IReadOnlyList<Touch> touches, DateTimeOffset now)
    {
        var breakdown = new List<RulePoints>();
        var total = 0d;
        foreach (var rule in rules)
        {
            if (!rule.Active) continue;
            var r = Evaluate(rule, person, touches, now);
            if (r.Points == 0) continue;
            total += r.Points;
            breakdown.Add(r with { Points = Math.Round(r.Points, 2, MidpointRounding.AwayFromZero) });
        }
        // Biggest contributions first: the answer to "why this score?" starts with what matters most.
        breakdown.Sort((a, b) => Math.Abs(b.Points).CompareTo(Math.Abs(a.Points)) is var c and not 0 ? c : string.CompareOrdinal(a.Rule, b.Rule));
        return new ScoreResult((int)Math.Round(total, MidpointRounding.AwayFromZero), breakdown);
    }

    /// <summary>One rule's points for the person now (0 when it does not apply) with the reason, unrounded.</summary>
    public static RulePoints Evaluate(ScoringRule rule, PersonFacts person, IReadOnlyList<Touch> touches, DateTimeOffset now)
    {
        var (points, why) = rule.Kind == ScoringRuleKinds.Fit ? Fit(rule, person) : Behaviour(rule, touches, now);
        if (rule.Cap is { } cap && Math.Abs(points) > cap)
        {
            why += $", capped at {cap}";
            points = Math.Sign(points) * cap;
        }
        return new RulePoints(rule.Id, rule.Name, rule.Kind, points, why);
    }

    private static (double, string) Fit(ScoringRule r, PersonFacts p)
    {
        var held = new List<string>();
        if (r.MinEmployees is not null || r.MaxEmployees is not null)
        {
            var band = $"{N(r.MinEmployees ?? 0)}–{(r.MaxEmployees is { } max ? N(max) : "any")}";
            if (p.Employees is not { } e) return (0, $"employees unknown (rule: {band})");
            if (e < (r.MinEmployees ?? 0) || e > (r.MaxEmployees ?? int.MaxValue)) return (0, $"employees {N(e)} not in {band}");
            held.Add($"employees {N(e)} in {band}");
        }
        if (Lines(r.Industries) is { Length: > 0 } industries)
        {
            var industry = p.Industry?.Trim().ToLowerInvariant();
            if (industry is null) return (0, $"industry unknown (rule: {string.Join(", ", industries)})");
            if (!industries.Contains(industry)) return (0, $"industry {p.Industry} is not {string.Join(" or ", industries)}");
            held.Add($"industry {p.Industry}");
        }
        if (Lines(r.Countries) is { Length: > 0 } countries)
        {
            var country = p.Country?.Trim().ToUpperInvariant();
            if (country is null) return (0, $"country unknown (rule: {string.Join(", ", countries)})");
            if (!countries.Contains(country)) return (0, $"country {country} is not {string.Join(" or ", countries)}");
            held.Add($"country {country}");
        }
        if (Lines(r.TitleKeywords) is { Length: > 0 } keywords)
        {
            if (string.IsNullOrWhiteSpace(p.Title)) return (0, $"no title (rule: {string.Join(", ", keywords)})");
            var words = Words(p.Title);
            var hit = keywords.FirstOrDefault(k => words.Contains(Words(k), StringComparison.Ordinal));
            if (hit is null) return (0, $"title “{p.Title}” has none of {string.Join(", ", keywords)}");
            held.Add($"title “{p.Title}” has “{hit}”");
        }
        return (r.Points, string.Join("; ", held));
    }

    private static (double, string) Behaviour(ScoringRule r, IReadOnlyList<Touch> touches, DateTimeOffset now)
    {
        var what = Describe(r);
        var matching = touches.Where(t => Matches(r, t) && t.At <= now.AddMinutes(5)).ToList();
        if (matching.Count == 0) return (0, $"no {what} yet");
        var decay = r.HalfLifeDays > 0 ? $" (half-life {r.HalfLifeDays} days)" : "";
        if (r.MinCount is { } min && r.WithinDays is { } days)
        {
            var from = now.AddDays(-days);
            var recent = matching.Where(t => t.At >= from).ToList();
            var window = $"{recent.Count} × {what} in the last {days} days";
            if (recent.Count < min) return (0, $"{window}; needs {min}");
            var latest = recent.Max(t => t.At);
            return (r.Points * Factor(r, latest, now), $"{window} (at least {min}), latest {Ago(latest, now)}{decay}");
        }
        var points = matching.Sum(t => r.Points * Factor(r, t.At, now));
        var last = matching.Max(t => t.At);
        var full = r.HalfLifeDays > 0 && points != r.Points * matching.Count ? $", {N(r.Points * matching.Count)} before decay{decay}" : "";
        return (points, $"{matching.Count} × {what}, latest {Ago(last, now)}{full}");
    }

    public static bool Matches(ScoringRule r, Touch t) =>
        t.Type == r.EventType
        && (r.UrlPattern is not { } pattern || UrlPatterns.Matches(pattern, t.Url))
        && (r.Feature is not { } feature || (t.Feature is not null && UrlPatterns.Glob(feature, t.Feature)));

    /// <summary>0.5^(age in days / half-life); an event from the future (a sender's clock ahead) counts as now.</summary>
    private static double Factor(ScoringRule r, DateTimeOffset at, DateTimeOffset now) =>
        r.HalfLifeDays <= 0 ? 1 : Math.Pow(0.5, Math.Max(0, (now - at).TotalDays) / r.HalfLifeDays);

    public static string Describe(ScoringRule r) =>
        (r.EventType ?? "event").Replace('_', ' ') + (r.UrlPattern is { } u ? $" of {u}" : "") + (r.Feature is { } f ? $" of {f}" : "");

    private static string Ago(DateTimeOffset at, DateTimeOffset now) => Math.Floor(Math.Max(0, (now - at).TotalDays)) switch
    {
        0 => "today",
        1 => "1 day ago",
        var d => $"{d.ToString(CultureInfo.InvariantCulture)} days ago",
    };

    private static string N(double n) => n.ToString("#,0.##", CultureInfo.InvariantCulture);

    public static string[] Lines(string? list) => list is null ? [] : list.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>" vp sales " from "VP, Sales": keywords match whole words, so "vp" is not found in "MVP".</summary>
    public static string Words(string text)
    {
        var sb = new System.Text.StringBuilder(" ");
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c)) sb.Append(c);
            else if (sb[^1] != ' ') sb.Append(' ');
        }
        if (sb[^1] != ' ') sb.Append(' ');
        return sb.ToString();
    }
}
