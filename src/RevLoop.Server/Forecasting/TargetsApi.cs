using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Metrics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Forecasting;

public sealed record TargetDto(Guid Id, string Period, string SubjectKind, string Subject, string Metric, decimal Amount, string Currency, long Version);
public sealed record TargetInput(string? Period, string? SubjectKind, string? Subject, string? Metric, decimal? Amount);

/// <summary>Quotas per fiscal period for users, teams, the company and dimension values; amounts in base currency.</summary>
public static class TargetsApi
{
    public static void MapTargetsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/targets").WithTags("Forecasting").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", List);
        g.MapPut("/", Put).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
        g.MapDelete("/{id:guid}", Delete).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Configure);
    }

    private static TargetDto Dto(Target t, string currency) =>
        new(t.Id, t.Period, t.SubjectKind, t.Subject, t.Metric, MinorUnits.ToAmount(t.AmountMinor, currency), currency, t.Version);

    private static async Task<string> BaseCurrencyAsync(RevLoopDb db, CancellationToken ct) =>
        await db.CompanySettings.AsNoTracking().Select(s => s.BaseCurrency).FirstOrDefaultAsync(ct) ?? "USD";

    /// <summary>One period's targets (optionally of one subject kind), by kind, subject and metric; keyset-paged.</summary>
    public static async Task<Ok<Page<TargetDto>>> List(string? period, string? subjectKind, string? cursor, int? pageSize, RevLoopDb db, CancellationToken ct)
    {
        var size = Paging.Size(pageSize);
        var start = await Bookings.FiscalStartMonthAsync(db, ct);
        var p = Bookings.Period(period, start, Bookings.Today(db)).Label;
        var q = db.Targets.AsNoTracking().Where(t => t.Period == p);
        if (subjectKind is not null)
        {
            if (!TargetSubjects.All.Contains(subjectKind)) throw new InputException("subjectKind", $"must be one of {string.Join(", ", TargetSubjects.All)}");
            q = q.Where(t => t.SubjectKind == subjectKind);
        }
        if (cursor is not null)
        {
            var c = Paging.DecodeCursor(cursor, 3);
            var (kind, subject, metric) = (c[0]!, c[1]!, c[2]!);
            q = q.Where(t => t.SubjectKind.CompareTo(kind) > 0 || (t.SubjectKind == kind && (t.Subject.CompareTo(subject) > 0 || (t.Subject == subject && t.Metric.CompareTo(metric) > 0))));
        }
        var rows = await q.OrderBy(t => t.SubjectKind).ThenBy(t => t.Subject).ThenBy(t => t.Metric).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].SubjectKind, rows[size - 1].Subject, rows[size - 1].Metric) : null;
        var currency = await BaseCurrencyAsync(db, ct);
        return TypedResults.Ok(new Page<TargetDto>(rows.Take(size).Select(t => Dto(t, currency)).ToList(), next, size));
    }

    /// <summary>Sets the target of one period, subject and metric (creating it the first time): the grid saves cell by cell.</summary>
    public static async Task<Results<Ok<TargetDto>, Created<TargetDto>>> Put(TargetInput input, RevLoopDb db, CancellationToken ct)
    {
        var start = await Bookings.FiscalStartMonthAsync(db, ct);
        var period = FiscalPeriod.TryParse(input.Period, start, out var p) ? p.Label
            : throw new InputException("period", input.Period is null ? "is required (FY2027, FY2027-Q1 or FY2027-M01)" : $"'{input.Period}' is not a fiscal period (FY2027, FY2027-Q1 or FY2027-M01)");
        var kind = input.SubjectKind is { } k && TargetSubjects.All.Contains(k) ? k : throw new InputException("subjectKind", $"must be one of {string.Join(", ", TargetSubjects.All)}");
        var subject = (input.Subject ?? "").Trim();
        switch (kind)
        {
            case TargetSubjects.Company:
                subject = ""; break;
            case TargetSubjects.User:
                if (!Guid.TryParse(subject, out var userId) || !await db.Users.AnyAsync(u => u.Id == userId, ct)) throw new InputException("subject", $"no user has id '{subject}'");
                subject = userId.ToString(); break;
            case TargetSubjects.Team:
                if (!Guid.TryParse(subject, out var teamId) || !await db.Teams.AnyAsync(t => t.Id == teamId, ct)) throw new InputException("subject", $"no team has id '{subject}'");
                subject = teamId.ToString(); break;
            default:
                if (subject.Length is 0 or > 100) throw new InputException("subject", $"must be the {kind} value, 1 to 100 characters");
                break;
        }
        var metric = input.Metric is { } m && TargetMetrics.All.Contains(m) ? m : throw new InputException("metric", $"must be one of {string.Join(", ", TargetMetrics.All)}");
        var currency = await BaseCurrencyAsync(db, ct);
        var amount = input.Amount ?? throw new InputException("amount", "is required");
        if (amount < 0) throw new InputException("amount", "must not be negative");
        var minor = MinorUnits.ToMinor(amount, currency) ?? throw new InputException("amount", $"has more decimals than {currency} allows");

        var t = await db.Targets.FirstOrDefaultAsync(x => x.Period == period && x.SubjectKind == kind && x.Subject == subject && x.Metric == metric, ct);
        var created = t is null;
        t ??= db.Targets.Add(new Target { Period = period, SubjectKind = kind, Subject = subject, Metric = metric }).Entity;
        t.AmountMinor = minor;
        t.UpdatedAt = db.Clock.GetUtcNow();
        t.Version++;
        await db.SaveChangesAsync(ct);
        return created ? TypedResults.Created($"/api/v1/targets?period={period}", Dto(t, currency)) : TypedResults.Ok(Dto(t, currency));
    }

    public static async Task<Results<NoContent, NotFound>> Delete(Guid id, RevLoopDb db, CancellationToken ct)
    {
        var t = await db.Targets.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (t is null) return TypedResults.NotFound();
        db.Targets.Remove(t);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>A period's targets of one kind as (subject, metric) → amount in base currency.</summary>
    public static async Task<Dictionary<(string Subject, string Metric), decimal>> AmountsAsync(RevLoopDb db, string period, string kind, string currency, CancellationToken ct) =>
        (await db.Targets.AsNoTracking().Where(t => t.Period == period && t.SubjectKind == kind).ToListAsync(ct))
            .ToDictionary(t => (t.Subject, t.Metric), t => MinorUnits.ToAmount(t.AmountMinor, currency));
}
