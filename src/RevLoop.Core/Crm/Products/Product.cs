namespace RevLoop.Crm.Products;

public sealed class Product
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Sku { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Family { get; set; }
    public bool Active { get; set; } = true;
}

/// <summary>A product's list price in one currency (the price book).</summary>
public sealed class PriceBookEntry
{
    public long Id { get; set; }
    public Guid ProductId { get; set; }
    public string Currency { get; set; } = "USD";
    public long ListPriceMinor { get; set; }
}

/// <summary>A product on an opportunity: quantity, unit price, discount and term.</summary>
public sealed class LineItem
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OpportunityId { get; set; }
    public Guid ProductId { get; set; }
    public decimal Quantity { get; set; } = 1;
    public long UnitPriceMinor { get; set; }
    /// <summary>Discount in percent (0..100).</summary>
    public decimal DiscountPercent { get; set; }
    public int TermMonths { get; set; } = 12;
}
