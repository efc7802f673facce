using System.Text;

namespace RevLoop.Metrics;

/// <summary>One exchange rate: 1 unit of <paramref name="Currency"/> = <paramref name="Rate"/> units of the reporting currency, from <paramref name="Date"/> on.</summary>
public sealed record FxRate(DateOnly Date, string Currency, decimal Rate);

/// <summary>
/// Dated exchange rates into one reporting currency. The rate of a day is the last known rate on or
/// before that day; for days before a currency's first known rate, that first rate is used (so a
/// 12-month look-back does not fail on a rates table that starts later). The reporting currency itself
/// always has rate 1. Rates have at most 12 decimals and must be positive.
/// </summary>
public sealed class FxRateTable
{
    private readonly Dictionary<int, (int[] Days, long[] Rates)> _byCurrency;

    private FxRateTable(string reportingCurrency, Dictionary<int, (int[] Days, long[] Rates)> byCurrency)
    {
        ReportingCurrency = reportingCurrency;
        _byCurrency = byCurrency;
        int scale = 0;
        long max = Money.RateUnit; // the reporting currency's own rate 1
        foreach (var (_, rates) in byCurrency.Values)
        {
            foreach (long units in rates)
            {
                if (units > max) max = units;
                long m = units;
                int s = Money.RateScale;
                FixedPoint.StripZeros(ref m, ref s);
                if (s > scale) scale = s;
            }
        }
        SignificantScale = scale;
        MaxRateUnits = max;
    }

    public string ReportingCurrency { get; }

    /// <summary>Most decimals any rate of the table really has (trailing zeros ignored), 0..12.</summary>
    internal int SignificantScale { get; }

    /// <summary>Largest rate of the table (including the reporting currency's 1) in 1e-12 units.</summary>
    internal long MaxRateUnits { get; }

    internal int ReportingKey => CurrencyIndex.TryKey(Encoding.ASCII.GetBytes(ReportingCurrency), out int k) ? k : 0;

    public static FxRateTable Empty(string reportingCurrency) => FromRates(reportingCurrency, []);

    public static FxRateTable FromRates(string reportingCurrency, IEnumerable<FxRate> rates)
    {
        if (!CurrencyIndex.TryKey(Encoding.ASCII.GetBytes(reportingCurrency ?? ""), out int rk))
            throw new MetricsInputException($"invalid reporting currency '{reportingCurrency}'");
        var lists = new Dictionary<int, List<(int Day, long Rate)>>();
        foreach (var r in rates)
        {
            if (!CurrencyIndex.TryKey(Encoding.ASCII.GetBytes(r.Currency ?? ""), out int key))
                throw new MetricsInputException($"invalid currency '{r.Currency}' in rates");
            if (r.Rate <= 0) throw new MetricsInputException($"rate for {r.Currency} on {r.Date:yyyy-MM-dd} must be positive");
            if (!FixedPoint.TryFromDecimal(r.Rate, Money.RateScale, out long units))
                throw new MetricsInputException($"rate for {r.Currency} on {r.Date:yyyy-MM-dd} has more than 12 decimals");
            Add(lists, key, r.Date.DayNumber, units);
        }
        return Build(CurrencyIndex.KeyToCode(rk), lists);
    }

