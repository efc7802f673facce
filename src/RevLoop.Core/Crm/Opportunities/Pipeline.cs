namespace RevLoop.Crm.Opportunities;

/// <summary>A sales process configured by revops: its ordered stages, each with a default probability.</summary>
public sealed class Pipeline
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public bool IsDefault { get; set; }
    public int SortOrder { get; set; }
    public List<Stage> Stages { get; set; } = [];
}

public sealed class Stage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PipelineId { get; set; }
    public string Name { get; set; } = "";
    public int SortOrder { get; set; }
    /// <summary>Default win probability in percent (0..100).</summary>
    public int Probability { get; set; }
    /// <summary>open, won or lost.</summary>
    public string Type { get; set; } = StageTypes.Open;
    /// <summary>
    /// Opportunity fields (API names, comma-separated, e.g. "amount,closeDate" or "customFields.tier") required from this
    /// stage on: at this stage and every later open or won stage of the pipeline.
    /// </summary>
    public string? RequiredFields { get; set; }
}

public static class StageTypes
{
    public const string Open = "open", Won = "won", Lost = "lost";
    public static readonly IReadOnlyList<string> All = [Open, Won, Lost];
}
