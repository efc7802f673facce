namespace RevLoop.Marketing;

/// <summary>
/// One lead-scoring rule, configured as data. A fit rule gives its points when every condition it sets holds for the
/// person (employees band, industry, country, title keyword); a behaviour rule gives its points for each matching event
/// (type, optional URL pattern or product feature), decayed by age with <see cref="HalfLifeDays"/>, or once when the person
/// has at least <see cref="MinCount"/> matching events within <see cref="WithinDays"/>. A rule's total is capped at
/// ±<see cref="Cap"/>. Lists are stored one value per line, lower case (countries upper case).
/// </summary>
public sealed class ScoringRule
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string Kind { get; set; } = ScoringRuleKinds.Fit;
    public bool Active { get; set; } = true;
    public int Points { get; set; }
    public int? Cap { get; set; }
    /// <summary>Behaviour points halve every this many days (0: no decay).</summary>
    public int HalfLifeDays { get; set; }
    public int? MinEmployees { get; set; }
    public int? MaxEmployees { get; set; }
    public string? Industries { get; set; }
    public string? Countries { get; set; }
    public string? TitleKeywords { get; set; }
    public string? EventType { get; set; }
    /// <summary>A path such as /pricing, or a URL; * matches any run of characters.</summary>
    public string? UrlPattern { get; set; }
    /// <summary>product_usage: the feature name (* wildcards allowed).</summary>
    public string? Feature { get; set; }
    public int? MinCount { get; set; }
    public int? WithinDays { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class ScoringRuleKinds
{
    public const string Fit = "fit", Behaviour = "behaviour";
    public static readonly IReadOnlyList<string> All = [Fit, Behaviour];
}
