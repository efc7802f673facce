using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Activities;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Metrics;
using RevLoop.Server.Forecasting;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

public sealed record CoverageDto(string Period, decimal OpenPipeline, decimal? BookingsTarget, decimal Won, decimal? Coverage, decimal? CoverageTarget, string Status);
public sealed record ApmCellDto(decimal? Amount, decimal? Target, decimal? PercentOfTarget, decimal? YoyChange, decimal Expected, string Status);
public sealed record ApmRowDto(string Value, ApmCellDto Forecast, ApmCellDto Closed, ApmCellDto OpenPipeline, ApmCellDto Generation, ApmCellDto Coverage);
public sealed record ApmThresholdsDto(decimal RedBelow, decimal GreenFrom, decimal CoverageTarget);
public sealed record ApmDto(string Dimension, string Period, DateOnly Start, DateOnly End, DateOnly AsOf, decimal Elapsed, string Currency,
    ApmThresholdsDto Thresholds, IReadOnlyList<ApmRowDto> Rows, ApmRowDto Total);
public sealed record ApmDealDto(Guid Id, string Name, decimal? Amount, string Currency, decimal AmountOriginal, DateOnly? CloseDate, string ForecastCategory, string Status, Guid? OwnerId);
public sealed record ApmActionInput(string? Period, string? Dimension, string? Value, string? Column, Guid? OwnerId, DateOnly? DueDate, string? Note);
public sealed record ApmActionDto(Guid Id, string Period, string Dimension, string Value, string Column, Guid OwnerId, string OwnerName, DateOnly DueDate,
    string Note, Guid ActivityId, string Status, DateTimeOffset CreatedAt);

/// <summary>The accountability performance matrix: API, CSV export, the deals behind each cell and the actions agreed on cells.</summary>
public static class ApmApi
{
    public static readonly IReadOnlyList<string> Columns = ["forecast", "closed", "open_pipeline", "generation", "coverage"];

