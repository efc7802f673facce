using System.Collections.Concurrent;
using RevLoop.Data;

namespace RevLoop.Server.Marketing;

/// <summary>
/// Turns at SQLite's single write lock for event batches, handed out in order of arrival with small batches first.
/// Without it, a waiting writer polls the lock with growing sleeps (SQLite's busy handler) and can lose it to bulk
/// batches again and again, so a lone demo request waited seconds behind the website's page views; with it, it waits at
/// most for the batch being written. PostgreSQL has no single write lock, so it needs no turns.
/// </summary>
public sealed class EventWriteTurns
{
    /// <summary>A batch of at most this many events (a form submit, a demo request, the snippet's page view) goes first.</summary>
    public const int Small = 10;

    private static readonly ConcurrentDictionary<string, EventWriteTurns> ByDatabase = new();
    private readonly object gate = new();
    private readonly Queue<TaskCompletionSource> small = new(), large = new();
    private bool taken;

    /// <summary>Waits for this batch's turn; dispose the result to pass the turn on. A no-op outside SQLite.</summary>
    public static async Task<IDisposable> TakeAsync(RevLoopDb db, int events, CancellationToken ct)
    {
        if (!db.IsSqlite) return NoTurn.Instance;
        var turns = ByDatabase.GetOrAdd(db.DatabaseKey, _ => new EventWriteTurns());
        await turns.WaitAsync(events <= Small, ct);
        return new Turn(turns);
    }

    private async Task WaitAsync(bool first, CancellationToken ct)
    {
        TaskCompletionSource waiter;
        lock (gate)
        {
            if (!taken)
            {
                taken = true;
                return;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (first ? small : large).Enqueue(waiter);
        }
        // A cancelled waiter is skipped when its turn comes (TrySetResult fails), so the turn moves on.
        await using (ct.Register(() => waiter.TrySetCanceled(ct)))
            await waiter.Task;
    }

    private void Release()
    {
        lock (gate)
        {
            while (small.Count > 0 || large.Count > 0)
                if ((small.Count > 0 ? small : large).Dequeue().TrySetResult()) return;
            taken = false;
        }
    }

    private sealed class Turn(EventWriteTurns turns) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) turns.Release();
        }
    }

    private sealed class NoTurn : IDisposable
    {
        public static readonly NoTurn Instance = new();
        public void Dispose() { }
    }
}
