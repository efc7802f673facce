using System.Globalization;

namespace RevLoop.Metrics;

/// <summary>A calendar month (UTC). Index = Year * 12 + (Month - 1).</summary>
public readonly record struct YearMonth : IComparable<YearMonth>
{
    public YearMonth(int year, int month)
    {
        if (year < 1 || year > 9999) throw new ArgumentOutOfRangeException(nameof(year));
        if (month < 1 || month > 12) throw new ArgumentOutOfRangeException(nameof(month));
        Year = year;
        Month = month;
    }

    public int Year { get; }
    public int Month { get; }

    public int Index => Year * 12 + Month - 1;

    public static YearMonth FromIndex(int index) => new(index / 12, index % 12 + 1);

    public static YearMonth Of(DateOnly date) => new(date.Year, date.Month);

    public static YearMonth OfDayNumber(int dayNumber) => Of(DateOnly.FromDayNumber(dayNumber));

    public DateOnly FirstDay => new(Year, Month, 1);

    public DateOnly LastDay => new(Year, Month, DateTime.DaysInMonth(Year, Month));

    public YearMonth AddMonths(int months) => FromIndex(Index + months);

    public int CompareTo(YearMonth other) => Index.CompareTo(other.Index);

    public static bool operator <(YearMonth a, YearMonth b) => a.Index < b.Index;
    public static bool operator >(YearMonth a, YearMonth b) => a.Index > b.Index;
    public static bool operator <=(YearMonth a, YearMonth b) => a.Index <= b.Index;
    public static bool operator >=(YearMonth a, YearMonth b) => a.Index >= b.Index;

    public override string ToString() =>
        Year.ToString("D4", CultureInfo.InvariantCulture) + "-" + Month.ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>Parses exactly "YYYY-MM".</summary>
    public static bool TryParse(string? text, out YearMonth value)
    {
        value = default;
        if (text is null || text.Length != 7 || text[4] != '-') return false;
        int year = 0;
        for (int i = 0; i < 4; i++)
        {
            char c = text[i];
            if (c < '0' || c > '9') return false;
            year = year * 10 + (c - '0');
        }
        if (text[5] < '0' || text[5] > '9' || text[6] < '0' || text[6] > '9') return false;
        int month = (text[5] - '0') * 10 + (text[6] - '0');
        if (year < 1 || month < 1 || month > 12) return false;
        value = new YearMonth(year, month);
        return true;
    }

    public static YearMonth Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"invalid month '{text}', expected YYYY-MM");
}
