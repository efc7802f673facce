namespace RevLoop.Platform;

/// <summary>Company-wide settings; exactly one row (Id = 1).</summary>
public sealed class CompanySettings
{
    public int Id { get; set; } = 1;
    public string CompanyName { get; set; } = "My Company";
    public int FiscalYearStartMonth { get; set; } = 1;
    public string BaseCurrency { get; set; } = "USD";
    /// <summary>Calling code (digits, "49") given to phone numbers entered without one; null means "+" is required.</summary>
    public string? DefaultCallingCode { get; set; }
    /// <summary>Accounts with at least this many employees are mid_market (fewer are smb), unless their segment is set.</summary>
    public int MidMarketFromEmployees { get; set; } = SegmentBands.Default.MidMarketFrom;
    /// <summary>Accounts with at least this many employees are enterprise, unless their segment is set.</summary>
    public int EnterpriseFromEmployees { get; set; } = SegmentBands.Default.EnterpriseFrom;
    /// <summary>APM: a cell is red when its pace (percent of target / percent expected by now) is below this.</summary>
    public decimal ApmRedBelow { get; set; } = 0.8m;
    /// <summary>APM: a cell is green from this pace on, yellow between the two.</summary>
    public decimal ApmGreenFrom { get; set; } = 0.95m;
    /// <summary>APM: open pipeline wanted per unit of bookings still to close (3 = 3x coverage).</summary>
    public decimal CoverageTarget { get; set; } = 3m;
    /// <summary>A lead whose score reaches this becomes an MQL (70 to 100).</summary>
    public int MqlThreshold { get; set; } = 80;
    public long Version { get; set; }

    public SegmentBands Bands => new(MidMarketFromEmployees, EnterpriseFromEmployees);
}

/// <summary>Employee thresholds that derive an account's segment when it is not set explicitly.</summary>
public sealed record SegmentBands(int MidMarketFrom, int EnterpriseFrom)
{
    public static readonly SegmentBands Default = new(200, 1000);

    public string? SegmentFor(int? employees) => employees switch
    {
        null => null,
        var n when n < MidMarketFrom => "smb",
        var n when n < EnterpriseFrom => "mid_market",
        _ => "enterprise",
    };

    /// <summary>
    /// The one segment rule (API, UI and import): a given segment stays explicit unless it is exactly the one the bands
    /// give, so it keeps following the bands (and an export imports back unchanged); <paramref name="keepExplicit"/>
    /// keeps a record that was explicit so even then.
    /// </summary>
    public (string? Segment, bool? Explicit) Resolve(int? employees, string? given, bool keepExplicit = false)
    {
        var derived = SegmentFor(employees);
        var isExplicit = given is not null && (given != derived || keepExplicit);
        return (isExplicit ? given : derived, isExplicit ? true : null);
    }
}

public sealed class Currency
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
}

/// <summary>Units of base currency for one unit of <see cref="CurrencyCode"/>, valid from <see cref="Date"/> until the next rate.</summary>
public sealed class ExchangeRate
{
    public long Id { get; set; }
    public string CurrencyCode { get; set; } = "";
    public DateOnly Date { get; set; }
    public decimal Rate { get; set; }
}

public sealed class Notification
{
    public long Id { get; set; }
    public Guid? UserId { get; set; }
    public string Kind { get; set; } = "";
    public string Text { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
}

/// <summary>
/// Bumped before and after every save that changes the company settings or an exchange rate, so per-process caches of
/// them (<c>RateBook</c>) reload: the bump after the save also drops whatever was read while it ran.
/// </summary>
public static class SettingsVersion
{
    private static long value;
    public static long Current => Volatile.Read(ref value);
    public static void Bump() => Interlocked.Increment(ref value);
}
