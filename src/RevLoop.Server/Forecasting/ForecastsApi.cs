using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Metrics;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Forecasting;

public sealed record SubmissionInput(string? Period, decimal? Commit, decimal? BestCase, decimal? Pipeline, string? Note = null, Guid? TeamId = null);
public sealed record SnapshotDto(string Period, DateOnly TakenOn, string SubjectKind, Guid SubjectId, decimal? Call, decimal ClosedWon, decimal Commit,
    decimal BestCase, decimal Pipeline);
public sealed record SnapshotRunDto(DateOnly TakenOn, int Rows);
/// <param name="Forecast">The call of the scored snapshot (the deals' won + commit where nobody had submitted).</param>
public sealed record AccuracyDto(string Period, DateOnly? SnapshotOn, decimal? Forecast, decimal Actual, decimal? Accuracy, decimal? Bias, bool Final);

/// <summary>Forecast submissions, the roll-up by team, snapshots and accuracy (issue 5).</summary>
public static class ForecastsApi
{
    public static void MapForecastsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/forecasts").WithTags("Forecasting").RequireAuthorization(ApiPolicies.Read);
        g.MapGet("/", Board);
        g.MapGet("/submissions", History);
        g.MapPost("/submissions", Submit).RequireAuthorization(ApiPolicies.Write);
        g.MapGet("/snapshots", Snapshots);
        g.MapPost("/snapshots", TakeSnapshot).RequireAuthorization(ApiPolicies.Write, ApiPolicies.Revenue);
        g.MapGet("/accuracy", Accuracy);
    }

    private static async Task<FiscalPeriod> PeriodAsync(RevLoopDb db, string? period, CancellationToken ct) =>
        Bookings.Period(period, await Bookings.FiscalStartMonthAsync(db, ct), Bookings.Today(db));

    public static async Task<Ok<ForecastBoardDto>> Board(string? period, RevLoopDb db, Viewer viewer, CancellationToken ct) =>
        TypedResults.Ok(await ForecastBoard.ComputeAsync(db, viewer, await PeriodAsync(db, period, ct), ct));

    /// <summary>
    /// A rep submits their own call; with teamId, the team's manager (or anyone who sees everything) adjusts the team's
    /// roll-up and must say why. Every submission is kept; the latest counts.
    /// </summary>
    public static async Task<Results<Created<SubmissionDto>, ProblemHttpResult>> Submit(SubmissionInput input, RevLoopDb db, Viewer viewer, CancellationToken ct)
    {
        if (viewer.UserId is not { } me || me == Guid.Empty) return Problems.Status(403, "Only a signed-in user submits a forecast");
        var start = await Bookings.FiscalStartMonthAsync(db, ct);
        var p = FiscalPeriod.TryParse(input.Period, start, out var x) ? x
            : throw new InputException("period", input.Period is null ? "is required (FY2027, FY2027-Q1 or FY2027-M01)" : $"'{input.Period}' is not a fiscal period (FY2027, FY2027-Q1 or FY2027-M01)");
        var currency = await db.CompanySettings.AsNoTracking().Select(s => s.BaseCurrency).FirstOrDefaultAsync(ct) ?? "USD";
        long Amount(string field, decimal? v)
        {
            var a = v ?? throw new InputException(field, "is required");
            if (a < 0) throw new InputException(field, "must not be negative");
            return MinorUnits.ToMinor(a, currency) ?? throw new InputException(field, $"has more decimals than {currency} allows");
        }
        var commit = Amount("commit", input.Commit);
        var bestCase = Amount("bestCase", input.BestCase);
        var pipeline = Amount("pipeline", input.Pipeline);
        if (bestCase < commit) throw new InputException("bestCase", "must be at least the commit");
        var note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        if (note is { Length: > 2000 }) throw new InputException("note", "must be at most 2000 characters");
        var s = new ForecastSubmission
        {
            Period = p.Label, CommitMinor = commit, BestCaseMinor = bestCase, PipelineMinor = pipeline, Note = note, SubmittedById = me,
            SubmittedAt = db.Clock.GetUtcNow(),
        };
        if (input.TeamId is { } team)
        {
            if (!await db.Teams.AnyAsync(t => t.Id == team, ct)) throw new InputException("teamId", $"no team has id {team}");
            if (!ForecastBoard.CanAdjust(viewer, team)) return Problems.Status(403, "Only the team's manager adjusts its forecast");
            if (note is null) throw new InputException("note", "an adjustment needs a note saying why");
            s.TeamId = team;
        }
        else s.UserId = me;
        db.ForecastSubmissions.Add(s);
        await db.SaveChangesAsync(ct);
        var names = await db.Users.AsNoTracking().Where(u => u.Id == me).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return TypedResults.Created($"/api/v1/forecasts/submissions?period={p.Label}", ForecastBoard.Submission(s, currency, names));
    }

    /// <summary>The submissions of a rep or team for a period, newest first, keyset-paged; only what the viewer may see.</summary>
    public static async Task<Ok<Page<SubmissionDto>>> History(string? period, Guid? userId, Guid? teamId, string? cursor, int? pageSize, RevLoopDb db, Viewer viewer, CancellationToken ct)
    {
        var size = Paging.Size(pageSize);
        var label = (await PeriodAsync(db, period, ct)).Label;
        var q = db.ForecastSubmissions.AsNoTracking().Where(s => s.Period == label);
        if (userId is { } u) q = q.Where(s => s.UserId == u);
        if (teamId is { } t) q = q.Where(s => s.TeamId == t);
        if (!viewer.SeesAll)
        {
            var me = viewer.UserId;
            var teams = viewer.TeamIds;
            var visibleUsers = db.Users.Where(x => x.Id == me || (x.TeamId != null && teams.Contains(x.TeamId.Value))).Select(x => (Guid?)x.Id);
            q = q.Where(s => visibleUsers.Contains(s.UserId) || (s.TeamId != null && teams.Contains(s.TeamId.Value)));
        }
        if (cursor is not null)
        {
            var c = Paging.DecodeCursor(cursor, 2);
            var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(c[0]!, System.Globalization.CultureInfo.InvariantCulture));
            var id = Guid.Parse(c[1]!);
            q = q.Where(s => s.SubmittedAt < at || (s.SubmittedAt == at && s.Id.CompareTo(id) < 0));
        }
        var rows = await q.OrderByDescending(s => s.SubmittedAt).ThenByDescending(s => s.Id).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? Paging.EncodeCursor(rows[size - 1].SubmittedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), rows[size - 1].Id.ToString()) : null;
        var currency = await db.CompanySettings.AsNoTracking().Select(x => x.BaseCurrency).FirstOrDefaultAsync(ct) ?? "USD";
        var ids = rows.Select(r => r.SubmittedById).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(x => ids.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.DisplayName, ct);
        return TypedResults.Ok(new Page<SubmissionDto>(rows.Take(size).Select(r => ForecastBoard.Submission(r, currency, names)).ToList(), next, size));
    }

    /// <summary>Takes this week's snapshot of every period containing today now (replacing this week's if taken already).</summary>
    public static async Task<Ok<SnapshotRunDto>> TakeSnapshot(RevLoopDb db, ForecastSnapshotOptions options, CancellationToken ct)
    {
        var rows = await ForecastSnapshots.TakeDueAsync(db, options.Cadence, force: true, ct);
        return TypedResults.Ok(new SnapshotRunDto(ForecastSnapshots.SnapshotDay(Bookings.Today(db), options.Cadence), rows));
    }

    private static async Task<bool> MaySeeAsync(RevLoopDb db, Viewer viewer, string kind, Guid id, CancellationToken ct) => viewer.SeesAll || kind switch
    {
        "user" => id == viewer.UserId || await db.Users.AnyAsync(u => u.Id == id && u.TeamId != null && viewer.TeamIds.Contains(u.TeamId.Value), ct),
        "team" => viewer.TeamIds.Contains(id),
        _ => false,
    };

    private static string Kind(string? subjectKind) => (subjectKind ?? "company") is var k && k is "user" or "team" or "company" ? k
        : throw new InputException("subjectKind", "must be user, team or company");

    /// <summary>The snapshots of one subject for one period, oldest first: how the call and the deals moved week by week.</summary>
    public static async Task<Results<Ok<IReadOnlyList<SnapshotDto>>, ProblemHttpResult>> Snapshots(string? period, string? subjectKind, Guid? subjectId, RevLoopDb db, Viewer viewer, CancellationToken ct)
    {
        var label = (await PeriodAsync(db, period, ct)).Label;
        var kind = Kind(subjectKind);
        var id = kind == "company" ? Guid.Empty : subjectId ?? throw new InputException("subjectId", "is required for a user or team");
        if (!await MaySeeAsync(db, viewer, kind, id, ct)) return Problems.Status(403, "You may not see this forecast");
        var currency = await db.CompanySettings.AsNoTracking().Select(x => x.BaseCurrency).FirstOrDefaultAsync(ct) ?? "USD";
        var rows = await db.ForecastSnapshots.AsNoTracking().Where(s => s.SubjectKind == kind && s.SubjectId == id && s.Period == label)
            .OrderBy(s => s.TakenOn).Take(Paging.MaxPageSize).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<SnapshotDto>>(rows.Select(s => Snapshot(s, currency)).ToList());
    }

    private static SnapshotDto Snapshot(ForecastSnapshot s, string c) => new(s.Period, s.TakenOn, s.SubjectKind, s.SubjectId,
        s.CallMinor is { } call ? MinorUnits.ToAmount(call, c) : null, MinorUnits.ToAmount(s.ClosedWonMinor, c), MinorUnits.ToAmount(s.CommitMinor, c),
        MinorUnits.ToAmount(s.BestCaseMinor, c), MinorUnits.ToAmount(s.PipelineMinor, c));

    /// <summary>
    /// Accuracy and bias of a subject's forecast over the last <paramref name="periods"/> periods of a kind (quarters by
    /// default), newest first. The scored forecast is the call of the last snapshot taken on or before the period's
    /// middle (else its first snapshot); the actual is what the subject has won in the period by now (ADR 0010).
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<AccuracyDto>>, ProblemHttpResult>> Accuracy(string? subjectKind, Guid? subjectId, string? kind, int? periods,
        RevLoopDb db, Viewer viewer, CancellationToken ct)
    {
        var subject = Kind(subjectKind);
        var id = subject == "company" ? Guid.Empty : subjectId ?? throw new InputException("subjectId", "is required for a user or team");
        if (!await MaySeeAsync(db, viewer, subject, id, ct)) return Problems.Status(403, "You may not see this forecast");
        var periodKind = kind switch { null or "quarter" => FiscalPeriodKind.Quarter, "month" => FiscalPeriodKind.Month, "year" => FiscalPeriodKind.Year,
            _ => throw new InputException("kind", "must be month, quarter or year") };
        var count = periods ?? 4;
        if (count is < 1 or > 24) throw new InputException("periods", "must be between 1 and 24");
        var start = await Bookings.FiscalStartMonthAsync(db, ct);
        var today = Bookings.Today(db);
        var list = new List<FiscalPeriod> { FiscalPeriod.Containing(today, periodKind, start) };
        while (list.Count < count) list.Add(list[^1].Previous);
        var labels = list.Select(p => p.Label).ToList();
        var snaps = await db.ForecastSnapshots.AsNoTracking().Where(s => s.SubjectKind == subject && s.SubjectId == id && labels.Contains(s.Period))
            .OrderBy(s => s.TakenOn).ToListAsync(ct);
        var rates = await RateBook.LoadAsync(db, ct);
        var owners = subject switch
        {
            "user" => [id],
            "team" => await TeamMembersAsync(db, id, ct),
            _ => null,
        };
        var result = new List<AccuracyDto>();
        foreach (var p in list)
        {
            var byOwner = await Bookings.ByOwnerAsync(db, rates, p, ct);
            var actual = byOwner.Where(kv => owners is null || owners.Contains(kv.Key)).Sum(kv => kv.Value.ClosedWon);
            var mine = snaps.Where(s => s.Period == p.Label).ToList();
            var middle = p.Start.AddDays(p.Days / 2);
            var scored = mine.LastOrDefault(s => s.TakenOn <= middle) ?? mine.FirstOrDefault();
            decimal? forecast = scored is null ? null
                : MinorUnits.ToAmount(scored.CallMinor ?? scored.ClosedWonMinor + scored.CommitMinor, rates.BaseCurrency);
            var (accuracy, bias) = forecast is { } f ? ForecastRollup.Score(f, actual) : (null, null);
            result.Add(new AccuracyDto(p.Label, scored?.TakenOn, forecast, actual, Round(accuracy), Round(bias), p.End <= today));
        }
        return TypedResults.Ok<IReadOnlyList<AccuracyDto>>(result);
    }

    private static decimal? Round(decimal? v) => v is { } x ? Math.Round(x, 4, MidpointRounding.AwayFromZero) : null;

    /// <summary>The users of a team and of every team below it.</summary>
    public static async Task<List<Guid>> TeamMembersAsync(RevLoopDb db, Guid teamId, CancellationToken ct)
    {
        var all = await db.Teams.AsNoTracking().Select(t => new { t.Id, t.ParentTeamId }).ToListAsync(ct);
        var teams = new HashSet<Guid> { teamId };
        var frontier = new Queue<Guid>([teamId]);
        while (frontier.TryDequeue(out var t))
            foreach (var child in all.Where(x => x.ParentTeamId == t))
                if (teams.Add(child.Id)) frontier.Enqueue(child.Id);
        return await db.Users.AsNoTracking().Where(u => u.TeamId != null && teams.Contains(u.TeamId.Value)).Select(u => u.Id).ToListAsync(ct);
    }
}
