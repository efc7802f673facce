using RevLoop.Marketing;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Marketing.Scoring;

public sealed record ScoringRuleInput(string? Name, string? Kind, int? Points, int? Cap = null, int? HalfLifeDays = null, bool? Active = null,
    int? MinEmployees = null, int? MaxEmployees = null, IReadOnlyList<string>? Industries = null, IReadOnlyList<string>? Countries = null,
    IReadOnlyList<string>? TitleKeywords = null, string? EventType = null, string? UrlPattern = null, string? Feature = null, int? MinCount = null,
    int? WithinDays = null);

public sealed record ScoringRuleDto(Guid Id, string Name, string Kind, bool Active, int Points, int? Cap, int HalfLifeDays, int? MinEmployees, int? MaxEmployees,
    IReadOnlyList<string> Industries, IReadOnlyList<string> Countries, IReadOnlyList<string> TitleKeywords, string? EventType, string? UrlPattern,
    string? Feature, int? MinCount, int? WithinDays, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ScoringRuleDto From(ScoringRule r) => new(r.Id, r.Name, r.Kind, r.Active, r.Points, r.Cap, r.HalfLifeDays, r.MinEmployees, r.MaxEmployees,
        ScoreCard.Lines(r.Industries), ScoreCard.Lines(r.Countries), ScoreCard.Lines(r.TitleKeywords), r.EventType, r.UrlPattern, r.Feature, r.MinCount,
        r.WithinDays, r.CreatedAt, r.UpdatedAt);

    public ScoringRuleInput ToInput() => new(Name, Kind, Points, Cap, HalfLifeDays, Active, MinEmployees, MaxEmployees, Industries, Countries, TitleKeywords,
        EventType, UrlPattern, Feature, MinCount, WithinDays);
}

/// <summary>Checks a scoring rule before it is stored (or previewed); a bad one is refused naming the field, and for patterns the position.</summary>
public static class ScoringRules
{
    /// <summary>Event types whose events carry a URL a pattern can look at.</summary>
    private static readonly HashSet<string> WithUrl = [MarketingEventTypes.PageView, MarketingEventTypes.FormSubmit, MarketingEventTypes.ContentDownload,
        MarketingEventTypes.WebinarAttended, MarketingEventTypes.EmailOpen, MarketingEventTypes.EmailClick, MarketingEventTypes.DemoRequest];

