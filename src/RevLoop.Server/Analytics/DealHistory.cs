using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Platform;
using RevLoop.Metrics;
using RevLoop.Finance;

namespace RevLoop.Server.Analytics;

/// <summary>
/// One visible opportunity with its stage moves, close-date pushes and activity times, from which the win model's
/// <see cref="DealSnapshot"/> at any moment is read. Amount in minor units of the base currency (its own currency when
/// no rate converts it).
/// </summary>
public sealed class Deal
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public required Guid StageId { get; init; }
    public required long Amount { get; init; }
    public required DateOnly? CloseDate { get; init; }
    public required string? Segment { get; init; }
    public required string? Source { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset? ClosedAt { get; init; }
    public required bool Won { get; init; }
    internal List<(DateTimeOffset At, Guid Stage, Guid? Before)> Stages { get; } = [];
    internal List<DateTimeOffset> Pushes { get; } = [];
    internal List<DateTimeOffset> Activities { get; } = [];
}

/// <summary>A stage as the model names it: "pipeline / stage", so that the same name in two pipelines stays two values.</summary>
public sealed record StageInfo(string Label, string Type, int Probability);

/// <summary>
/// Loads every visible opportunity, its StageId and CloseDate history and its activity times in four queries (no
/// per-deal query), then answers "what did this deal look like at time t" for training (closed deals at the middle of
/// their life) and prediction (open deals now).
/// </summary>
public sealed class DealHistory
{
    private DealHistory(IReadOnlyList<Deal> deals, IReadOnlyDictionary<Guid, StageInfo> stages, string baseCurrency)
    {
        Deals = deals; Stages = stages; BaseCurrency = baseCurrency;
    }

    public IReadOnlyList<Deal> Deals { get; }
    public IReadOnlyDictionary<Guid, StageInfo> Stages { get; }
    public string BaseCurrency { get; }

    /// <summary>
    /// Every visible deal, or those matching <paramref name="where"/> (one deal for the opportunity page, the open deals
    /// of a close period for the forecast): their history rows are then read through the deals' ids (an IN subquery on
    /// the history's (entity type, entity id) index), not scanned.
    /// </summary>
    public static async Task<DealHistory> LoadAsync(RevLoopDb db, Expression<Func<Opportunity, bool>>? where, CancellationToken ct)
    {
        var rates = await RateBook.LoadAsync(db, ct);
        var pipelines = await db.Pipelines.AsNoTracking().Select(p => new { p.Id, p.Name }).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var stages = await db.Stages.AsNoTracking().Select(s => new { s.Id, s.PipelineId, s.Name, s.Type, s.Probability }).ToListAsync(ct);
        var stageInfo = stages.ToDictionary(s => s.Id, s => new StageInfo($"{pipelines.GetValueOrDefault(s.PipelineId, "?")} / {s.Name}", s.Type, s.Probability));
        var deals = new Dictionary<Guid, Deal>();
        var opportunities = db.Opportunities.AsNoTracking();
        var changes = db.FieldChanges.AsNoTracking().Where(c => c.EntityType == "opportunity");
        var activities = db.Activities.AsNoTracking().Where(a => a.OpportunityId != null);
        if (where is not null)
        {
            opportunities = opportunities.Where(where);
            var ids = opportunities.Select(o => o.Id);
            changes = changes.Where(c => ids.Contains(c.EntityId));
            activities = activities.Where(a => ids.Contains(a.OpportunityId!.Value));
        }
        await foreach (var o in opportunities
                           .Select(o => new { o.Id, o.Name, o.StageId, o.AmountMinor, o.Currency, o.CloseDate, o.Segment, o.Source, o.CreatedAt, o.WonAt, o.LostAt })
                           .AsAsyncEnumerable().WithCancellation(ct))
        {
            deals[o.Id] = new Deal
            {
                Id = o.Id, Name = o.Name, StageId = o.StageId, Amount = rates.ToBaseMinor(o.AmountMinor, o.Currency, o.CloseDate) ?? o.AmountMinor,
                CloseDate = o.CloseDate, Segment = o.Segment, Source = o.Source, Created = o.CreatedAt, ClosedAt = o.WonAt ?? o.LostAt, Won = o.WonAt is not null,
            };
        }
        const string stageField = nameof(Opportunity.StageId), closeField = nameof(Opportunity.CloseDate);
        // All three fields of the partial index (amount rows are skipped below): narrowing the IN list would lose the index.
        await foreach (var c in changes.Where(c => OpportunityHistoryRows.Fields.Contains(c.Field))
                           .Select(c => new { c.EntityId, c.Field, c.ChangedAt, c.OldValue, c.NewValue })
                           .AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!deals.TryGetValue(c.EntityId, out var d)) continue;
            if (c.Field == stageField)
            {
                if (Guid.TryParse(c.NewValue, out var stage)) d.Stages.Add((c.ChangedAt, stage, Guid.TryParse(c.OldValue, out var before) ? before : null));
            }
            else if (c.Field == closeField && Day(c.OldValue) is { } before && Day(c.NewValue) is { } after && after > before)
            {
                d.Pushes.Add(c.ChangedAt);
            }
        }
        await foreach (var a in activities
                           .Select(a => new { a.OpportunityId, a.OccurredAt }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (deals.TryGetValue(a.OpportunityId!.Value, out var d)) d.Activities.Add(a.OccurredAt);
        }
        foreach (var d in deals.Values)
        {
            d.Stages.Sort((x, y) => x.At.CompareTo(y.At));
            d.Pushes.Sort();
            d.Activities.Sort();
        }
        return new DealHistory(deals.Values.OrderBy(d => d.Id).ToList(), stageInfo, rates.BaseCurrency);
    }

