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
    public long Version { get; set; }
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
