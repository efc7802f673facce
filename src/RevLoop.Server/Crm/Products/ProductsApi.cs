using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Products;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Products;

public sealed record PriceDto(string Currency, decimal ListPrice);
public sealed record ProductDto(Guid Id, string Sku, string Name, string? Family, bool Active, IReadOnlyList<PriceDto> Prices);
public sealed record ProductInput(string? Sku, string? Name, string? Family = null, bool? Active = null, IReadOnlyList<PriceDto>? Prices = null);
public sealed record LineItemDto(Guid Id, Guid ProductId, decimal Quantity, decimal UnitPrice, decimal DiscountPercent, int TermMonths, decimal Total);
public sealed record LineItemInput(Guid? ProductId, decimal? Quantity = null, decimal? UnitPrice = null, decimal? DiscountPercent = null, int? TermMonths = null);

/// <summary>Products with their price book, and the line items that make up an opportunity's amount.</summary>
public static class ProductsApi
{
    public static void MapProductsApi(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/api/v1/products").WithTags("Products").RequireAuthorization(ApiPolicies.Read);
        products.MapGet("/", List);
        products.MapPost("/", Create).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        products.MapPut("/{id:guid}", Replace).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        var items = app.MapGroup("/api/v1/opportunities/{opportunityId:guid}/line-items").WithTags("Opportunities").RequireAuthorization(ApiPolicies.Read);
        items.MapGet("/", Items);
        items.MapPost("/", AddItem).RequireAuthorization(ApiPolicies.Write);
        items.MapDelete("/{id:guid}", RemoveItem).RequireAuthorization(ApiPolicies.Write);
    }

    public static async Task<Ok<List<ProductDto>>> List(RevLoopDb db, CancellationToken ct)
    {
        var products = await db.Products.AsNoTracking().OrderBy(p => p.Family).ThenBy(p => p.Name).Take(Paging.MaxPageSize).ToListAsync(ct);
        var ids = products.Select(p => p.Id).ToList();
        var prices = (await db.PriceBookEntries.AsNoTracking().Where(e => ids.Contains(e.ProductId)).ToListAsync(ct)).ToLookup(e => e.ProductId);
        return TypedResults.Ok(products.Select(p => Dto(p, prices[p.Id])).ToList());
    }

    private static ProductDto Dto(Product p, IEnumerable<PriceBookEntry> prices) => new(p.Id, p.Sku, p.Name, p.Family, p.Active,
        prices.OrderBy(e => e.Currency).Select(e => new PriceDto(e.Currency, MinorUnits.ToAmount(e.ListPriceMinor, e.Currency))).ToList());

    public static async Task<Created<ProductDto>> Create(ProductInput input, RevLoopDb db, CancellationToken ct)
    {
        var p = new Product();
        var prices = await ApplyAsync(db, p, input, ct);
        db.Products.Add(p);
        db.PriceBookEntries.AddRange(prices);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/products/{p.Id}", Dto(p, prices));
    }

    public static async Task<Results<Ok<ProductDto>, NotFound>> Replace(Guid id, ProductInput input, RevLoopDb db, CancellationToken ct)
    {
        var p = await db.Products.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return TypedResults.NotFound();
        var prices = await ApplyAsync(db, p, input, ct);
        db.PriceBookEntries.RemoveRange(await db.PriceBookEntries.Where(e => e.ProductId == id).ToListAsync(ct));
        db.PriceBookEntries.AddRange(prices);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(Dto(p, prices));
    }

    private static async Task<List<PriceBookEntry>> ApplyAsync(RevLoopDb db, Product p, ProductInput i, CancellationToken ct)
    {
        var sku = PersonRules.Optional("sku", i.Sku, 60) ?? throw new InputException("sku", "is required");
        if (await db.Products.AnyAsync(x => x.Sku == sku && x.Id != p.Id, ct)) throw new InputException("sku", $"{sku} is taken by another product");
        p.Sku = sku;
        p.Name = PersonRules.Optional("name", i.Name, 200) ?? throw new InputException("name", "is required");
        p.Family = PersonRules.Optional("family", i.Family, 100);
        p.Active = i.Active ?? true;
        var prices = new List<PriceBookEntry>();
        foreach (var (price, index) in (i.Prices ?? []).Select((x, n) => (x, n)))
        {
            var code = (price.Currency ?? "").Trim().ToUpperInvariant();
            if (code.Length != 3) throw new InputException($"prices[{index}].currency", "must be an ISO 4217 code");
            if (prices.Any(x => x.Currency == code)) throw new InputException($"prices[{index}].currency", $"{code} is listed twice");
            if (price.ListPrice < 0) throw new InputException($"prices[{index}].listPrice", "must not be negative");
            var minor = MinorUnits.ToMinor(price.ListPrice, code) ?? throw new InputException($"prices[{index}].listPrice", $"has more decimals than {code} allows");
            prices.Add(new PriceBookEntry { ProductId = p.Id, Currency = code, ListPriceMinor = minor });
        }
        return prices;
    }

