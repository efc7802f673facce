using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Leads;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Routing;

/// <summary>
/// The routing SLA: a routed lead must be touched (an activity logged on it, or its status changed) before its due time.
/// A lead still untouched at the due time is recorded as breached and, when its queue names someone to escalate to,
/// re-routed to them with a fresh SLA clock.
/// </summary>
public static class LeadSla
{
    /// <summary>The first touch of each lead since it was assigned: one query for activities, one for status changes.</summary>
    public static async Task<Dictionary<Guid, DateTimeOffset>> FirstTouchesAsync(RevLoopDb db, IReadOnlyCollection<LeadAssignment> assignments, CancellationToken ct)
    {
        var ids = assignments.Select(a => a.LeadId).Distinct().ToList();
        if (ids.Count == 0) return [];
        var since = assignments.ToDictionary(a => a.LeadId, a => a.AssignedAt);
        var from = since.Values.Min();
        var touches = new Dictionary<Guid, DateTimeOffset>();
        void Touch(Guid lead, DateTimeOffset at)
        {
            if (at >= since[lead] && (!touches.TryGetValue(lead, out var t) || at < t)) touches[lead] = at;
        }
        foreach (var a in await db.Activities.IgnoreQueryFilters().Where(a => a.LeadId != null && ids.Contains(a.LeadId.Value) && a.DeletedAt == null && a.CreatedAt >= from)
                     .Select(a => new { a.LeadId, a.CreatedAt }).ToListAsync(ct))
            Touch(a.LeadId!.Value, a.CreatedAt);
        var type = RecordTypes.NameOf(typeof(Lead));
        // The insert writes the first status too (old value null): only a change from one status to another is a touch.
        // Becoming an MQL is the scoring's doing (and starts a new routing), not a rep's touch.
        foreach (var c in await db.FieldChanges.Where(c => c.EntityType == type && ids.Contains(c.EntityId) && c.Field == nameof(Lead.Status) && c.OldValue != null
                         && c.NewValue != LeadStatus.Mql && c.ChangedAt >= from)
                     .Select(c => new { c.EntityId, c.ChangedAt }).ToListAsync(ct))
            Touch(c.EntityId, c.ChangedAt);
        return touches;
    }

    /// <summary>Settles every current assignment due by <paramref name="now"/>: touched ones get their first-touch time, the rest breach.</summary>
    public static async Task<(int Touched, int Breached)> CheckAsync(RevLoopDb db, DateTimeOffset now, CancellationToken ct)
    {
        var due = await db.LeadAssignments.Where(a => a.Current && a.SlaDueAt != null && a.SlaDueAt <= now && a.FirstTouchedAt == null && a.BreachedAt == null)
            .OrderBy(a => a.SlaDueAt).Take(1000).ToListAsync(ct);
        if (due.Count == 0) return (0, 0);
        var touches = await FirstTouchesAsync(db, due, ct);
        var queues = await db.LeadQueues.AsNoTracking().ToDictionaryAsync(q => q.Id, ct);
        var leadIds = due.Select(a => a.LeadId).ToList();
        var leads = await db.Leads.IgnoreQueryFilters().Where(l => leadIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
        var ownership = new Ownership(db);
        var (touched, breached) = (0, 0);
        foreach (var a in due)
        {
            if (touches.TryGetValue(a.LeadId, out var at)) { a.FirstTouchedAt = at; touched++; continue; }
            a.BreachedAt = now;
            breached++;
            var queue = a.QueueId is { } q && queues.TryGetValue(q, out var x) ? x : null;
            if (queue?.EscalateToUserId is not { } manager || !leads.TryGetValue(a.LeadId, out var lead) || lead.DeletedAt is not null) continue;
            if (lead.Status is LeadStatus.Converted or LeadStatus.Disqualified) continue;
            a.Current = false;
            await ownership.AssignAsync(lead, manager, ct);
            lead.Pool = null;
            db.LeadAssignments.Add(new LeadAssignment
            {
                LeadId = lead.Id, AssignedAt = now, Rule = "SLA breach", OwnerId = manager, SlaDueAt = now.AddMinutes(queue.SlaMinutes),
                Reason = $"not touched within {queue.SlaMinutes} minutes (queue {queue.Name}): escalated",
            });
        }
        await db.SaveChangesAsync(ct);
        return (touched, breached);
    }
}

/// <summary>Checks routing SLAs in the background; the clock is injected so tests can move time.</summary>
public sealed class LeadSlaWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<LeadSlaWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
                var (touched, breached) = await LeadSla.CheckAsync(db, clock.GetUtcNow(), stoppingToken);
                if (breached > 0) log.LogInformation("Lead SLA: {Breached} breached, {Touched} touched in time", breached, touched);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                log.LogWarning(e, "Lead SLA check failed; retrying at the next check");
            }
            try { await Task.Delay(TimeSpan.FromSeconds(30), clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
