using RevLoop.Crm.Configuration;
using RevLoop.Platform;

namespace RevLoop.Crm.Opportunities;

public sealed class Opportunity : ITaggedRecord, IOwnedRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The record's id in the system it was imported from (a Salesforce Id): re-importing matches it instead of duplicating.</summary>
    public string? ExternalId { get; set; }
    public string Name { get; set; } = "";
    public Guid AccountId { get; set; }
    public Guid? PrimaryContactId { get; set; }
    public Guid PipelineId { get; set; }
    public Guid StageId { get; set; }
    /// <summary>Deal amount in minor units of <see cref="Currency"/>.</summary>
    public long AmountMinor { get; set; }
    /// <summary>Annual contract value in minor units of <see cref="Currency"/>.</summary>
    public long? AcvMinor { get; set; }
    public string Currency { get; set; } = "USD";
    public DateOnly? CloseDate { get; set; }
    public string? NextStep { get; set; }
    public Guid? OwnerId { get; set; }
    public Guid? OwnerTeamId { get; set; }
    /// <summary>Who sourced the deal: ae, bdr, sdr, partner or marketing.</summary>
    public string? SourcingRole { get; set; }
    public string? Source { get; set; }
    /// <summary>new_business, expansion or renewal.</summary>
    public string Type { get; set; } = OpportunityTypes.NewBusiness;
    /// <summary>pipeline, best_case, commit, closed or omitted.</summary>
    public string ForecastCategory { get; set; } = ForecastCategories.Pipeline;
    public string? Region { get; set; }
    public string? Segment { get; set; }
    public string? ProductFamily { get; set; }
    public string? LostReason { get; set; }
    public DateTimeOffset? WonAt { get; set; }
    public DateTimeOffset? LostAt { get; set; }
    public string? Tags { get; set; }
    /// <summary>Written to history per key (CustomFields.key) by the interceptor, not as one JSON blob.</summary>
    [NotTracked] public string? CustomFields { get; set; }
    [NotTracked] public long Version { get; set; }
    [NotTracked] public DateTimeOffset CreatedAt { get; set; }
    [NotTracked] public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public static class OpportunityTypes
{
    public const string NewBusiness = "new_business", Expansion = "expansion", Renewal = "renewal";
    public static readonly IReadOnlyList<string> All = [NewBusiness, Expansion, Renewal];
}

public static class ForecastCategories
{
    public const string Pipeline = "pipeline", BestCase = "best_case", Commit = "commit", Closed = "closed", Omitted = "omitted";
    public static readonly IReadOnlyList<string> All = [Pipeline, BestCase, Commit, Closed, Omitted];
}

public static class SourcingRoles
{
    public static readonly IReadOnlyList<string> All = ["ae", "bdr", "sdr", "partner", "marketing"];
}