    private static DateOnly? Day(string? s) =>
        DateOnly.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>
    /// The deal as it stood at <paramref name="at"/>: the stage of its last move at or before then (no move recorded: its
    /// stage now, entered at creation; before its first move: that move's old stage), days since creation and since that move, pushes and activities so far.
    /// Null when the deal was not in an open stage then.
    /// </summary>
    public DealSnapshot? Snapshot(Deal d, DateTimeOffset at)
    {
        Guid stage = d.StageId;
        DateTimeOffset entered = d.Created;
        if (d.Stages.Count > 0)
        {
            int i = d.Stages.FindLastIndex(s => s.At <= at);
            // Before the first recorded move the deal was in that move's old stage (or, created with it, its new one).
            (entered, stage) = i >= 0 ? (d.Stages[i].At, d.Stages[i].Stage) : (d.Created, d.Stages[0].Before ?? d.Stages[0].Stage);
        }
        if (!Stages.TryGetValue(stage, out var info) || info.Type != StageTypes.Open) return null;
        return new DealSnapshot(info.Label, Math.Max(0, (at - d.Created).TotalDays), Math.Max(0, (at - entered).TotalDays), d.Amount, d.Segment, d.Source,
            CountUpTo(d.Activities, at), CountUpTo(d.Pushes, at));
    }

    private static int CountUpTo(List<DateTimeOffset> sorted, DateTimeOffset at)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= at) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The moment a closed deal is looked at for training: halfway between creation and close.</summary>
    public static DateTimeOffset TrainingMoment(Deal d) => d.Created + (d.ClosedAt!.Value - d.Created) / 2;

    /// <summary>
    /// Training rows: closed deals (closed before <paramref name="closedBefore"/> when given) at their training moment,
    /// oldest close first so the calibration slice is the most recent.
    /// </summary>
    public (List<DealSnapshot> Rows, List<bool> Won, List<Deal> Deals) Closed(DateTimeOffset? closedFrom, DateTimeOffset? closedBefore)
    {
        var rows = new List<DealSnapshot>();
        var won = new List<bool>();
        var deals = new List<Deal>();
        foreach (var d in Deals.Where(d => d.ClosedAt is { } c && (closedFrom is null || c >= closedFrom) && (closedBefore is null || c < closedBefore))
                     .OrderBy(d => d.ClosedAt).ThenBy(d => d.Id))
        {
            if (Snapshot(d, TrainingMoment(d)) is not { } s) continue;
            rows.Add(s); won.Add(d.Won); deals.Add(d);
        }
        return (rows, won, deals);
    }
}