    public static async Task<Results<Ok<List<LineItemDto>>, NotFound>> Items(Guid opportunityId, RevLoopDb db, CancellationToken ct)
    {
        var opportunity = await db.Opportunities.AsNoTracking().FirstOrDefaultAsync(o => o.Id == opportunityId, ct);
        if (opportunity is null) return TypedResults.NotFound();
        var items = await db.LineItems.AsNoTracking().Where(l => l.OpportunityId == opportunityId).OrderBy(l => l.Id).ToListAsync(ct);
        return TypedResults.Ok(items.Select(l => ItemDto(l, opportunity.Currency)).ToList());
    }

    private static LineItemDto ItemDto(LineItem l, string currency) => new(l.Id, l.ProductId, l.Quantity, MinorUnits.ToAmount(l.UnitPriceMinor, currency),
        l.DiscountPercent, l.TermMonths, MinorUnits.ToAmount(TotalMinor(l), currency));

    /// <summary>Quantity x unit price less the discount, rounded half-up to the minor unit once per line.</summary>
    public static long TotalMinor(LineItem l) => (long)Math.Round(l.Quantity * l.UnitPriceMinor * (100 - l.DiscountPercent) / 100, MidpointRounding.AwayFromZero);

    public static async Task<Results<Created<LineItemDto>, NotFound>> AddItem(Guid opportunityId, LineItemInput input, RevLoopDb db, CancellationToken ct)
    {
        var opportunity = await db.Opportunities.FirstOrDefaultAsync(o => o.Id == opportunityId, ct);
        if (opportunity is null) return TypedResults.NotFound();
        var productId = input.ProductId ?? throw new InputException("productId", "is required");
        if (!await db.Products.AnyAsync(p => p.Id == productId && p.Active, ct)) throw new InputException("productId", $"no active product has id {productId}");
        var listPrice = await db.PriceBookEntries.Where(e => e.ProductId == productId && e.Currency == opportunity.Currency).Select(e => (long?)e.ListPriceMinor).FirstOrDefaultAsync(ct);
        long unit = input.UnitPrice is { } u ? u < 0 ? throw new InputException("unitPrice", "must not be negative")
            : MinorUnits.ToMinor(u, opportunity.Currency) ?? throw new InputException("unitPrice", $"has more decimals than {opportunity.Currency} allows")
            : listPrice ?? throw new InputException("unitPrice", $"the product has no {opportunity.Currency} list price; give a unit price");
        var item = new LineItem
        {
            OpportunityId = opportunityId, ProductId = productId, UnitPriceMinor = unit,
            Quantity = input.Quantity is { } q ? q > 0 ? q : throw new InputException("quantity", "must be greater than zero") : 1,
            DiscountPercent = input.DiscountPercent is { } d ? d is >= 0 and <= 100 ? d : throw new InputException("discountPercent", "must be 0 to 100") : 0,
            TermMonths = input.TermMonths is { } t ? t >= 1 ? t : throw new InputException("termMonths", "must be at least 1") : 12,
        };
        db.LineItems.Add(item);
        await RecomputeAmountAsync(db, opportunity, item, null, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/opportunities/{opportunityId}/line-items/{item.Id}", ItemDto(item, opportunity.Currency));
    }

    public static async Task<Results<NoContent, NotFound>> RemoveItem(Guid opportunityId, Guid id, RevLoopDb db, CancellationToken ct)
    {
        var opportunity = await db.Opportunities.FirstOrDefaultAsync(o => o.Id == opportunityId, ct);
        var item = await db.LineItems.FirstOrDefaultAsync(l => l.Id == id && l.OpportunityId == opportunityId, ct);
        if (opportunity is null || item is null) return TypedResults.NotFound();
        db.LineItems.Remove(item);
        await RecomputeAmountAsync(db, opportunity, null, item.Id, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>With line items, the deal amount is their sum (the change lands in the opportunity's history).</summary>
    private static async Task RecomputeAmountAsync(RevLoopDb db, RevLoop.Crm.Opportunities.Opportunity o, LineItem? added, Guid? removed, CancellationToken ct)
    {
        var items = await db.LineItems.AsNoTracking().Where(l => l.OpportunityId == o.Id && l.Id != removed).ToListAsync(ct);
        if (added is not null) items.Add(added);
        o.AmountMinor = items.Sum(TotalMinor);
    }
}