    public static void MapApmApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/analytics/apm").WithTags("Analytics").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", Get);
        g.MapGet("/deals", Deals);
        g.MapGet("/actions", Actions);
        g.MapPost("/actions", CreateAction).RequireAuthorization(ApiPolicies.Write);
        app.MapGet("/api/v1/analytics/coverage", Coverage).WithTags("Analytics").RequireAuthorization(ApiPolicies.Read);
    }

    /// <summary>The company's coverage per fiscal quarter from <paramref name="period"/> (default: the current one) on.</summary>
    public static async Task<Ok<List<CoverageDto>>> Coverage(string? period, int? count, RevLoopDb db, CancellationToken ct)
    {
        var n = count ?? 4;
        if (n is < 1 or > 8) throw new InputException("count", "must be 1 to 8 quarters");
        var p = Bookings.Period(period, await Bookings.FiscalStartMonthAsync(db, ct), Bookings.Today(db));
        if (p.Kind != FiscalPeriodKind.Quarter) throw new InputException("period", "must be a fiscal quarter (FY2027-Q1)");
        var result = new List<CoverageDto>(n);
        for (var i = 0; i < n; i++, p = p.Next)
        {
            var t = await CompanyAsync(db, p, ct);
            result.Add(new CoverageDto(p.Label, Money.RoundToCents(t.OpenPipeline.Amount ?? 0m), t.Closed.Target is { } b ? Money.RoundToCents(b) : null,
                Money.RoundToCents(t.Closed.Amount ?? 0m), Ratio(t.Coverage.Amount), Ratio(t.Coverage.Target), Status(t.Coverage.Status)));
        }
        return TypedResults.Ok(result);
    }

    public static string Dimension(string? dimension) => dimension is null ? TargetSubjects.Product
        : TargetSubjects.Dimensions.Contains(dimension) ? dimension : throw new InputException("dimension", $"must be one of {string.Join(", ", TargetSubjects.Dimensions)}");

    public static async Task<ApmMatrix> ComputeAsync(RevLoopDb db, string dimension, string? period, CancellationToken ct)
    {
        var settings = await SettingsApi.LoadAsync(db, ct);
        var today = Bookings.Today(db);
        var p = Bookings.Period(period, settings.FiscalYearStartMonth, today);
        var rates = await RateBook.LoadAsync(db, ct);
        var facts = await Bookings.ApmFactsAsync(db, rates, dimension, p, today, ct);
        var targets = await TargetsApi.AmountsAsync(db, p.Label, dimension, rates.BaseCurrency, ct);
        var prior = await TargetsApi.AmountsAsync(db, p.PriorYear.Label, dimension, rates.BaseCurrency, ct);
        var byValue = targets.Keys.Concat(prior.Keys).Select(k => k.Subject).Distinct(StringComparer.Ordinal).ToDictionary(v => v, v => new ApmTargets(
            targets.TryGetValue((v, TargetMetrics.Bookings), out var b) ? b : null,
            targets.TryGetValue((v, TargetMetrics.Generation), out var g) ? g : null,
            prior.TryGetValue((v, TargetMetrics.Bookings), out var pb) ? pb : null), StringComparer.Ordinal);
        return Apm.Compute(facts, byValue, p, today, Thresholds(settings));
    }

    /// <summary>
    /// The company's coverage of a period (the pipeline dashboard): the matrix's total row against the company's bookings
    /// target, or, where none is set, the sum of the first dimension's bookings targets (product, region, segment, source).
    /// </summary>
    public static async Task<ApmRow> CompanyAsync(RevLoopDb db, FiscalPeriod p, CancellationToken ct)
    {
        var settings = await SettingsApi.LoadAsync(db, ct);
        var rates = await RateBook.LoadAsync(db, ct);
        var today = Bookings.Today(db);
        var facts = await Bookings.ApmFactsAsync(db, rates, TargetSubjects.Product, p, today, ct, priorOpen: false);
        var bookings = await db.Targets.AsNoTracking()
            .Where(t => t.Period == p.Label && t.Metric == TargetMetrics.Bookings && (t.SubjectKind == TargetSubjects.Company || TargetSubjects.Dimensions.Contains(t.SubjectKind)))
            .GroupBy(t => t.SubjectKind).Select(g => new { Kind = g.Key, Minor = g.Sum(t => t.AmountMinor) }).ToListAsync(ct);
        var chosen = bookings.OrderBy(b => b.Kind == TargetSubjects.Company ? -1 : TargetSubjects.Dimensions.ToList().IndexOf(b.Kind)).FirstOrDefault();
        // One pseudo-value carries the target, so the total row is measured against it (the value rows are not shown).
        var targets = chosen is null ? new Dictionary<string, ApmTargets>()
            : new Dictionary<string, ApmTargets> { ["(company target)"] = new(MinorUnits.ToAmount(chosen.Minor, rates.BaseCurrency), null) };
        return Apm.Compute(facts, targets, p, today, Thresholds(settings)).Total;
    }

    public static ApmThresholds Thresholds(RevLoop.Platform.CompanySettings s) => new(s.ApmRedBelow, s.ApmGreenFrom, s.CoverageTarget);

    /// <summary>Ratios with at most 4 decimals and no trailing zeros, whatever scale the database handed back.</summary>
    private static decimal? Ratio(decimal? v) => v is { } x ? Math.Round(x, 4, MidpointRounding.AwayFromZero) / 1.0000000000000000000000000000m : null;
    private static ApmCellDto Cell(ApmCell c, bool ratio) => new(ratio ? Ratio(c.Amount) : c.Amount is { } a ? Money.RoundToCents(a) : null,
        ratio ? Ratio(c.Target) : c.Target is { } t ? Money.RoundToCents(t) : null, Ratio(c.PercentOfTarget), Ratio(c.YoyChange), Ratio(c.Expected)!.Value, Status(c.Status));
    public static string Status(RagStatus s) => s switch { RagStatus.Red => "red", RagStatus.Yellow => "yellow", RagStatus.Green => "green", _ => "none" };
    private static ApmRowDto Row(ApmRow r) => new(r.Value, Cell(r.Forecast, false), Cell(r.Closed, false), Cell(r.OpenPipeline, false), Cell(r.Generation, false), Cell(r.Coverage, true));

    public static ApmDto Dto(ApmMatrix m, string dimension, string currency, ApmThresholds th) => new(dimension, m.Period.Label, m.Period.Start, m.Period.End.AddDays(-1), m.AsOf,
        Ratio(m.Elapsed)!.Value, currency, new ApmThresholdsDto(Ratio(th.RedBelow)!.Value, Ratio(th.GreenFrom)!.Value, Ratio(th.CoverageTarget)!.Value), m.Rows.Select(Row).ToList(), Row(m.Total));

    public static async Task<IResult> Get(string? dimension, string? period, string? format, RevLoopDb db, CancellationToken ct)
    {
        var dim = Dimension(dimension);
        if (format is not (null or "json" or "csv")) throw new InputException("format", "must be json or csv");
        var m = await ComputeAsync(db, dim, period, ct);
        var settings = await SettingsApi.LoadAsync(db, ct);
        var dto = Dto(m, dim, settings.BaseCurrency, Thresholds(settings));
        if (format == "csv")
            return TypedResults.File(Encoding.UTF8.GetBytes(Csv(dto)), "text/csv; charset=utf-8", $"apm-{dim}-{dto.Period}.csv");
        return TypedResults.Ok(dto);
    }

    /// <summary>One line per value, (all) first; per column: amount, target, pct_of_target, yoy, status (ratios with 4 decimals).</summary>
    public static string Csv(ApmDto dto)
    {
        static string N(decimal? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";
        static string Q(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
        var sb = new StringBuilder();
        sb.Append(dto.Dimension);
        foreach (var c in Columns) sb.Append(CultureInfo.InvariantCulture, $",{c},{c}_target,{c}_pct_of_target,{c}_yoy,{c}_status");
        sb.Append('\n');
        foreach (var r in dto.Rows.Prepend(dto.Total))
        {
            sb.Append(Q(r.Value));
            foreach (var c in new[] { r.Forecast, r.Closed, r.OpenPipeline, r.Generation, r.Coverage })
                sb.Append(CultureInfo.InvariantCulture, $",{N(c.Amount)},{N(c.Target)},{N(c.PercentOfTarget)},{N(c.YoyChange)},{c.Status}");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The deals behind one cell (the same rules as the matrix), largest first, keyset-paged.</summary>
    public static async Task<Ok<Page<ApmDealDto>>> Deals(string? dimension, string? value, string? period, string? column, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        var dim = Dimension(dimension);
        var size = Paging.Size(pageSize);
        if (value is null) throw new InputException("value", $"is required (a {dim} value, or {Bookings.NoValue})");
        var col = column ?? "closed";
        if (!Columns.Contains(col)) throw new InputException("column", $"must be one of {string.Join(", ", Columns)}");
        var today = Bookings.Today(db);
        var p = Bookings.Period(period, await Bookings.FiscalStartMonthAsync(db, ct), today);
        var q = Bookings.OfValue(db.Opportunities.AsNoTracking(), dim, value);
        var (start, end) = (p.Start, p.End);
        q = col switch
        {
            "closed" => q.Where(o => o.WonAt != null && o.CloseDate >= start && o.CloseDate < end),
            "forecast" => q.Where(o => o.LostAt == null && o.CloseDate >= start && o.CloseDate < end && (o.WonAt != null || o.ForecastCategory == ForecastCategories.Commit)),
            "generation" => q.Where(o => o.CreatedAt >= Bookings.Instant(start) && o.CreatedAt < Bookings.Instant(today < p.End ? today.AddDays(1) : p.End)),
            _ => q.Where(o => o.WonAt == null && o.LostAt == null && o.CloseDate >= start && o.CloseDate < end && o.ForecastCategory != ForecastCategories.Omitted),
        };
        if (cursor is not null)
        {
            var c = Paging.DecodeCursor(cursor, 2);
            var after = long.Parse(c[0]!, CultureInfo.InvariantCulture);
            var id = Guid.Parse(c[1]!);
            q = q.Where(o => (o.AcvMinor ?? o.AmountMinor) < after || ((o.AcvMinor ?? o.AmountMinor) == after && o.Id.CompareTo(id) > 0));
        }
        var rows = await q.OrderByDescending(o => o.AcvMinor ?? o.AmountMinor).ThenBy(o => o.Id).Take(size + 1)
            .Select(o => new { o.Id, o.Name, Minor = o.AcvMinor ?? o.AmountMinor, o.Currency, o.CloseDate, o.ForecastCategory, o.WonAt, o.LostAt, o.OwnerId }).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].Minor.ToString(CultureInfo.InvariantCulture), rows[size - 1].Id.ToString()) : null;
        var rates = await RateBook.LoadAsync(db, ct);
        return TypedResults.Ok(new Page<ApmDealDto>(rows.Take(size).Select(o => new ApmDealDto(o.Id, o.Name, rates.ToBase(o.Minor, o.Currency, o.CloseDate), o.Currency,
            MinorUnits.ToAmount(o.Minor, o.Currency), o.CloseDate, o.ForecastCategory, o.WonAt != null ? "won" : o.LostAt != null ? "lost" : "open", o.OwnerId)).ToList(), next, size));
    }

    /// <summary>Records an action on a cell and gives its owner a task due that day (it shows in their tasks).</summary>
    public static async Task<Created<ApmActionDto>> CreateAction(ApmActionInput input, RevLoopDb db, Viewer viewer, CancellationToken ct)
    {
        var dim = input.Dimension is null ? throw new InputException("dimension", "is required") : Dimension(input.Dimension);
        var p = Bookings.Period(input.Period ?? throw new InputException("period", "is required"), await Bookings.FiscalStartMonthAsync(db, ct), Bookings.Today(db));
        var value = (input.Value ?? "").Trim();
        if (value.Length is 0 or > 100) throw new InputException("value", "is required (1 to 100 characters)");
        var column = input.Column is { } c && Columns.Contains(c) ? c : throw new InputException("column", $"must be one of {string.Join(", ", Columns)}");
        var owner = input.OwnerId ?? throw new InputException("ownerId", "is required: who does it");
        var due = input.DueDate ?? throw new InputException("dueDate", "is required");
        var note = (input.Note ?? "").Trim();
        if (note.Length is 0 or > 2000) throw new InputException("note", "is required (1 to 2000 characters): what is to be done");
        var ownerName = await db.Users.Where(u => u.Id == owner).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? throw new InputException("ownerId", $"no user has id {owner}");

        var now = db.Clock.GetUtcNow();
        var task = new Activity
        {
            Type = ActivityTypes.Task, Status = ActivityStatus.Open, OccurredAt = now, DueAt = Bookings.Instant(due),
            Subject = $"APM {p.Label} · {dim} {value} · {column.Replace('_', ' ')}", Body = note,
        };
        await new Ownership(db).AssignAsync(task, owner, ct);
        var action = new ApmAction
        {
            Period = p.Label, Dimension = dim, Value = value, Column = column, OwnerId = owner, DueDate = due, Note = note, ActivityId = task.Id,
            CreatedById = viewer.UserId ?? Guid.Empty, CreatedAt = now,
        };
        db.Activities.Add(task);
        db.ApmActions.Add(action);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/activities/{task.Id}", ActionDto(action, ownerName, task.Status));
    }

    private static ApmActionDto ActionDto(ApmAction a, string ownerName, string status) =>
        new(a.Id, a.Period, a.Dimension, a.Value, a.Column, a.OwnerId, ownerName, a.DueDate, a.Note, a.ActivityId, status, a.CreatedAt);

    /// <summary>The actions of a period and dimension whose task is still open (done or cancelled tasks drop off), by due date.</summary>
    public static async Task<Ok<IReadOnlyList<ApmActionDto>>> Actions(string? dimension, string? period, bool? all, RevLoopDb db, CancellationToken ct)
    {
        var dim = Dimension(dimension);
        var p = Bookings.Period(period, await Bookings.FiscalStartMonthAsync(db, ct), Bookings.Today(db)).Label;
        var includeClosed = all == true;
        var rows = await (from a in db.ApmActions.AsNoTracking()
                          join t in db.Activities.AsNoTracking() on a.ActivityId equals t.Id
                          join u in db.Users.AsNoTracking() on a.OwnerId equals u.Id
                          where a.Period == p && a.Dimension == dim && (includeClosed || t.Status == ActivityStatus.Open)
                          orderby a.DueDate, a.CreatedAt
                          select new { a, u.DisplayName, t.Status }).Take(Paging.MaxPageSize).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ApmActionDto>>(rows.Select(r => ActionDto(r.a, r.DisplayName, r.Status)).ToList());
    }
}
