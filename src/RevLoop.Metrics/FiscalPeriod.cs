using System.Globalization;

namespace RevLoop.Metrics;

public enum FiscalPeriodKind { Month, Quarter, Year }

/// <summary>
/// A fiscal month, quarter or year of a company whose fiscal year starts in <see cref="StartMonth"/>. A fiscal year is
/// named after the calendar year in which it ends (start month 2: FY2027 runs 2026-02-01 to 2027-01-31), so with a
/// January start the fiscal year equals the calendar year. Labels: FY2027, FY2027-Q1, FY2027-M01 (fiscal month 1).
/// </summary>
public readonly record struct FiscalPeriod(FiscalPeriodKind Kind, int FiscalYear, int Number, int StartMonth)
{
    /// <summary>First day of the period.</summary>
    public DateOnly Start
    {
        get
        {
            var yearStart = new DateOnly(StartMonth == 1 ? FiscalYear : FiscalYear - 1, StartMonth, 1);
            return Kind switch
            {
                FiscalPeriodKind.Year => yearStart,
                FiscalPeriodKind.Quarter => yearStart.AddMonths((Number - 1) * 3),
                _ => yearStart.AddMonths(Number - 1),
            };
        }
    }

    /// <summary>The day after the last day of the period (exclusive end).</summary>
    public DateOnly End => Start.AddMonths(Kind switch { FiscalPeriodKind.Year => 12, FiscalPeriodKind.Quarter => 3, _ => 1 });

    public int Days => End.DayNumber - Start.DayNumber;

    public string Label => Kind switch
    {
        FiscalPeriodKind.Year => $"FY{FiscalYear}",
        FiscalPeriodKind.Quarter => $"FY{FiscalYear}-Q{Number}",
        _ => $"FY{FiscalYear}-M{Number:00}",
    };

    public override string ToString() => Label;

    public bool Contains(DateOnly day) => day >= Start && day < End;

    /// <summary>The same period one fiscal year earlier (for year-over-year change).</summary>
    public FiscalPeriod PriorYear => this with { FiscalYear = FiscalYear - 1 };

    /// <summary>The period after this one of the same kind.</summary>
    public FiscalPeriod Next => Kind switch
    {
        FiscalPeriodKind.Year => this with { FiscalYear = FiscalYear + 1 },
        FiscalPeriodKind.Quarter => Number == 4 ? this with { FiscalYear = FiscalYear + 1, Number = 1 } : this with { Number = Number + 1 },
        _ => Number == 12 ? this with { FiscalYear = FiscalYear + 1, Number = 1 } : this with { Number = Number + 1 },
    };

    /// <summary>The period before this one of the same kind.</summary>
    public FiscalPeriod Previous => Kind switch
    {
        FiscalPeriodKind.Year => this with { FiscalYear = FiscalYear - 1 },
        FiscalPeriodKind.Quarter => Number == 1 ? this with { FiscalYear = FiscalYear - 1, Number = 4 } : this with { Number = Number - 1 },
        _ => Number == 1 ? this with { FiscalYear = FiscalYear - 1, Number = 12 } : this with { Number = Number - 1 },
    };

    /// <summary>
    /// How much of the period has passed at the end of <paramref name="asOf"/>: days elapsed (asOf included) / days in the
    /// period; 0 before it starts, 1 once it is over. Exact (a fraction of whole days).
    /// </summary>
    public decimal ElapsedFraction(DateOnly asOf)
    {
        if (asOf < Start) return 0m;
        if (asOf >= End) return 1m;
        return (decimal)(asOf.DayNumber - Start.DayNumber + 1) / Days;
    }

    public static FiscalPeriod Containing(DateOnly day, FiscalPeriodKind kind, int startMonth)
    {
        CheckStartMonth(startMonth);
        // Months since the fiscal year began (0..11) and the fiscal year's name (the calendar year it ends in).
        var offset = ((day.Month - startMonth) % 12 + 12) % 12;
        var yearStartYear = day.Month >= startMonth ? day.Year : day.Year - 1;
        var fiscalYear = startMonth == 1 ? yearStartYear : yearStartYear + 1;
        return kind switch
        {
            FiscalPeriodKind.Year => new FiscalPeriod(kind, fiscalYear, 1, startMonth),
            FiscalPeriodKind.Quarter => new FiscalPeriod(kind, fiscalYear, offset / 3 + 1, startMonth),
            _ => new FiscalPeriod(kind, fiscalYear, offset + 1, startMonth),
        };
    }

    /// <summary>Parses FY2027, FY2027-Q3 or FY2027-M05 (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? label, int startMonth, out FiscalPeriod period)
    {
        period = default;
        var s = (label ?? "").Trim().ToUpperInvariant();
        if (s.Length < 6 || !s.StartsWith("FY", StringComparison.Ordinal) || !int.TryParse(s.AsSpan(2, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year < 1900)
            return false;
        if (s.Length == 6) { period = new FiscalPeriod(FiscalPeriodKind.Year, year, 1, startMonth); return true; }
        if (s.Length < 9 || s[6] != '-') return false;
        var kind = s[7] switch { 'Q' => FiscalPeriodKind.Quarter, 'M' => FiscalPeriodKind.Month, _ => (FiscalPeriodKind?)null };
        if (kind is null || !int.TryParse(s.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        if (kind == FiscalPeriodKind.Quarter ? n is < 1 or > 4 : n is < 1 or > 12) return false;
        period = new FiscalPeriod(kind.Value, year, n, startMonth);
        return true;
    }

    public static FiscalPeriod Parse(string? label, int startMonth) => TryParse(label, startMonth, out var p) ? p
        : throw new MetricsInputException($"'{label}' is not a fiscal period (FY2027, FY2027-Q1 or FY2027-M01)");

    private static void CheckStartMonth(int startMonth)
    {
        if (startMonth is < 1 or > 12) throw new ArgumentOutOfRangeException(nameof(startMonth), "a fiscal year starts in month 1 to 12");
    }
}
