namespace RevLoop.Server.Demo;

/// <summary>
/// What `revloop demo` generates. Everything scales from <see cref="Opportunities"/>: accounts = opportunities / 6,
/// contacts and leads = 4 per account (defaults: 30,000 opportunities, 5,000 accounts, 20,000 contacts, 20,000 leads).
/// </summary>
public sealed record DemoOptions
{
    public const string EmailDomain = "demo.revloop.dev";
    public const string AdminEmail = "admin@" + EmailDomain;
    /// <summary>The one password of every demo user (documented; demo data only).</summary>
    public const string Password = "revloop-demo-2026";
    public const int DefaultOpportunities = 30_000;
    public static readonly DateOnly DefaultAsOf = new(2026, 11, 1);

    public ulong Seed { get; init; } = 1;
    public int Opportunities { get; init; } = DefaultOpportunities;
    /// <summary>The last simulated day: the data ends at the end of this day (UTC). A fixed default, never the wall clock.</summary>
    public DateOnly AsOf { get; init; } = DefaultAsOf;

    public int Accounts => Math.Max(20, (int)Math.Round(Opportunities / 6.0));
    public int Contacts => 4 * Accounts;
    public int Leads => 4 * Accounts;
    /// <summary>The company's first day: five years before <see cref="AsOf"/>.</summary>
    public DateTimeOffset Start => new(AsOf.AddYears(-5).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    /// <summary>The end of the simulated time (exclusive): midnight UTC after <see cref="AsOf"/>.</summary>
    public DateTimeOffset Horizon => new(AsOf.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
