using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Metrics;
using RevLoop.Platform;
using RevLoop.Server.Analytics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Web.Analytics;

/// <summary>The months a metrics page covers, and which preset (if any) chose them.</summary>
public sealed record Period(YearMonth From, YearMonth To, string Preset)
{
    public int Length => To.Index - From.Index + 1;
    public string Label => From == To ? MetricsUi.MonthLabel(From) : $"{MetricsUi.MonthLabel(From)} – {MetricsUi.MonthLabel(To)}";
}

/// <summary>What every analytics page needs before it computes: company settings, whether there is anything to compute.</summary>
public sealed record MetricsContext(bool HasPeriods, int FiscalYearStartMonth, string BaseCurrency, bool HasRates, YearMonth Now);

/// <summary>One customer's line in a drill-down: the amount shown (apportioned to cents so the lines add up to the total) and an optional second amount.</summary>
public sealed record DrillLine(string CustomerId, decimal Amount, decimal Exact, decimal? Other = null);

public sealed record DrillDown(string Title, string Caption, decimal Total, int Count, IReadOnlyList<DrillLine> Lines, string Currency, string Back, string? OtherHeader = null, decimal? OtherTotal = null);

/// <summary>Shared logic of the SaaS-metrics pages: access, periods, links, formatting, drill-downs. Numbers come from <see cref="MetricsApi.ComputeAsync"/>.</summary>
public static class MetricsUi
{
    public const int MaxLines = 1000;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly string[] Movements = ["new", "expansion", "reactivation", "contraction", "churn"];

    public static bool CanSee(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.RevOps) || user.IsInRole(Roles.Executive) || user.IsInRole(Roles.Finance);

    public static async Task<MetricsContext> LoadContextAsync(RevLoopDb db, TimeProvider clock, CancellationToken ct)
    {
        var settings = await SettingsApi.LoadAsync(db, ct);
        var has = await db.SubscriptionPeriods.AnyAsync(ct);
        var rates = await db.ExchangeRates.AnyAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return new MetricsContext(has, settings.FiscalYearStartMonth, settings.BaseCurrency, rates, new YearMonth(now.Year, now.Month));
    }

    /// <summary>from/to (YYYY-MM) win over a preset; the default is the last 12 months up to the current month.</summary>
    public static Period ResolvePeriod(string? preset, string? from, string? to, YearMonth now, int fiscalYearStartMonth)
    {
        if (!string.IsNullOrWhiteSpace(from) || !string.IsNullOrWhiteSpace(to))
        {
            var t = string.IsNullOrWhiteSpace(to) ? now : Parse(to, "to");
            var f = string.IsNullOrWhiteSpace(from) ? t.AddMonths(-11) : Parse(from, "from");
            if (t < f) throw new InputException("to", $"{t} is before {f}");
            if (t.Index - f.Index >= 120) throw new InputException("from", "a period can cover at most 120 months");
            return new Period(f, t, Presets.FirstOrDefault(p => PresetPeriod(p.Key, now, fiscalYearStartMonth) is var q && q.From == f && q.To == t).Key ?? "custom");
        }
        return preset switch
        {
            null or "" => PresetPeriod("12m", now, fiscalYearStartMonth),
            "12m" or "fy" or "24m" => PresetPeriod(preset, now, fiscalYearStartMonth),
            _ => throw new InputException("preset", "must be one of 12m, fy, 24m"),
        };
    }

    public static readonly IReadOnlyList<KeyValuePair<string, string>> Presets =
        [new("12m", "Last 12 months"), new("fy", "This fiscal year"), new("24m", "Last 24 months")];

    public static Period PresetPeriod(string preset, YearMonth now, int fiscalYearStartMonth)
    {
        switch (preset)
        {
            case "fy":
                var start = new YearMonth(now.Year, fiscalYearStartMonth);
                if (start > now) start = start.AddMonths(-12);
                return new Period(start, now, "fy");
            case "24m": return new Period(now.AddMonths(-23), now, "24m");
            default: return new Period(now.AddMonths(-11), now, "12m");
        }
    }

    public static YearMonth Parse(string? text, string field) =>
        YearMonth.TryParse(text?.Trim(), out var m) ? m : throw new InputException(field, $"'{text}' is not a month YYYY-MM");

    /// <summary>The reporting currency asked for: only the base currency is possible (stored rates convert into it).</summary>
    public static string? Currency(string? asked, MetricsContext ctx)
    {
        if (string.IsNullOrWhiteSpace(asked)) return null;
        var code = asked.Trim().ToUpperInvariant();
        if (code != ctx.BaseCurrency) throw new InputException("currency", $"only the base currency {ctx.BaseCurrency} can be reported in");
        return code;
    }

