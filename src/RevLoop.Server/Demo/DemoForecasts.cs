using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Metrics;
using RevLoop.Platform;
using RevLoop.Server.Forecasting;

namespace RevLoop.Server.Demo;

/// <summary>
/// Forecasting for the demo company, after its deals are loaded: targets for the last four quarters, the current and
/// the next one (last year's result of the same quarter plus 10-30 % growth, per team, rep, product, region, segment
/// and source), this quarter's submissions and manager adjustments, a snapshot at the middle of each past quarter
/// (the call within ±20 % of what was then won) and this week's real snapshot. Deterministic
/// from the seed and the demo's as-of day.
/// </summary>
public static class DemoForecasts
{
    public const ulong ForecastStream = 30;

    public static async Task AddAsync(RevLoopDb db, DemoOptions o, CancellationToken ct)
    {
        var rng = DemoRandom.For(o.Seed, ForecastStream, 0);
        var start = await Bookings.FiscalStartMonthAsync(db, ct);
        var rates = await RateBook.LoadAsync(db, ct);
        var currency = rates.BaseCurrency;
        var current = FiscalPeriod.Containing(o.AsOf, FiscalPeriodKind.Quarter, start);
        var quarters = new List<FiscalPeriod> { current.Previous.Previous.Previous.Previous, current.Previous.Previous.Previous, current.Previous.Previous, current.Previous, current };
        quarters.Add(quarters[^1] with { Number = current.Number == 4 ? 1 : current.Number + 1, FiscalYear = current.Number == 4 ? current.FiscalYear + 1 : current.FiscalYear });
        var at = new DateTimeOffset(o.AsOf.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        long Minor(decimal v) => (long)Math.Round(v * 100m / 1000m, MidpointRounding.AwayFromZero) * 1000; // whole thousands
        decimal Growth() => 1.1m + (decimal)rng.Between(0.0, 0.2);

        var users = await db.Users.AsNoTracking().Select(u => new { u.Id, u.TeamId, u.Role }).ToListAsync(ct);
        var teams = await db.Teams.AsNoTracking().ToListAsync(ct);
        var targets = new List<Target>();
        foreach (var q in quarters)
        {
            // Dimension targets from last year's same quarter, looked at as a whole.
            foreach (var dim in TargetSubjects.Dimensions)
            {
                var facts = await Bookings.ApmFactsAsync(db, rates, dim, q, q.End.AddDays(-1), ct, priorOpen: false);
                foreach (var g in facts.Where(f => f.PriorYear).GroupBy(f => f.Value).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    var won = g.Where(f => f.Kind == ApmFactKind.WonWholePeriod).Sum(f => f.Amount);
                    var created = g.Where(f => f.Kind == ApmFactKind.Created).Sum(f => f.Amount);
                    if (won > 0) targets.Add(new Target { Period = q.Label, SubjectKind = dim, Subject = g.Key, Metric = TargetMetrics.Bookings, AmountMinor = Minor(won * Growth()), UpdatedAt = at, Version = 1 });
                    if (created > 0) targets.Add(new Target { Period = q.Label, SubjectKind = dim, Subject = g.Key, Metric = TargetMetrics.Generation, AmountMinor = Minor(created * Growth()), UpdatedAt = at, Version = 1 });
                }
            }
            // Reps, their teams (and the teams above) and the company.
            var lastYear = await Bookings.ByOwnerAsync(db, rates, q.PriorYear, ct);
            var repTargets = users.Where(u => lastYear.TryGetValue(u.Id, out var a) && a.ClosedWon > 0)
                .Select(u => (u.Id, u.TeamId, Minor: Minor(lastYear[u.Id].ClosedWon * Growth()))).ToList();
            targets.AddRange(repTargets.Select(r => new Target { Period = q.Label, SubjectKind = TargetSubjects.User, Subject = r.Id.ToString(), Metric = TargetMetrics.Bookings, AmountMinor = r.Minor, UpdatedAt = at, Version = 1 }));
            foreach (var t in teams)
            {
                var members = Below(teams, t.Id);
                var sum = repTargets.Where(r => r.TeamId is { } tid && members.Contains(tid)).Sum(r => r.Minor);
                if (sum > 0) targets.Add(new Target { Period = q.Label, SubjectKind = TargetSubjects.Team, Subject = t.Id.ToString(), Metric = TargetMetrics.Bookings, AmountMinor = sum, UpdatedAt = at, Version = 1 });
            }
            if (repTargets.Count > 0) targets.Add(new Target { Period = q.Label, SubjectKind = TargetSubjects.Company, Subject = "", Metric = TargetMetrics.Bookings, AmountMinor = repTargets.Sum(r => r.Minor), UpdatedAt = at, Version = 1 });
        }
        db.Targets.AddRange(targets);

        // This quarter's calls: each rep with deals submits twice (a week apart); managers adjust two teams.
        var now = await Bookings.ByOwnerAsync(db, rates, current, ct);
        foreach (var (userId, a) in now.OrderBy(kv => kv.Key))
        {
            for (var week = 1; week >= 0; week--)
            {
                var commit = Math.Round((a.ClosedWon + a.Commit) * (decimal)rng.Between(0.85, 1.15), 0);
                var best = commit + Math.Round(a.BestCase * (decimal)rng.Between(0.4, 0.8), 0);
                db.ForecastSubmissions.Add(new ForecastSubmission
                {
                    Period = current.Label, UserId = userId, SubmittedById = userId, SubmittedAt = at.AddDays(-7 * week),
                    CommitMinor = (long)(commit * 100), BestCaseMinor = (long)(best * 100), PipelineMinor = (long)((best + Math.Round(a.Pipeline * 0.3m, 0)) * 100),
                    Note = week == 0 && rng.Chance(0.3) ? "Moved one deal from best case to commit after the call with procurement" : null,
                });
            }
        }
        await db.SaveChangesAsync(ct);
        var managed = teams.Where(t => t.ManagerUserId is not null && t.ParentTeamId is not null).OrderBy(t => t.Name, StringComparer.Ordinal).Take(2).ToList();
        var board = await ForecastBoard.ComputeAsync(db, Viewer.System(), current, ct);
        foreach (var t in managed)
        {
            if (board.Teams.FirstOrDefault(x => x.TeamId == t.Id)?.Submitted is not { } rolled) continue;
            db.ForecastSubmissions.Add(new ForecastSubmission
            {
                Period = current.Label, TeamId = t.Id, SubmittedById = t.ManagerUserId!.Value, SubmittedAt = at.AddHours(2),
                CommitMinor = (long)(Math.Round(rolled.Commit * 0.9m, 0) * 100), BestCaseMinor = (long)(Math.Round(rolled.BestCase, 0) * 100), PipelineMinor = (long)(Math.Round(rolled.Pipeline, 0) * 100),
                Note = "Haircut of 10 % on commit: two deals still wait for legal",
            });
        }

        // Past quarters: one snapshot near each quarter's middle, the call within ±20 % of the quarter's result.
        foreach (var q in quarters.Where(q => q.End <= o.AsOf))
        {
            var won = await Bookings.ByOwnerAsync(db, rates, q, ct);
            var middle = q.Start.AddDays(q.Days / 2);
            var day = ForecastSnapshots.SnapshotDay(middle, SnapshotCadence.Weekly);
            var calls = new Dictionary<Guid, (decimal Call, decimal Won)>();
            foreach (var (userId, a) in won.OrderBy(kv => kv.Key))
                calls[userId] = (Math.Round(a.ClosedWon * (decimal)rng.Between(0.8, 1.2), 0), a.ClosedWon);
            ForecastSnapshot Row(string kind, Guid id, decimal call, decimal actual) => new()
            {
                Period = q.Label, TakenOn = day, SubjectKind = kind, SubjectId = id, TakenAt = new DateTimeOffset(day.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero),
                CallMinor = (long)(call * 100), ClosedWonMinor = (long)(Math.Round(actual * 0.45m, 0) * 100), CommitMinor = (long)(Math.Round(actual * 0.4m, 0) * 100),
                BestCaseMinor = (long)(Math.Round(actual * 0.3m, 0) * 100), PipelineMinor = (long)(Math.Round(actual * 0.9m, 0) * 100),
            };
            foreach (var (userId, c) in calls) db.ForecastSnapshots.Add(Row("user", userId, c.Call, c.Won));
            foreach (var t in teams)
            {
                var members = Below(teams, t.Id);
                var mine = users.Where(u => u.TeamId is { } tid && members.Contains(tid) && calls.ContainsKey(u.Id)).Select(u => calls[u.Id]).ToList();
                if (mine.Count > 0) db.ForecastSnapshots.Add(Row("team", t.Id, mine.Sum(m => m.Call), mine.Sum(m => m.Won)));
            }
            db.ForecastSnapshots.Add(Row("company", Guid.Empty, calls.Values.Sum(c => c.Call), calls.Values.Sum(c => c.Won)));
        }
        await db.SaveChangesAsync(ct);
        foreach (var p in ForecastSnapshots.PeriodsContaining(o.AsOf, start))
            await ForecastSnapshots.TakeAsync(db, p, ForecastSnapshots.SnapshotDay(o.AsOf, SnapshotCadence.Weekly), ct);

        await db.SaveChangesAsync(ct);
    }

    /// <summary>A team with every team below it.</summary>
    private static HashSet<Guid> Below(List<Team> teams, Guid id)
    {
        var result = new HashSet<Guid> { id };
        var frontier = new Queue<Guid>([id]);
        while (frontier.TryDequeue(out var t))
            foreach (var c in teams.Where(x => x.ParentTeamId == t))
                if (result.Add(c.Id)) frontier.Enqueue(c.Id);
        return result;
    }
}
