namespace RevLoop.Server.Demo;

/// <summary>Simulated time: business hours per region, weekdays, growth-weighted dates.</summary>
public static class DemoTime
{
    /// <summary>The company grows: a date in [from, to) whose density rises fourfold over five years.</summary>
    public static DateTimeOffset Growth(DemoRandom rng, DateTimeOffset from, DateTimeOffset to)
    {
        var days = (to - from).TotalDays;
        if (days <= 0) return from;
        const double lambda = 1.3862943611198906 / (5 * 365.25); // ln 4 per five years
        var u = rng.NextDouble();
        var offset = Math.Log(1 + u * (Math.Exp(lambda * days) - 1)) / lambda;
        return from.AddSeconds(Math.Floor(Math.Min(offset, days) * 86_400));
    }

    /// <summary>A moment on the same day (the next Monday for weekends) within the region's office hours, in UTC.</summary>
    public static DateTimeOffset WorkHours(DemoRandom rng, DateTimeOffset approx, string region)
    {
        var date = approx.UtcDateTime.Date;
        if (date.DayOfWeek == DayOfWeek.Saturday) date = date.AddDays(2);
        else if (date.DayOfWeek == DayOfWeek.Sunday) date = date.AddDays(1);
        var (from, to) = Hours(region);
        var seconds = rng.Between(from * 3600, to * 3600 - 1);
        return new DateTimeOffset(date.AddSeconds(seconds), TimeSpan.Zero);
    }

    /// <summary>Office hours in UTC: EMEA 07-17, the Americas 13-23, APAC 00-10, headquarters (Boston) 13-22.</summary>
    public static (int From, int To) Hours(string region) => region switch
    {
        DemoWorld.Emea => (7, 17),
        DemoWorld.Americas => (13, 23),
        DemoWorld.Apac => (0, 10),
        _ => (13, 22),
    };

    /// <summary><paramref name="candidate"/> if after <paramref name="previous"/>, else a few minutes after it.</summary>
    public static DateTimeOffset After(DemoRandom rng, DateTimeOffset previous, DateTimeOffset candidate) =>
        candidate > previous ? candidate : previous.AddSeconds(rng.Between(120, 2700));

    public static DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(t.UtcDateTime);

    /// <summary>The instant to the millisecond, as both databases store it.</summary>
    public static DateTimeOffset Ms(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    public static DateOnly EndOfMonth(DateOnly d) => new DateOnly(d.Year, d.Month, 1).AddMonths(1).AddDays(-1);

    public static DateOnly EndOfQuarter(DateOnly d)
    {
        var q = (d.Month - 1) / 3;
        return new DateOnly(d.Year, q * 3 + 1, 1).AddMonths(3).AddDays(-1);
    }

    public static DateTimeOffset Midnight(DateOnly d) => new(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
