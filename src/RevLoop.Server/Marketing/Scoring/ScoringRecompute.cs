using RevLoop.Data;

namespace RevLoop.Server.Marketing.Scoring;

/// <summary>Asks the background job to rescore everyone (a rule or the threshold changed); requests made while it runs fold into one more run.</summary>
public sealed class ScoringRecompute
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Request()
    {
        try { signal.Release(); }
        catch (SemaphoreFullException) { /* a run is already asked for */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Rescores everyone a moment after a rule or the threshold changed, and once a day anyway, so decayed behaviour points
/// (and leads that thereby cross the threshold) stay current without an event arriving.
/// </summary>
public sealed class ScoringWorker(IServiceScopeFactory scopes, ScoringRecompute recompute, TimeProvider clock, ILogger<ScoringWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await recompute.WaitAsync(TimeSpan.FromDays(1), stoppingToken);
                // Several rule edits in a row (the settings page) make one run.
                await Task.Delay(TimeSpan.FromMilliseconds(500), clock, stoppingToken);
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
                var started = clock.GetTimestamp();
                var o = await LeadScoring.RecomputeAllAsync(db, lifecycle: true, stoppingToken);
                log.LogInformation("Scoring: {People} people rescored ({Changed} changed, {Mqls} new MQLs) in {Seconds:0.0} s", o.People, o.Changed, o.NewMqls,
                    clock.GetElapsedTime(started).TotalSeconds);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) when (e is Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                log.LogWarning(e, "Scoring recompute failed; it runs again at the next rule change or in a day");
            }
        }
    }
}
