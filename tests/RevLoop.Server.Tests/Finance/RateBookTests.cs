using RevLoop.Finance;
using RevLoop.Platform;

namespace RevLoop.Server.Tests.Finance;

public class RateBookTests
{
    private static readonly DateOnly Today = new(2026, 11, 23);

    private static RateBook Book(string baseCurrency = "USD") => new(baseCurrency, Today,
    [
        new ExchangeRate { CurrencyCode = "EUR", Date = new(2026, 1, 1), Rate = 1.10m },
        new ExchangeRate { CurrencyCode = "EUR", Date = new(2026, 6, 1), Rate = 1.20m },
        new ExchangeRate { CurrencyCode = "JPY", Date = new(2026, 1, 1), Rate = 0.0067m },
        new ExchangeRate { CurrencyCode = "EUR", Date = new(2026, 3, 1), Rate = 1.15m },
    ]);

    [Fact]
    public void A_closed_deal_converts_at_its_close_date_and_an_open_one_at_today()
    {
        var book = Book();
        Assert.Equal(110_000L, book.ToBaseMinor(100_000, "EUR", new DateOnly(2026, 2, 28)));   // 1,000.00 EUR x 1.10
        Assert.Equal(115_000L, book.ToBaseMinor(100_000, "EUR", new DateOnly(2026, 3, 1)));    // the rate applies from its own date
        Assert.Equal(120_000L, book.ToBaseMinor(100_000, "EUR", new DateOnly(2027, 3, 31)));   // close date ahead: today's rate
        Assert.Equal(120_000L, book.ToBaseMinor(100_000, "EUR", null));
        Assert.Equal(110_000L, book.ToBaseMinor(100_000, "EUR", new DateOnly(2025, 7, 1)));    // before the first rate: the earliest
        Assert.Equal(12_345L, book.ToBaseMinor(12_345, "USD", null));
        Assert.Null(book.ToBaseMinor(100, "GBP", null));
    }

    [Fact]
    public void Conversion_rounds_half_away_from_zero_and_respects_the_minor_units_of_both_currencies()
    {
        var book = Book();
        // 1,234,567 JPY (no minor unit) x 0.0067 = 8,271.5989 USD -> 8,271.60
        Assert.Equal(827_160L, book.ToBaseMinor(1_234_567, "JPY", new DateOnly(2026, 5, 5)));
        // 0.05 EUR x 1.10 = 0.055 -> 0.06 USD; -0.05 EUR -> -0.06
        Assert.Equal(6L, book.ToBaseMinor(5, "EUR", new DateOnly(2026, 1, 15)));
        Assert.Equal(-6L, book.ToBaseMinor(-5, "EUR", new DateOnly(2026, 1, 15)));
        // Into a base currency without minor units: 10.50 EUR x 1.20 = 12.6 -> 13 (whole units)
        var yenBook = new RateBook("JPY", Today, [new ExchangeRate { CurrencyCode = "EUR", Date = new(2026, 1, 1), Rate = 1.20m }]);
        Assert.Equal(13L, yenBook.ToBaseMinor(1_050, "EUR", null));
        Assert.Equal(13m, yenBook.ToBase(1_050, "EUR", null));
    }
}
