using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Metrics;

namespace RevLoop.Server.Analytics;

/// <summary>A trained model (null: too few closed deals, <see cref="Reason"/> says why) and how many closed deals it saw.</summary>
public sealed record TrainedWinModel(WinModel? Model, string? Reason, DateTimeOffset TrainedAt, int ClosedDeals);

/// <summary>
/// The win model of each viewer: trained on the closed deals the viewer can see (the one visibility filter), kept for
/// <see cref="Lifetime"/>, or for <see cref="MinAge"/> once the count of closed deals has changed, so that the opportunity
/// page and the API do not retrain on every request (training reads every deal's history: about 4 s for the 30,000-deal
/// demo). Predictions always read the deals' current state.
/// </summary>
public sealed class WinModels(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10), MinAge = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, TrainedWinModel> _byViewer = new(StringComparer.Ordinal);

    public async Task<TrainedWinModel> GetAsync(RevLoopDb db, CancellationToken ct)
    {
        var key = db.Viewer.SeesAll ? "*" : db.Viewer.UserId?.ToString() ?? "-";
        var closed = await db.Opportunities.CountAsync(o => o.WonAt != null || o.LostAt != null, ct);
        var now = clock.GetUtcNow();
        if (_byViewer.TryGetValue(key, out var cached) && now - cached.TrainedAt < (cached.ClosedDeals == closed ? Lifetime : MinAge)) return cached;
        var fresh = await TrainAsync(db, now, closed, ct);
        _byViewer[key] = fresh;
        return fresh;
    }

    private static async Task<TrainedWinModel> TrainAsync(RevLoopDb db, DateTimeOffset now, int closed, CancellationToken ct)
    {
        var history = await DealHistory.LoadAsync(db, null, ct);
        var (rows, won, _) = history.Closed(null, null);
        try
        {
            return new TrainedWinModel(await Task.Run(() => WinModel.Train(rows, won), ct), null, now, closed);
        }
        catch (MetricsInputException e)
        {
            return new TrainedWinModel(null, e.Message, now, closed);
        }
    }
}