    public static string MonthLabel(YearMonth m) => m.FirstDay.ToString("MMM yyyy", Inv);
    public static string ShortMonth(YearMonth m) => m.FirstDay.ToString("MMM yy", Inv);

    public static string Money(decimal v) => MetricsApi.Cents(v).ToString("N2", Inv);

    /// <summary>Money in compact units (12.4k, 3.1M) from 10,000 up; the exact value belongs in a title attribute.</summary>
    public static string CompactMoney(decimal v)
    {
        var c = MetricsApi.Cents(v);
        var a = Math.Abs(c);
        return a switch
        {
            < 10_000m => c.ToString("N2", Inv),
            < 1_000_000m => (c / 1000m).ToString("0.#", Inv) + "k",
            < 1_000_000_000m => (c / 1_000_000m).ToString("0.##", Inv) + "M",
            _ => (c / 1_000_000_000m).ToString("0.##", Inv) + "B",
        };
    }

    public static string Percent(decimal? ratio) => ratio is { } r ? (r * 100m).ToString("0.0", Inv) + "%" : "–";

    public static string Query(params (string Key, string? Value)[] parts)
    {
        var kept = parts.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return kept.Count == 0 ? "" : "?" + string.Join("&", kept);
    }

    public static string MrrUrl(Period p, string? currency) => "/analytics/mrr" + Query(("from", p.From.ToString()), ("to", p.To.ToString()), ("currency", currency));

    /// <summary>Drill-down for one month: a movement (new … churn), or "start"/"end" for the MRR per customer then.</summary>
    public static string DrillUrl(YearMonth month, string movement, string? currency) =>
        "/analytics/mrr/customers" + Query(("month", month.ToString()), ("movement", movement), ("currency", currency));

    public static string NetUrl(Period p, string? currency) =>
        "/analytics/mrr/customers" + Query(("movement", "net"), ("from", p.From.ToString()), ("to", p.To.ToString()), ("currency", currency));

    public static string CohortUrl(YearMonth cohort, int k, string? currency) =>
        "/analytics/retention/customers" + Query(("cohort", cohort.ToString()), ("month", k.ToString(Inv)), ("currency", currency));

    public static string MovementTitle(string movement) => movement switch
    {
        "new" => "New MRR", "expansion" => "Expansion", "reactivation" => "Reactivation", "contraction" => "Contraction", "churn" => "Churned MRR",
        "start" => "MRR at the start", "end" => "MRR at the end", "net" => "Net new MRR", _ => movement,
    };

    /// <summary>
    /// Rounds every amount to cents so that the rounded amounts add up exactly to <paramref name="total"/> (already in cents):
    /// the cents lost or gained by rounding go to the amounts whose rounding moved them furthest (largest remainder).
    /// </summary>
    public static decimal[] Apportion(IReadOnlyList<decimal> exact, decimal total)
    {
        var rounded = exact.Select(MetricsApi.Cents).ToArray();
        var diff = (long)((total - rounded.Sum()) * 100m);
        if (diff == 0 || rounded.Length == 0) return rounded;
        var order = Enumerable.Range(0, rounded.Length).OrderBy(i => diff > 0 ? rounded[i] - exact[i] : exact[i] - rounded[i]).ThenBy(i => i).ToList();
        var step = diff > 0 ? 0.01m : -0.01m;
        for (long n = 0; n < Math.Abs(diff); n++) rounded[order[(int)(n % order.Count)]] += step;
        return rounded;
    }

