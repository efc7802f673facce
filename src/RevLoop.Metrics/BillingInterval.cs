namespace RevLoop.Metrics;

public enum BillingInterval : byte
{
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// <summary>An invalid input row: 1-based line number (CSV) or ordinal (records), the field and the reason.</summary>
public sealed record RowError(long Line, string Field, string Reason)
{
    public override string ToString() => $"line {Line}: {Field}: {Reason}";
}

/// <summary>The kinds of MRR movement of METRICS.md §3.</summary>
public enum MovementKind : byte
{
    New,
    Expansion,
    Reactivation,
    Contraction,
    Churn,
}
