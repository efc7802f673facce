namespace RevLoop.Forecasting;

/// <summary>
/// A quota for one fiscal period (label such as FY2027-Q1, see RevLoop.Metrics.FiscalPeriod) on a user, a team, a
/// dimension value (product family, region, segment, source) or the whole company; amount in base currency.
/// </summary>
public sealed class Target
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Period { get; set; } = "";
    /// <summary>user, team, company, product, region, segment or source.</summary>
    public string SubjectKind { get; set; } = "";
    /// <summary>The user's or team's id, the dimension value, or "" for the company.</summary>
    public string Subject { get; set; } = "";
    /// <summary>bookings (closed business) or generation (pipeline created).</summary>
    public string Metric { get; set; } = TargetMetrics.Bookings;
    public long AmountMinor { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class TargetSubjects
{
    public const string User = "user", Team = "team", Company = "company", Product = "product", Region = "region", Segment = "segment", Source = "source";
    public static readonly IReadOnlyList<string> All = [User, Team, Company, Product, Region, Segment, Source];
    /// <summary>The dimensions the APM can be cut by.</summary>
    public static readonly IReadOnlyList<string> Dimensions = [Product, Region, Segment, Source];
}

public static class TargetMetrics
{
    public const string Bookings = "bookings", Generation = "generation";
    public static readonly IReadOnlyList<string> All = [Bookings, Generation];
}

/// <summary>
/// A forecast call for a period: a rep's own (UserId) or a manager's adjustment of their team's roll-up (TeamId, with a
/// note). Never updated or deleted: the latest per rep or team is the current call, the rest is its history.
/// </summary>
public sealed class ForecastSubmission
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Period { get; set; } = "";
    public Guid? UserId { get; set; }
    public Guid? TeamId { get; set; }
    public long CommitMinor { get; set; }
    public long BestCaseMinor { get; set; }
    public long PipelineMinor { get; set; }
    public string? Note { get; set; }
    public Guid SubmittedById { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
}

/// <summary>
/// The forecast of one rep, team or the company for one period as it stood on <see cref="TakenOn"/> (the first day of
/// the snapshot's week): the call (latest submission or adjustment; null when nobody had submitted) and the amounts of
/// the deals by forecast category. One row per period, day, subject: taking it again replaces it (ADR 0010).
/// </summary>
public sealed class ForecastSnapshot
{
    public long Id { get; set; }
    public string Period { get; set; } = "";
    public DateOnly TakenOn { get; set; }
    /// <summary>user, team or company (SubjectId = Guid.Empty).</summary>
    public string SubjectKind { get; set; } = "";
    public Guid SubjectId { get; set; }
    public long? CallMinor { get; set; }
    public long ClosedWonMinor { get; set; }
    public long CommitMinor { get; set; }
    public long BestCaseMinor { get; set; }
    public long PipelineMinor { get; set; }
    public DateTimeOffset TakenAt { get; set; }
}

/// <summary>An action agreed on one APM cell at the weekly review; its task Activity (assigned to the owner) tracks it.</summary>
public sealed class ApmAction
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Period { get; set; } = "";
    public string Dimension { get; set; } = "";
    public string Value { get; set; } = "";
    public string Column { get; set; } = "";
    public Guid OwnerId { get; set; }
    public DateOnly DueDate { get; set; }
    public string Note { get; set; } = "";
    public Guid ActivityId { get; set; }
    public Guid CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
