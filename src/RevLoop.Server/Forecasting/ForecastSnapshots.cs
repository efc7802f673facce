using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Finance;
using RevLoop.Forecasting;
using RevLoop.Metrics;

namespace RevLoop.Server.Forecasting;

public enum SnapshotCadence { Weekly, Daily }

/// <summary>When the worker snapshots: weekly (on the first check of each ISO week, Monday) by default, or daily.</summary>
public sealed class ForecastSnapshotOptions
{
    public SnapshotCadence Cadence { get; init; } = SnapshotCadence.Weekly;
    /// <summary>How often the worker wakes to see whether this week's (or day's) snapshot is still missing.</summary>
    public TimeSpan CheckEvery { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Freezes the forecast of every rep, team and the company for the month, quarter and year containing today, so
/// accuracy and bias can be scored once the actuals are in (ADR 0010). One row per period, snapshot day and subject:
/// taking a snapshot again the same week replaces that week's rows, so the worker and on-demand runs never duplicate.
/// </summary>
public static class ForecastSnapshots
{
    public static DateOnly SnapshotDay(DateOnly today, SnapshotCadence cadence) =>
        cadence == SnapshotCadence.Daily ? today : today.AddDays(-(((int)today.DayOfWeek + 6) % 7));

    public static IEnumerable<FiscalPeriod> PeriodsContaining(DateOnly today, int startMonth) =>
        [FiscalPeriod.Containing(today, FiscalPeriodKind.Month, startMonth), FiscalPeriod.Containing(today, FiscalPeriodKind.Quarter, startMonth),
         FiscalPeriod.Containing(today, FiscalPeriodKind.Year, startMonth)];

    /// <summary>Takes the snapshot of <paramref name="p"/> dated <paramref name="day"/>; db must see every record (system viewer).</summary>
    public static async Task<int> TakeAsync(RevLoopDb db, FiscalPeriod p, DateOnly day, CancellationToken ct)
    {
        var board = await ForecastBoard.ComputeAsync(db, Viewer.System(), p, ct);
        var currency = board.Currency;
        long Minor(decimal v) => MinorUnits.ToMinor(v, currency) ?? (long)Math.Round(v * 100m, MidpointRounding.AwayFromZero);
        ForecastSnapshot Row(string kind, Guid id, AmountsDto d, CallDto? call) => new()
        {
            Period = p.Label, TakenOn = day, SubjectKind = kind, SubjectId = id, TakenAt = db.Clock.GetUtcNow(),
            CallMinor = call is null ? null : Minor(call.Commit),
            ClosedWonMinor = Minor(d.ClosedWon), CommitMinor = Minor(d.Commit), BestCaseMinor = Minor(d.BestCase), PipelineMinor = Minor(d.Pipeline),
        };
        var rows = board.Reps.Select(r => Row("user", r.UserId, r.Deals, r.Submitted is { } s ? new CallDto(s.Commit, s.BestCase, s.Pipeline) : null))
            .Concat(board.Teams.Select(t => Row("team", t.TeamId, t.Deals, t.Call)))
            .Append(Row("company", Guid.Empty, board.Company.Deals, board.Company.Call)).ToList();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var label = p.Label;
        await db.ForecastSnapshots.Where(s => s.Period == label && s.TakenOn == day).ExecuteDeleteAsync(ct);
        db.ForecastSnapshots.AddRange(rows);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return rows.Count;
    }

    /// <summary>Snapshots every period containing today unless this week's (day's) snapshot exists; returns the rows written.</summary>
    public static async Task<int> TakeDueAsync(RevLoopDb db, SnapshotCadence cadence, bool force, CancellationToken ct)
    {
        var today = Bookings.Today(db);
        var day = SnapshotDay(today, cadence);
        var start = await Bookings.FiscalStartMonthAsync(db, ct);
        var written = 0;
        foreach (var p in PeriodsContaining(today, start))
        {
            var label = p.Label;
            if (!force && await db.ForecastSnapshots.AnyAsync(s => s.Period == label && s.TakenOn == day, ct)) continue;
            written += await TakeAsync(db, p, day, ct);
        }
        return written;
    }
}

/// <summary>Takes the weekly forecast snapshot in the background; the clock is injected so tests can move time.</summary>
public sealed class ForecastSnapshotWorker(IServiceScopeFactory scopes, TimeProvider clock, ForecastSnapshotOptions options, ILogger<ForecastSnapshotWorker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
                var written = await ForecastSnapshots.TakeDueAsync(db, options.Cadence, force: false, stoppingToken);
                if (written > 0) log.LogInformation("Forecast snapshot taken: {Rows} rows", written);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                // Another node may have taken the same snapshot at the same moment (unique key); the next check settles it.
                log.LogWarning(e, "Forecast snapshot failed; retrying at the next check");
            }
            try { await Task.Delay(options.CheckEvery, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
