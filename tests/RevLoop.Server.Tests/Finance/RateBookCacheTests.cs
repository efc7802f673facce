using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Platform;
using RevLoop.Server.Tests.Demo;
using RevLoop.Server.Tests.Support;

namespace RevLoop.Server.Tests.Finance;

/// <summary>The rate book is read once per process and database, and read again as soon as a rate or the settings change.</summary>
public class RateBookCacheTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_saved_rate_or_base_currency_change_is_seen_by_the_next_book(string provider)
    {
        var target = Providers.NewDatabase(provider);
        await using var services = await DemoDatabase.ServicesFor(target);
        async Task<T> Use<T>(Func<RevLoopDb, Task<T>> action)
        {
            using var scope = services.CreateScope();
            return await action(scope.ServiceProvider.GetRequiredService<RevLoopDb>());
        }
        var day = new DateOnly(2026, 1, 15);

        Assert.Null((await Use(db => RateBook.LoadAsync(db, default))).Rate("EUR", day));
        await Use(db =>
        {
            db.ExchangeRates.Add(new ExchangeRate { CurrencyCode = "EUR", Date = new DateOnly(2026, 1, 1), Rate = 1.25m });
            return db.SaveChangesAsync();
        });
        Assert.Equal(1.25m, (await Use(db => RateBook.LoadAsync(db, default))).Rate("EUR", day));

        await Use(async db =>
        {
            (await db.ExchangeRates.SingleAsync()).Rate = 1.5m;
            var settings = await db.CompanySettings.SingleAsync();
            settings.BaseCurrency = "GBP";
            return await db.SaveChangesAsync();
        });
        var book = await Use(db => RateBook.LoadAsync(db, default));
        Assert.Equal(("GBP", 1.5m, 15_000L), (book.BaseCurrency, book.Rate("EUR", day), book.ToBaseMinor(10_000, "EUR", day)));
    }
}
