using System.Net;
using System.Net.Http.Json;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Crm;

public class LineItemTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Line_items_price_from_the_price_book_and_make_up_the_amount(string provider)
    {
        await using var server = await RunningServer.StartAsync(provider);
        var api = await server.AdminClientAsync();
        await api.PostAsJsonAsync("/api/v1/pipelines", new { name = "Sales", stages = new[] { new { name = "New", probability = 10, type = "open" }, new { name = "Won", probability = 100, type = "won" }, new { name = "Lost", probability = 0, type = "lost" } } });
        var product = await (await api.PostAsJsonAsync("/api/v1/products", new { sku = "PLAT-ENT", name = "Platform Enterprise", family = "Platform", prices = new[] { new { currency = "EUR", listPrice = 1200.00m }, new { currency = "USD", listPrice = 1300.00m } } })).ReadJsonAsync();
        var dupSku = await api.PostAsJsonAsync("/api/v1/products", new { sku = "PLAT-ENT", name = "Again" });
        Assert.Contains("\"sku\"", await dupSku.Content.ReadAsStringAsync());
        var account = (await (await api.PostAsJsonAsync("/api/v1/accounts", new { name = "Acme" })).ReadJsonAsync()).GetProperty("id").GetString();
        var opp = (await (await api.PostAsJsonAsync("/api/v1/opportunities", new { name = "Acme EU", accountId = account, currency = "EUR" })).ReadJsonAsync()).GetProperty("id").GetString();

        var first = await api.PostAsJsonAsync($"/api/v1/opportunities/{opp}/line-items", new { productId = product.GetProperty("id").GetString(), quantity = 3, discountPercent = 12.5m });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(3150.00m, (await first.ReadJsonAsync()).GetProperty("total").GetDecimal());
        var second = await (await api.PostAsJsonAsync($"/api/v1/opportunities/{opp}/line-items", new { productId = product.GetProperty("id").GetString(), unitPrice = 99.99m, quantity = 1 })).ReadJsonAsync();
        Assert.Equal(3249.99m, (await (await api.GetAsync($"/api/v1/opportunities/{opp}")).ReadJsonAsync()).GetProperty("amount").GetDecimal());
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/opportunities/{opp}/line-items/{second.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(3150.00m, (await (await api.GetAsync($"/api/v1/opportunities/{opp}")).ReadJsonAsync()).GetProperty("amount").GetDecimal());
        var history = await (await api.GetAsync($"/api/v1/opportunities/{opp}/history")).ReadJsonAsync();
        Assert.Equal(["0", "315000", "324999", "315000"], history.GetProperty("items").EnumerateArray().Where(c => c.GetProperty("field").GetString() == "AmountMinor").Select(c => c.GetProperty("newValue").GetString()));
    }
}