    /// <param name="prefix">Put before field names (the preview's rule is "rule.").</param>
    public static void Apply(ScoringRule r, ScoringRuleInput i, DateTimeOffset now, string prefix = "")
    {
        string F(string field) => prefix + field;
        r.Name = string.IsNullOrWhiteSpace(i.Name) ? throw new InputException(F("name"), "is required (say what the rule rewards, such as “Visited pricing”)")
            : i.Name.Trim().Length <= 200 ? i.Name.Trim() : throw new InputException(F("name"), "must be at most 200 characters");
        var kind = i.Kind?.Trim().ToLowerInvariant() switch { "behavior" => ScoringRuleKinds.Behaviour, var k => k };
        r.Kind = kind is not null && ScoringRuleKinds.All.Contains(kind) ? kind
            : throw new InputException(F("kind"), $"must be {string.Join(" or ", ScoringRuleKinds.All)}");
        r.Points = i.Points switch
        {
            null => throw new InputException(F("points"), "is required (negative points take away)"),
            0 => throw new InputException(F("points"), "must not be 0"),
            < -1000 or > 1000 => throw new InputException(F("points"), "must be between -1000 and 1000"),
            var p => p.Value,
        };
        r.Cap = i.Cap is < 1 or > 100_000 ? throw new InputException(F("cap"), "must be between 1 and 100000 (the most this rule gives, or takes away, in all)") : i.Cap;
        r.Active = i.Active ?? true;
        var fit = r.Kind == ScoringRuleKinds.Fit;
        void OnlyFor(bool allowed, string field, bool given)
        {
            if (given && !allowed) throw new InputException(F(field), fit ? "is a behaviour condition; this is a fit rule" : "is a fit condition; this is a behaviour rule");
        }
        OnlyFor(!fit, "halfLifeDays", i.HalfLifeDays is not null and not 0);
        OnlyFor(fit, "minEmployees", i.MinEmployees is not null);
        OnlyFor(fit, "maxEmployees", i.MaxEmployees is not null);
        OnlyFor(fit, "industries", i.Industries is { Count: > 0 });
        OnlyFor(fit, "countries", i.Countries is { Count: > 0 });
        OnlyFor(fit, "titleKeywords", i.TitleKeywords is { Count: > 0 });
        OnlyFor(!fit, "eventType", i.EventType is not null);
        OnlyFor(!fit, "urlPattern", i.UrlPattern is not null);
        OnlyFor(!fit, "feature", i.Feature is not null);
        OnlyFor(!fit, "minCount", i.MinCount is not null);
        OnlyFor(!fit, "withinDays", i.WithinDays is not null);

        if (i.MinEmployees is < 0) throw new InputException(F("minEmployees"), "must be 0 or more");
        if (i.MaxEmployees is < 0) throw new InputException(F("maxEmployees"), "must be 0 or more");
        if (i.MinEmployees > i.MaxEmployees) throw new InputException(F("maxEmployees"), "must not be below minEmployees");
        (r.MinEmployees, r.MaxEmployees) = (i.MinEmployees, i.MaxEmployees);
        r.Industries = List(F("industries"), i.Industries, 100, v => v.ToLowerInvariant());
        r.Countries = List(F("countries"), i.Countries, 100, v => v.Length == 2 && v.All(char.IsAsciiLetter) ? v.ToUpperInvariant()
            : throw new InputException(F("countries"), $"'{v}' is not a two-letter country code such as DE"));
        r.TitleKeywords = List(F("titleKeywords"), i.TitleKeywords, 100, v => ScoreCard.Words(v).Trim() is { Length: > 0 } w ? w
            : throw new InputException(F("titleKeywords"), $"'{v}' has no letters or digits to look for"));
        if (fit && r.MinEmployees is null && r.MaxEmployees is null && r.Industries is null && r.Countries is null && r.TitleKeywords is null)
            throw new InputException(F("titleKeywords"), "a fit rule needs a condition: an employees band, industries, countries or title keywords");

        r.HalfLifeDays = i.HalfLifeDays is { } h ? h is >= 0 and <= 3650 ? h : throw new InputException(F("halfLifeDays"), "must be 0 (no decay) to 3650 days") : 0;
        if (fit)
        {
            (r.EventType, r.UrlPattern, r.Feature, r.MinCount, r.WithinDays) = (null, null, null, null, null);
        }
        else
        {
            var type = i.EventType?.Trim().ToLowerInvariant();
            r.EventType = type is null ? throw new InputException(F("eventType"), $"is required: one of {string.Join(", ", MarketingEventTypes.All)}")
                : MarketingEventTypes.All.Contains(type) ? type : throw new InputException(F("eventType"), $"'{type}' is not one of {string.Join(", ", MarketingEventTypes.All)}");
            if (i.UrlPattern is not null && !WithUrl.Contains(type)) throw new InputException(F("urlPattern"), $"{type} events carry no URL; use feature for product_usage");
            r.UrlPattern = i.UrlPattern is null ? null : UrlPatterns.Validate(F("urlPattern"), i.UrlPattern);
            if (i.Feature is not null && type != MarketingEventTypes.ProductUsage) throw new InputException(F("feature"), "applies to product_usage events only");
            r.Feature = i.Feature is null ? null : UrlPatterns.ValidateFeature(F("feature"), i.Feature);
            if (i.MinCount is null != i.WithinDays is null)
                throw new InputException(F(i.MinCount is null ? "minCount" : "withinDays"), "goes with " + (i.MinCount is null ? "withinDays" : "minCount") + ": at least N times within D days");
            if (i.MinCount is < 1 or > 10_000) throw new InputException(F("minCount"), "must be between 1 and 10000");
            if (i.WithinDays is < 1 or > 3650) throw new InputException(F("withinDays"), "must be between 1 and 3650 days");
            (r.MinCount, r.WithinDays) = (i.MinCount, i.WithinDays);
        }
        r.UpdatedAt = now;
    }

    /// <summary>A list condition as stored: trimmed, normalised by <paramref name="clean"/>, distinct, one per line.</summary>
    private static string? List(string field, IReadOnlyList<string>? values, int max, Func<string, string> clean)
    {
        if (values is null || values.Count == 0) return null;
        var list = new List<string>();
        for (var k = 0; k < values.Count; k++)
        {
            var v = (values[k] ?? "").Trim();
            if (v.Length == 0) throw new InputException($"{field}[{k}]", "is empty");
            if (v.Length > max) throw new InputException($"{field}[{k}]", $"must be at most {max} characters");
            if (v.Contains('\n')) throw new InputException($"{field}[{k}]", "must be one line");
            var c = clean(v);
            if (!list.Contains(c)) list.Add(c);
        }
        var joined = string.Join('\n', list);
        return joined.Length <= 1000 ? joined : throw new InputException(field, "is too long (at most 1000 characters in all)");
    }
}