    /// <summary>Reads a rates CSV with header date,currency,rate (any order; extra columns ignored).</summary>
    public static FxRateTable Read(Stream csv, string reportingCurrency)
    {
        if (!CurrencyIndex.TryKey(Encoding.ASCII.GetBytes(reportingCurrency ?? ""), out int rk))
            throw new MetricsInputException($"invalid reporting currency '{reportingCurrency}'");
        var reader = new CsvRecordReader(csv, 1 << 16);
        if (!reader.Read()) throw new MetricsInputException("rates: empty input, header date,currency,rate required");
        int cDate = -1, cCur = -1, cRate = -1;
        for (int i = 0; i < reader.FieldCount; i++)
        {
            switch (Encoding.UTF8.GetString(reader.Field(i)).Trim().ToLowerInvariant())
            {
                case "date": cDate = i; break;
                case "currency": cCur = i; break;
                case "rate": cRate = i; break;
            }
        }
        if (cDate < 0 || cCur < 0 || cRate < 0) throw new MetricsInputException("rates: header must contain date, currency and rate");
        int headerFields = reader.FieldCount;
        var lists = new Dictionary<int, List<(int Day, long Rate)>>();
        while (reader.Read())
        {
            long line = reader.Line;
            if (reader.Malformed is not null || reader.FieldCount != headerFields)
                throw new MetricsInputException($"rates line {line}: row: expected {headerFields} fields");
            if (!Utf8Date.TryParse(reader.Field(cDate), out long ticks))
                throw new MetricsInputException($"rates line {line}: date: invalid date '{PeriodCsvReader.Text(reader.Field(cDate))}'");
            if (!CurrencyIndex.TryKey(reader.Field(cCur), out int key))
                throw new MetricsInputException($"rates line {line}: currency: invalid currency code '{PeriodCsvReader.Text(reader.Field(cCur))}'");
            var st = FixedPoint.Parse(reader.Field(cRate), Money.RateScale, 6, out long m, out int sc);
            if (st != FixedPoint.Status.Ok || m == 0)
                throw new MetricsInputException($"rates line {line}: rate: invalid rate '{PeriodCsvReader.Text(reader.Field(cRate))}'");
            Add(lists, key, (int)(ticks / TimeSpan.TicksPerDay), m * Money.Pow10(Money.RateScale - sc));
        }
        return Build(CurrencyIndex.KeyToCode(rk), lists);
    }

    private static void Add(Dictionary<int, List<(int Day, long Rate)>> lists, int key, int day, long units)
    {
        if (!lists.TryGetValue(key, out var list)) lists[key] = list = [];
        list.Add((day, units));
    }

    private static FxRateTable Build(string reporting, Dictionary<int, List<(int Day, long Rate)>> lists)
    {
        var dict = new Dictionary<int, (int[], long[])>();
        foreach (var (key, list) in lists)
        {
            // stable sort by day; a later line for the same day wins
            var sorted = list.Select((x, i) => (x.Day, x.Rate, i)).OrderBy(x => x.Day).ThenBy(x => x.i).ToList();
            var days = new List<int>();
            var rates = new List<long>();
            foreach (var (day, rate, _) in sorted)
            {
                if (days.Count > 0 && days[^1] == day) rates[^1] = rate;
                else { days.Add(day); rates.Add(rate); }
            }
            dict[key] = (days.ToArray(), rates.ToArray());
        }
        return new FxRateTable(reporting, dict);
    }

    /// <summary>Rate (1e-12 units) of <paramref name="currencyCode"/> on day <paramref name="dayNumber"/>.</summary>
    internal long RateUnits(string currencyCode, int dayNumber)
    {
        CurrencyIndex.TryKey(Encoding.ASCII.GetBytes(currencyCode), out int key);
        var daily = DailyRates(key, dayNumber, dayNumber);
        return daily[0];
    }

    public decimal RateOn(string currencyCode, DateOnly date) => Money.ToDecimal(RateUnits(currencyCode, date.DayNumber), Money.RateScale);

    public bool HasRates(string currencyCode) =>
        string.Equals(currencyCode, ReportingCurrency, StringComparison.OrdinalIgnoreCase)
        || (CurrencyIndex.TryKey(Encoding.ASCII.GetBytes(currencyCode), out int k) && _byCurrency.ContainsKey(k));

    /// <summary>Rates (1e-12 units) for each day from <paramref name="firstDay"/> to <paramref name="lastDay"/> inclusive.</summary>
    internal long[] DailyRates(int currencyKey, int firstDay, int lastDay)
    {
        var result = new long[lastDay - firstDay + 1];
        if (currencyKey == ReportingKey)
        {
            Array.Fill(result, Money.RateUnit);
            return result;
        }
        if (!_byCurrency.TryGetValue(currencyKey, out var r))
            throw new MetricsInputException($"no exchange rate for {CurrencyIndex.KeyToCode(currencyKey)} into {ReportingCurrency}");
        int j = 0;
        for (int d = firstDay; d <= lastDay; d++)
        {
            while (j + 1 < r.Days.Length && r.Days[j + 1] <= d) j++;
            result[d - firstDay] = r.Rates[j];
        }
        return result;
    }
}
