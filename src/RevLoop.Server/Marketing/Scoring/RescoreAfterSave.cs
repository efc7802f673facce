using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RevLoop.Data;

namespace RevLoop.Server.Marketing.Scoring;

/// <summary>
/// Rescores the people a save changed fit-scored fields of (noted by the history interceptor in
/// <see cref="RevLoopDb.ScoredChanges"/>), in the save's transaction: an API or form edit of a lead's title, an account's
/// employees, a merge. Without a transaction of the caller's, the save gets one here, committed after the scoring, so the
/// edit and its score (and an MQL it causes) commit together. Event ingestion and imports defer it and call
/// <see cref="LeadScoring"/> themselves once per batch. Only asynchronous saves are handled (RevLoop has no other).
/// </summary>
public sealed class RescoreAfterSave : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        // Registered after the history interceptor, which has just noted what this save changes.
        if (eventData.Context is RevLoopDb db && Due(db) && db.Database.CurrentTransaction is null)
            db.ScoredChanges.Transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not RevLoopDb db || !Due(db)) return result;
        var own = db.ScoredChanges.Transaction;
        db.ScoredChanges.Transaction = null;
        try
        {
            await LeadScoring.AfterChangesAsync(db, cancellationToken);
            if (own is not null) await own.CommitAsync(cancellationToken);
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
        return result;
    }

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) => await AbandonAsync(eventData.Context);

    public override async Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) => await AbandonAsync(eventData.Context);

    public override async ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        await AbandonAsync(eventData.Context);
        return result;
    }

    private static bool Due(RevLoopDb db) => !db.ScoredChanges.IsEmpty && !db.ScoredChanges.Deferred && !db.ScoredChanges.Running;

    /// <summary>The save failed: the transaction begun for it is rolled back (by disposing it), so the context's next save starts clean.</summary>
    private static async Task AbandonAsync(DbContext? context)
    {
        if (context is not RevLoopDb { ScoredChanges.Transaction: { } own } db) return;
        db.ScoredChanges.Transaction = null;
        await own.DisposeAsync();
    }
}