    public static async Task<DrillDown> MrrDrillDownAsync(RevLoopDb db, string? movement, string? month, string? from, string? to, string? currency, CancellationToken ct)
    {
        var mv = (movement ?? "").Trim().ToLowerInvariant();
        if (mv == "net")
        {
            var f = Parse(from, "from");
            var t = Parse(to, "to");
            var r = await MetricsApi.ComputeAsync(db, f.ToString(), t.ToString(), currency, null, false, ct);
            var sums = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var m in r.Months)
                foreach (var kind in Enum.GetValues<MovementKind>())
                {
                    var sign = kind is MovementKind.Contraction or MovementKind.Churn ? -1m : 1m;
                    foreach (var c in r.CustomersBehind(m.Month, kind)) sums[c.CustomerId] = sums.GetValueOrDefault(c.CustomerId) + sign * c.Amount;
                }
            var total = MetricsApi.Cents(r.Months.Sum(m => m.New + m.Expansion + m.Reactivation - m.Contraction - m.Churn));
            var lines = sums.Where(kv => kv.Value != 0).Select(kv => new CustomerAmount(kv.Key, kv.Value)).ToList();
            var period = new Period(f, t, "custom");
            return Build("Net new MRR", $"{period.Label}: new + expansion + reactivation − contraction − churn, per customer", total, lines.Count, lines, r.Currency,
                MrrUrl(period, currency));
        }
        var ym = Parse(month, "month");
        var result = await MetricsApi.ComputeAsync(db, ym.ToString(), ym.ToString(), currency, null, false, ct);
        var row = result.Months[0];
        var back = MrrUrl(new Period(ym.AddMonths(-11), ym, "custom"), currency);
        switch (mv)
        {
            case "start":
            {
                var list = result.MrrByCustomerAtEndOf(ym.AddMonths(-1));
                return Build($"MRR at the start of {MonthLabel(ym)}", $"Customers paying at the end of {MonthLabel(ym.AddMonths(-1))}", MetricsApi.Cents(row.MrrStart), row.CustomersStart, list, result.Currency, back);
            }
            case "end":
            {
                var list = result.MrrByCustomerAtEndOf(ym);
                return Build($"MRR at the end of {MonthLabel(ym)}", $"Customers paying at the end of {MonthLabel(ym)}", MetricsApi.Cents(row.MrrEnd), row.CustomersEnd, list, result.Currency, back);
            }
        }
        if (!Enum.TryParse<MovementKind>(mv, ignoreCase: true, out var k) || !Movements.Contains(mv))
            throw new InputException("movement", "must be one of new, expansion, reactivation, contraction, churn, start, end, net");
        var behind = result.CustomersBehind(ym, k);
        return Build($"{MovementTitle(mv)} in {MonthLabel(ym)}", CaptionOf(mv), MetricsApi.Cents(row.Movement(k)), behind.Count, behind, result.Currency, back);
    }

    private static string CaptionOf(string movement) => movement switch
    {
        "new" => "Customers whose first MRR started this month",
        "expansion" => "Customers whose MRR grew",
        "reactivation" => "Customers who came back after churning",
        "contraction" => "Customers whose MRR shrank but stayed above zero",
        _ => "Customers whose MRR went to zero; the amount is what they paid before",
    };

    private static DrillDown Build(string title, string caption, decimal total, int count, IReadOnlyList<CustomerAmount> list, string currency, string back)
    {
        var sorted = list.OrderByDescending(c => c.Amount).ThenBy(c => c.CustomerId, StringComparer.Ordinal).ToList();
        var cents = Apportion(sorted.Select(c => c.Amount).ToList(), total);
        var lines = sorted.Select((c, i) => new DrillLine(c.CustomerId, cents[i], c.Amount)).Take(MaxLines).ToList();
        return new DrillDown(title, caption, total, Math.Max(count, sorted.Count), lines, currency, back);
    }

    /// <summary>The members of a cohort still paying at the end of month k since the cohort's start, with their starting MRR and the MRR then.</summary>
    public static async Task<DrillDown> CohortDrillDownAsync(RevLoopDb db, string? cohort, int? month, string? basis, string? currency, CancellationToken ct)
    {
        var c = Parse(cohort, "cohort");
        if (month is not { } k || k < 0 || k > 119) throw new InputException("month", "must be the months since the cohort's start, 0 to 119");
        var at = c.AddMonths(k);
        var r = await MetricsApi.ComputeAsync(db, c.ToString(), at.ToString(), currency, null, true, ct);
        var row = r.Cohorts()[0];
        var members = r.CustomersBehind(c, MovementKind.New).ToDictionary(x => x.CustomerId, x => x.Amount, StringComparer.Ordinal);
        var now = r.MrrByCustomerAtEndOf(at).Where(x => members.ContainsKey(x.CustomerId)).OrderByDescending(x => x.Amount).ThenBy(x => x.CustomerId, StringComparer.Ordinal).ToList();
        var total = MetricsApi.Cents(row.RetainedMrr[k]);
        var cents = Apportion(now.Select(x => x.Amount).ToList(), total);
        var lines = now.Select((x, i) => new DrillLine(x.CustomerId, cents[i], x.Amount, MetricsApi.Cents(members[x.CustomerId]))).Take(MaxLines).ToList();
        var caption = $"{Ui.Number(row.RetainedCustomers[k])} of {Ui.Number(row.Customers)} customers who started in {MonthLabel(c)} still pay at the end of {MonthLabel(at)} " +
                      $"(month {k}); {Percent(row.MrrRetention(k))} of their starting MRR {Money(row.StartingMrr)}.";
        var back = "/analytics/retention" + Query(("from", c.ToString()), ("to", MaxMonth(at, c.AddMonths(11)).ToString()), ("by", basis), ("currency", currency));
        return new DrillDown($"{MonthLabel(c)} cohort, month {k}", caption, total, row.RetainedCustomers[k], lines, r.Currency, back, "Starting MRR",
            MetricsApi.Cents(now.Sum(x => members[x.CustomerId])));
    }

    private static YearMonth MaxMonth(YearMonth a, YearMonth b) => a > b ? a : b;
}
