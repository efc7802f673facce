using System.Collections.Concurrent;
using RevLoop.Data;
using RevLoop.Metrics;

namespace RevLoop.Server.Analytics;

/// <summary>A trained model with the deal history it was trained from (null model: too few closed deals to train).</summary>
public sealed record TrainedWinModel(WinModel? Model, DealHistory History, string? Reason, DateTimeOffset TrainedAt);

/// <summary>
/// The win model of each viewer: trained on the closed deals the viewer can see (the one visibility filter), kept for
/// <see cref="Lifetime"/> so that the opportunity page and the API do not retrain on every request.
/// </summary>
public sealed class WinModels(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, Task<TrainedWinModel>> _byViewer = new(StringComparer.Ordinal);

    public async Task<TrainedWinModel> GetAsync(RevLoopDb db, CancellationToken ct)
    {
        var key = db.Viewer.SeesAll ? "*" : db.Viewer.UserId?.ToString() ?? "-";
        if (_byViewer.TryGetValue(key, out var cached) && cached.IsCompletedSuccessfully && clock.GetUtcNow() - (await cached).TrainedAt < Lifetime)
            return await cached;
        var fresh = TrainAsync(db, clock.GetUtcNow(), null, ct);
        _byViewer[key] = fresh;
        return await fresh;
    }

    /// <summary>Trains on the closed deals (closed before <paramref name="closedBefore"/> when given).</summary>
    public static async Task<TrainedWinModel> TrainAsync(RevLoopDb db, DateTimeOffset now, DateTimeOffset? closedBefore, CancellationToken ct)
    {
        var history = await DealHistory.LoadAsync(db, ct);
        var (rows, won, _) = history.Closed(null, closedBefore);
        try
        {
            return new TrainedWinModel(await Task.Run(() => WinModel.Train(rows, won), ct), history, null, now);
        }
        catch (MetricsInputException e)
        {
            return new TrainedWinModel(null, history, e.Message, now);
        }
    }
}
