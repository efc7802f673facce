using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RevLoop.Crm.Opportunities;
using RevLoop.Data;
using RevLoop.Metrics;
using RevLoop.Platform;

namespace RevLoop.Server.Analytics;

/// <summary>
/// Every opportunity of one database with its stage, amount and close-date history, held in memory as columns for the
/// funnel, the as-of pipeline, the waterfall and the risk flags (ADR 0012). Reading ~8M history rows per request took
/// 8-27 s at 1M deals; here they are read once, and each use first catches up with what was written since: the
/// opportunities with a history row (any field) newer than the last one seen are reloaded, row and history, from the
/// database. Every write of an opportunity goes through SaveChanges or the bulk writer, and both write history rows,
/// so nothing changes unseen. The database stays the source of truth and decides visibility: for a viewer who does not
/// see everything it names the (owner, team) pairs they may see (the one visibility filter); the analytics filters are
/// applied here, on the deals' own columns. Uses are serialised (one at a time per database).
/// </summary>
public sealed class OpportunityHistoryColumns
{
    private static readonly ConcurrentDictionary<string, OpportunityHistoryColumns> ByDatabase = new(StringComparer.Ordinal);

    /// <summary>The columns of the database <paramref name="db"/> is connected to (one per process and database).</summary>
    public static OpportunityHistoryColumns For(RevLoopDb db) => ByDatabase.GetOrAdd(db.DatabaseKey, _ => new OpportunityHistoryColumns());

    private const long NoValue = long.MinValue;
    private const int ReloadBatch = 500;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _loaded;
    private long _watermark;
    // PostgreSQL hands out ids before commit, so a row may commit after a higher id was seen: ids up to this far back
    // are looked at again for a short while.
    private readonly Queue<(long Watermark, long Ticks)> _recent = new();

    private readonly Dictionary<Guid, int> _index = [];
    private int _n;
    private Guid[] _id = [];
    private string?[] _idText = [];
    private Guid[] _pipeline = [];
    private int[] _stage = [];
    private long[] _created = [], _amount = [], _wonAt = [], _lostAt = [];
    private int[] _closeDay = [];
    private string[] _currency = [];
    private bool[] _deleted = [];
    private Guid?[] _owner = [], _team = [];
    private string?[] _segment = [], _region = [], _source = [], _role = [], _product = [];
    private long[] _acv = []; // NoValue when not set
    private string[] _category = [];

    private readonly Dictionary<Guid, int> _stageIndex = [];
    private readonly List<Guid> _stages = [];

    // History rows of every deal, each deal's rows contiguous and in time order: [_rowStart[d], +_rowCount[d]).
    // A reloaded deal's rows are appended at the end (its old place becomes a hole, compacted when holes dominate).
    private int[] _rowStart = [], _rowCount = [];
    private long[] _at = [], _old = [], _new = [];
    private DealField[] _field = [];
    private int _rows, _liveRows;

    // Activity times (OccurredAt, UTC ticks) of every deal, ascending, laid out like the history rows.
    private int[] _actStart = [], _actCount = [];
    private long[] _actAt = [];
    private int _acts, _liveActs;

    /// <summary>Brings the columns up to date, then runs <paramref name="read"/> on them (under the lock).</summary>
    public async Task<T> ReadAsync<T>(RevLoopDb db, Func<OpportunityHistoryColumns, T> read, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await RefreshAsync(db, ct);
            return read(this);
        }
        finally { _gate.Release(); }
    }

    public int DealCount => _n;

    /// <summary>
    /// The live deals of <paramref name="pipeline"/> that match <paramref name="filter"/> and whose (owner, team) pair is
    /// one the database said the viewer may see (<see cref="AnalyticsFilter.VisibleOwnersAsync"/>; null = sees all),
    /// ordered by id.
    /// </summary>
    public int[] Select(Guid pipeline, AnalyticsFilter filter, HashSet<(Guid? Owner, Guid? Team)>? visible)
    {
        var selection = new List<int>();
        for (int d = 0; d < _n; d++)
            if (!_deleted[d] && _pipeline[d] == pipeline && filter.Matches(_owner[d], _team[d], _segment[d], _region[d], _source[d], _role[d], _product[d])
                && (visible is null || visible.Contains((_owner[d], _team[d]))))
                selection.Add(d);
        var result = selection.ToArray();
        bool sorted = true;
        for (int i = 1; i < result.Length && sorted; i++) sorted = _id[result[i - 1]].CompareTo(_id[result[i]]) < 0;
        if (!sorted) Array.Sort(result, (a, b) => _id[a].CompareTo(_id[b]));
        return result;
    }

    /// <summary>
    /// The pipeline board's totals: per stage, currency and rate day the number and amount (minor units) of the live deals
    /// of <paramref name="pipeline"/> that <paramref name="filter"/> selects (<see cref="BoardFilter.Apply"/> in memory,
    /// its sub-teams resolved) and whose (owner, team) pair the viewer may see (null = sees all). The rate day is null for
    /// the base currency and for a close date still ahead or missing (today's rate), else the close date (ADR 0007).
    /// </summary>
    public List<BoardTotal> BoardTotals(Guid pipeline, Crm.Opportunities.BoardFilter filter, HashSet<(Guid? Owner, Guid? Team)>? visible, string baseCurrency, DateOnly today)
    {
        var teams = filter.Teams is { Count: > 1 } t ? t.ToHashSet() : null;
        var team = teams is null ? filter.TeamId : null;
        int from = filter.CloseFrom?.DayNumber ?? int.MinValue, to = filter.CloseTo?.DayNumber ?? int.MaxValue, todayDay = today.DayNumber;
        var dated = filter.CloseFrom is not null || filter.CloseTo is not null;
        var sums = new Dictionary<(int Stage, string Currency, int Day), (long Count, long Minor)>();
        for (int d = 0; d < _n; d++)
        {
            if (_deleted[d] || _pipeline[d] != pipeline) continue;
            if (filter.OwnerId is { } owner && _owner[d] != owner) continue;
            if (teams is not null ? _team[d] is not { } dt || !teams.Contains(dt) : team is { } tm && _team[d] != tm) continue;
            if (filter.Segment is { } segment && !string.Equals(_segment[d], segment, StringComparison.Ordinal)) continue;
            if (filter.Region is { } region && !string.Equals(_region[d], region, StringComparison.Ordinal)) continue;
            var close = _closeDay[d];
            if (dated && (close < 0 || close < from || close > to)) continue;
            if (visible is not null && !visible.Contains((_owner[d], _team[d]))) continue;
            var day = _currency[d] == baseCurrency || close < 0 || close > todayDay ? -1 : close;
            var key = (_stage[d], _currency[d], day);
            var (count, minor) = sums.GetValueOrDefault(key);
            sums[key] = (count + 1, minor + _amount[d]);
        }
        return sums.Select(x => new BoardTotal(_stages[x.Key.Stage], x.Key.Currency, x.Key.Day < 0 ? null : DateOnly.FromDayNumber(x.Key.Day), x.Value.Count, x.Value.Minor)).ToList();
    }

    /// <summary>The live deals of every pipeline whose (owner, team) pair the viewer may see (null = sees all).</summary>
    public IEnumerable<int> Live(HashSet<(Guid? Owner, Guid? Team)>? visible)
    {
        for (int d = 0; d < _n; d++)
            if (!_deleted[d] && (visible is null || visible.Contains((_owner[d], _team[d])))) yield return d;
    }

    /// <summary>A deal's own columns as they are now (amounts in minor units of its currency; times in UTC ticks, null = none).</summary>
    public DealNow Now(int d) => new(_product[d], _region[d], _segment[d], _source[d], _currency[d], _closeDay[d] < 0 ? null : DateOnly.FromDayNumber(_closeDay[d]),
        _created[d], _wonAt[d] == NoValue ? null : _wonAt[d], _lostAt[d] == NoValue ? null : _lostAt[d], _category[d], _acv[d] == NoValue ? null : _acv[d], _amount[d],
        _owner[d], _team[d], _pipeline[d], _stages[_stage[d]], _role[d]);

    /// <summary>
    /// The old value of the deal's first change of <paramref name="field"/> at or after <paramref name="ticks"/> (what the
    /// field was just before then); false when none changed it since. The value is NoValue (long.MinValue) for none.
    /// </summary>
    public bool FirstOldValueSince(int d, DealField field, long ticks, out long old)
    {
        for (int i = _rowStart[d], end = i + _rowCount[d]; i < end; i++)
            if (_field[i] == field && _at[i] >= ticks) { old = _old[i]; return true; }
        old = NoValue;
        return false;
    }

    public Guid Id(int d) => _id[d];
    public Guid PipelineOf(int d) => _pipeline[d];

    private string IdText(int d) => _idText[d] ??= _id[d].ToString();

    /// <summary>The index the columns give a stage id (stage values in rows and in <see cref="DealHistoryColumns.Stage"/>).</summary>
    public int StageIndex(Guid stage) => _stageIndex.TryGetValue(stage, out int s) ? s : -1;
    public int StageCount => _stages.Count;

    /// <summary>The columns as the engine reads them (no copy; valid until the lock is released).</summary>
    public DealHistoryColumns Columns() => new()
    {
        Id = IdText, Created = _created, Stage = _stage, Amount = _amount, CloseDay = _closeDay, Currency = _currency,
        RowStart = _rowStart, RowCount = _rowCount, At = _at, Field = _field, Old = _old, New = _new,
    };

    /// <summary>
    /// The funnel's input for the selected deals: status from the type of the stage each deal is in now, the close from
    /// WonAt / LostAt, and the stage rows into the pipeline's open stages (<paramref name="openRank"/>: stage index of
    /// the columns -> rank among the open stages, -1 for any other stage).
    /// </summary>
    public FunnelColumns Funnel(int[] selection, Func<int, string?> stageType, int[] openRank)
    {
        var deals = new List<int>(selection.Length);
        var statuses = new List<OpportunityStatus>(selection.Length);
        var closes = new List<long>(selection.Length);
        foreach (int d in selection)
        {
            var type = stageType(_stage[d]);
            var status = type == StageTypes.Won ? OpportunityStatus.Won : type == StageTypes.Lost ? OpportunityStatus.Lost : OpportunityStatus.Open;
            long closedAt = status == OpportunityStatus.Won ? _wonAt[d] : status == OpportunityStatus.Lost ? _lostAt[d] : long.MaxValue;
            if (closedAt == NoValue) continue; // closed without its close time: the engine cannot place it (as the CSV path rejects such a row)
            deals.Add(d); statuses.Add(status); closes.Add(closedAt);
        }
        int n = deals.Count, rows = 0;
        foreach (int d in deals)
            for (int i = _rowStart[d], end = i + _rowCount[d]; i < end; i++)
                if (_field[i] == DealField.Stage && _new[i] >= 0 && openRank[_new[i]] >= 0) rows++;
        var start = new int[n + 1];
        var at = new long[rows];
        var st = new int[rows];
        int r = 0;
        for (int k = 0; k < n; k++)
        {
            int d = deals[k];
            start[k] = r;
            for (int i = _rowStart[d], end = i + _rowCount[d]; i < end; i++)
                if (_field[i] == DealField.Stage && _new[i] >= 0 && openRank[_new[i]] is var rank and >= 0) { at[r] = _at[i]; st[r] = rank; r++; }
        }
        start[n] = r;
        int[] chosen = [.. deals];
        return new FunnelColumns { Id = k => IdText(chosen[k]), Status = [.. statuses], Closed = [.. closes], Start = start, At = at, Stage = st };
    }

    private async Task RefreshAsync(RevLoopDb db, CancellationToken ct)
    {
        var changes = db.FieldChanges.AsNoTracking();
        long max = await changes.MaxAsync(c => (long?)c.Id, ct) ?? 0;
        if (_loaded && max < _watermark) Reset(); // the database was recreated under the same name
        if (!_loaded)
        {
            await LoadAllAsync(db, max, ct);
            _loaded = true;
            _watermark = max;
            return;
        }
        long now = db.Clock.GetUtcNow().UtcTicks, window = db.IsSqlite ? 0 : 2 * TimeSpan.TicksPerSecond;
        while (_recent.Count > 0 && now - _recent.Peek().Ticks > window) _recent.Dequeue();
        long from = _recent.Count > 0 ? _recent.Peek().Watermark : _watermark;
        if (max <= from) return;
        // One range scan for both: opportunities written since, and activities moved, added or deleted (the deals they
        // point at now, and at before: an OpportunityId change's old value).
        var written = await changes.Where(c => c.Id > from && c.Id <= max && (c.EntityType == "opportunity" || c.EntityType == "activity"))
            .Select(c => new { c.EntityType, c.EntityId, c.Field, c.OldValue }).ToListAsync(ct);
        var dirty = written.Where(c => c.EntityType == "opportunity").Select(c => c.EntityId).Distinct().ToList();
        var touched = new HashSet<Guid>();
        foreach (var c in written)
            if (c.EntityType == "activity" && c.Field == "OpportunityId" && Guid.TryParse(c.OldValue, out var before)) touched.Add(before);
        foreach (var batch in written.Where(c => c.EntityType == "activity").Select(c => c.EntityId).Distinct().Chunk(ReloadBatch))
            foreach (var o in await db.Activities.IgnoreQueryFilters().AsNoTracking().Where(a => batch.Contains(a.Id) && a.OpportunityId != null)
                         .Select(a => a.OpportunityId!.Value).ToListAsync(ct))
                touched.Add(o);
        if (window > 0) _recent.Enqueue((_watermark, now));
        _watermark = max;
        foreach (var batch in dirty.Chunk(ReloadBatch)) await ReloadAsync(db, [.. batch], ct);
        foreach (var batch in touched.Chunk(ReloadBatch)) await ReloadActivitiesAsync(db, [.. batch], ct);
        if (_acts > 1_000_000 && _acts > 2L * _liveActs) CompactActivities();
        if (_rows > 1_000_000 && _rows > 2L * _liveRows) Compact();
    }

    private void Reset()
    {
        _loaded = false; _watermark = 0; _recent.Clear(); _index.Clear(); _n = 0; _rows = 0; _liveRows = 0; _acts = 0; _liveActs = 0;
    }

    private sealed record DealRow(Guid Id, Guid PipelineId, Guid StageId, long AmountMinor, string Currency, DateOnly? CloseDate, DateTimeOffset CreatedAt,
        DateTimeOffset? WonAt, DateTimeOffset? LostAt, DateTimeOffset? DeletedAt, Guid? OwnerId, Guid? OwnerTeamId, string? Segment, string? Region,
        string? Source, string? SourcingRole, string? ProductFamily, long? AcvMinor, string ForecastCategory);

    private static IQueryable<DealRow> DealRows(IQueryable<Opportunity> q) => q.Select(o => new DealRow(o.Id, o.PipelineId, o.StageId, o.AmountMinor, o.Currency,
        o.CloseDate, o.CreatedAt, o.WonAt, o.LostAt, o.DeletedAt, o.OwnerId, o.OwnerTeamId, o.Segment, o.Region, o.Source, o.SourcingRole, o.ProductFamily,
        o.AcvMinor, o.ForecastCategory));

    private IQueryable<FieldChange> HistoryRows(RevLoopDb db) =>
        db.FieldChanges.AsNoTracking().Where(c => c.EntityType == "opportunity" && OpportunityHistoryRows.Fields.Contains(c.Field));

    private async Task LoadAllAsync(RevLoopDb db, long max, CancellationToken ct)
    {
        Reset();
        await foreach (var o in DealRows(db.Opportunities.IgnoreQueryFilters().AsNoTracking().OrderBy(o => o.Id)).AsAsyncEnumerable().WithCancellation(ct))
            Put(o);
        // Rows come grouped by field (the index's order); collected, then laid out per deal in time order.
        var deal = new List<int>(); var at = new List<long>(); var field = new List<DealField>(); var old = new List<long>(); var @new = new List<long>();
        await foreach (var c in HistoryRows(db).Select(c => new { c.EntityId, c.Field, c.ChangedAt, c.OldValue, c.NewValue }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!_index.TryGetValue(c.EntityId, out int d)) continue;
            var f = FieldOf(c.Field);
            if (!TryValue(f, c.OldValue, out long o) || !TryValue(f, c.NewValue, out long n)) continue;
            deal.Add(d); at.Add(c.ChangedAt.UtcTicks); field.Add(f); old.Add(o); @new.Add(n);
        }
        var count = new int[_n];
        foreach (int d in deal) count[d]++;
        int rows = deal.Count;
        // Each deal's rows with room after them for the rows of its creation (AddCreatedRows).
        EnsureRows(rows + CreatedFields.Length * _n);
        int next = 0;
        for (int d = 0; d < _n; d++) { _rowStart[d] = next; _rowCount[d] = 0; next += count[d] + CreatedFields.Length; }
        for (int r = 0; r < rows; r++)
        {
            int d = deal[r];
            int i = _rowStart[d] + _rowCount[d]++;
            (_at[i], _field[i], _old[i], _new[i]) = (at[r], field[r], old[r], @new[r]);
        }
        _rows = next;
        _liveRows = 0;
        for (int d = 0; d < _n; d++)
        {
            SortRows(_rowStart[d], _rowCount[d]);
            AddCreatedRows(d);
            _liveRows += _rowCount[d];
        }

        var actDeal = new List<int>(); var actAt = new List<long>();
        await foreach (var a in Activities(db).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!_index.TryGetValue(a.OpportunityId!.Value, out int d)) continue;
            actDeal.Add(d); actAt.Add(a.OccurredAt.UtcTicks);
        }
        var perDeal = new int[_n];
        foreach (int d in actDeal) perDeal[d]++;
        if (_actAt.Length < actDeal.Count) _actAt = new long[Math.Max(4096, actDeal.Count)];
        next = 0;
        for (int d = 0; d < _n; d++) { _actStart[d] = next; _actCount[d] = 0; next += perDeal[d]; }
        for (int i = 0; i < actDeal.Count; i++) { int d = actDeal[i]; _actAt[_actStart[d] + _actCount[d]++] = actAt[i]; }
        _acts = _liveActs = actDeal.Count;
        for (int d = 0; d < _n; d++) Array.Sort(_actAt, _actStart[d], _actCount[d]);
    }

    private sealed record ActivityTime(Guid? OpportunityId, DateTimeOffset OccurredAt);

    private static IQueryable<ActivityTime> Activities(RevLoopDb db, List<Guid>? of = null)
    {
        var q = db.Activities.IgnoreQueryFilters().AsNoTracking().Where(a => a.OpportunityId != null && a.DeletedAt == null);
        if (of is not null) q = q.Where(a => of.Contains(a.OpportunityId!.Value));
        return q.Select(a => new ActivityTime(a.OpportunityId, a.OccurredAt));
    }

    /// <summary>Reloads the activity times of the given deals.</summary>
    private async Task ReloadActivitiesAsync(RevLoopDb db, List<Guid> ids, CancellationToken ct)
    {
        var byDeal = new Dictionary<int, List<long>>();
        foreach (var id in ids) if (_index.TryGetValue(id, out int d)) byDeal[d] = [];
        foreach (var a in await Activities(db, ids).ToListAsync(ct))
            if (_index.TryGetValue(a.OpportunityId!.Value, out int d) && byDeal.TryGetValue(d, out var list)) list.Add(a.OccurredAt.UtcTicks);
        foreach (var (d, list) in byDeal)
        {
            list.Sort();
            _liveActs -= _actCount[d];
            if (_acts + list.Count > _actAt.Length) Array.Resize(ref _actAt, Math.Max(_acts + list.Count, Math.Max(4096, _actAt.Length * 2)));
            _actStart[d] = _acts;
            _actCount[d] = list.Count;
            list.CopyTo(_actAt, _acts);
            _acts += list.Count;
            _liveActs += list.Count;
        }
    }

    /// <summary>The deal's last activity at or before <paramref name="ticks"/> (UTC), or null.</summary>
    public DateTime? LastActivity(int d, long ticks)
    {
        int lo = _actStart[d], hi = lo + _actCount[d];
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_actAt[mid] <= ticks) lo = mid + 1; else hi = mid;
        }
        return lo > _actStart[d] ? new DateTime(_actAt[lo - 1], DateTimeKind.Utc) : null;
    }

    /// <summary>Reloads the given deals (row and history) from the database; new ones are added.</summary>
    private async Task ReloadAsync(RevLoopDb db, List<Guid> ids, CancellationToken ct)
    {
        var seen = new HashSet<Guid>();
        foreach (var o in await DealRows(db.Opportunities.IgnoreQueryFilters().AsNoTracking().Where(o => ids.Contains(o.Id))).ToListAsync(ct))
        {
            Put(o);
            seen.Add(o.Id);
        }
        var byDeal = new Dictionary<int, List<(long At, DealField Field, long Old, long New)>>();
        foreach (var id in seen) byDeal[_index[id]] = [];
        foreach (var c in await HistoryRows(db).Where(c => ids.Contains(c.EntityId))
                     .Select(c => new { c.EntityId, c.Field, c.ChangedAt, c.OldValue, c.NewValue }).ToListAsync(ct))
        {
            if (!_index.TryGetValue(c.EntityId, out int d) || !byDeal.TryGetValue(d, out var list)) continue;
            var f = FieldOf(c.Field);
            if (!TryValue(f, c.OldValue, out long o) || !TryValue(f, c.NewValue, out long n)) continue;
            list.Add((c.ChangedAt.UtcTicks, f, o, n));
        }
        foreach (var (d, list) in byDeal)
        {
            _liveRows -= _rowCount[d];
            EnsureRows(_rows + list.Count + CreatedFields.Length);
            _rowStart[d] = _rows;
            _rowCount[d] = list.Count;
            foreach (var (at, field, old, @new) in list)
            {
                (_at[_rows], _field[_rows], _old[_rows], _new[_rows]) = (at, field, old, @new);
                _rows++;
            }
            SortRows(_rowStart[d], _rowCount[d]);
            AddCreatedRows(d);
            _rows = _rowStart[d] + _rowCount[d];
            _liveRows += _rowCount[d];
        }
    }

    // In the order the index lists a deal's creation rows of databases from before ADR 0020 (by field name).
    private static readonly DealField[] CreatedFields = [DealField.Amount, DealField.CloseDate, DealField.Stage];

    /// <summary>
    /// Adds the rows of deal <paramref name="d"/>'s creation: its amount, close date and stage when it was created, at its
    /// creation time and first among the rows of that time (the rule of <see cref="OpportunityHistoryRows"/>: the old value
    /// of the field's first row since, else the deal's value now). The deal's rows are in time order, with room for
    /// <see cref="CreatedFields"/> more after them.
    /// </summary>
    private void AddCreatedRows(int d)
    {
        int start = _rowStart[d], end = start + _rowCount[d], from = start;
        long created = _created[d];
        while (from < end && _at[from] < created) from++;
        Span<long> value = [_amount[d], _closeDay[d] < 0 ? NoValue : _closeDay[d], _stage[d]];
        Span<bool> seen = stackalloc bool[CreatedFields.Length];
        for (int i = from; i < end; i++)
        {
            int f = Array.IndexOf(CreatedFields, _field[i]);
            if (!seen[f]) (seen[f], value[f]) = (true, _old[i]);
        }
        int k = 0;
        foreach (long v in value) if (v != NoValue) k++;
        if (k == 0) return;
        for (int i = end - 1; i >= from; i--) (_at[i + k], _field[i + k], _old[i + k], _new[i + k]) = (_at[i], _field[i], _old[i], _new[i]);
        int r = from;
        for (int f = 0; f < CreatedFields.Length; f++)
            if (value[f] != NoValue) { (_at[r], _field[r], _old[r], _new[r]) = (created, CreatedFields[f], NoValue, value[f]); r++; }
        _rowCount[d] += k;
    }

    private void Put(DealRow o)
    {
        if (!_index.TryGetValue(o.Id, out int d))
        {
            d = _n++;
            if (d == _id.Length) GrowDeals(Math.Max(1024, _id.Length * 2));
            _index[o.Id] = d;
            _id[d] = o.Id;
            _idText[d] = null;
            _rowStart[d] = _rows;
            _rowCount[d] = 0;
            _actStart[d] = _acts;
            _actCount[d] = 0;
        }
        _pipeline[d] = o.PipelineId;
        if (!_stageIndex.TryGetValue(o.StageId, out int s)) { s = _stages.Count; _stageIndex[o.StageId] = s; _stages.Add(o.StageId); }
        _stage[d] = s;
        _amount[d] = o.AmountMinor;
        _currency[d] = string.IsInterned(o.Currency) ?? string.Intern(o.Currency);
        _closeDay[d] = o.CloseDate?.DayNumber ?? -1;
        _created[d] = o.CreatedAt.UtcTicks;
        _wonAt[d] = o.WonAt?.UtcTicks ?? NoValue;
        _lostAt[d] = o.LostAt?.UtcTicks ?? NoValue;
        _deleted[d] = o.DeletedAt is not null;
        _owner[d] = o.OwnerId;
        _team[d] = o.OwnerTeamId;
        (_segment[d], _region[d], _source[d], _role[d], _product[d]) = (Intern(o.Segment), Intern(o.Region), Intern(o.Source), Intern(o.SourcingRole), Intern(o.ProductFamily));
        _acv[d] = o.AcvMinor ?? NoValue;
        _category[d] = Intern(o.ForecastCategory)!;
    }

    private static string? Intern(string? s) => s is null ? null : string.IsInterned(s) ?? string.Intern(s);

    private void GrowDeals(int size)
    {
        Array.Resize(ref _id, size); Array.Resize(ref _idText, size); Array.Resize(ref _pipeline, size); Array.Resize(ref _stage, size);
        Array.Resize(ref _created, size); Array.Resize(ref _amount, size); Array.Resize(ref _wonAt, size); Array.Resize(ref _lostAt, size);
        Array.Resize(ref _closeDay, size); Array.Resize(ref _currency, size); Array.Resize(ref _deleted, size); Array.Resize(ref _owner, size);
        Array.Resize(ref _team, size); Array.Resize(ref _segment, size); Array.Resize(ref _region, size); Array.Resize(ref _source, size);
        Array.Resize(ref _role, size); Array.Resize(ref _product, size); Array.Resize(ref _rowStart, size); Array.Resize(ref _rowCount, size);
        Array.Resize(ref _acv, size); Array.Resize(ref _category, size); Array.Resize(ref _actStart, size); Array.Resize(ref _actCount, size);
    }

    private void EnsureRows(int size)
    {
        if (size <= _at.Length) return;
        int cap = Math.Max(size, Math.Max(4096, _at.Length * 2));
        Array.Resize(ref _at, cap); Array.Resize(ref _field, cap); Array.Resize(ref _old, cap); Array.Resize(ref _new, cap);
    }

    private void CompactActivities()
    {
        var at = new long[Math.Max(4096, _liveActs)];
        int next = 0;
        for (int d = 0; d < _n; d++)
        {
            Array.Copy(_actAt, _actStart[d], at, next, _actCount[d]);
            _actStart[d] = next;
            next += _actCount[d];
        }
        (_actAt, _acts) = (at, next);
    }

    /// <summary>Lays every deal's rows out again without the holes reloads left.</summary>
    private void Compact()
    {
        var at = new long[_liveRows]; var field = new DealField[_liveRows]; var old = new long[_liveRows]; var @new = new long[_liveRows];
        int next = 0;
        for (int d = 0; d < _n; d++)
        {
            int s = _rowStart[d], c = _rowCount[d];
            Array.Copy(_at, s, at, next, c); Array.Copy(_field, s, field, next, c); Array.Copy(_old, s, old, next, c); Array.Copy(_new, s, @new, next, c);
            _rowStart[d] = next;
            next += c;
        }
        (_at, _field, _old, _new, _rows) = (at, field, old, @new, next);
    }

    /// <summary>A stable insertion sort by time (a deal has a handful of rows, nearly in order; ties keep load order).</summary>
    private void SortRows(int start, int count)
    {
        for (int i = start + 1; i < start + count; i++)
        {
            var (at, field, old, @new) = (_at[i], _field[i], _old[i], _new[i]);
            int j = i - 1;
            if (_at[j] <= at) continue;
            while (j >= start && _at[j] > at)
            {
                (_at[j + 1], _field[j + 1], _old[j + 1], _new[j + 1]) = (_at[j], _field[j], _old[j], _new[j]);
                j--;
            }
            (_at[j + 1], _field[j + 1], _old[j + 1], _new[j + 1]) = (at, field, old, @new);
        }
    }

    private static DealField FieldOf(string field) => field switch
    {
        nameof(Opportunity.StageId) => DealField.Stage,
        nameof(Opportunity.AmountMinor) => DealField.Amount,
        _ => DealField.CloseDate,
    };

    /// <summary>
    /// A history value as the engine reads it: stage index (-1 for text that is no stage id), minor units, close day;
    /// NoValue for none. False for an amount or date that does not read: the row is left out (as the engine's CSV input).
    /// </summary>
    private bool TryValue(DealField field, string? value, out long result)
    {
        result = NoValue;
        if (value is null) return true;
        switch (field)
        {
            case DealField.Stage:
                if (!Guid.TryParse(value, out var stage)) { result = -1; return true; }
                if (!_stageIndex.TryGetValue(stage, out int s)) { s = _stages.Count; _stageIndex[stage] = s; _stages.Add(stage); }
                result = s;
                return true;
            case DealField.Amount:
                return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
            default:
                if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return false;
                result = day.DayNumber;
                return true;
        }
    }
}

/// <summary>One group of the board's totals (<see cref="OpportunityHistoryColumns.BoardTotals"/>).</summary>
public readonly record struct BoardTotal(Guid StageId, string Currency, DateOnly? Day, long Count, long Minor);

/// <summary>A deal's own columns now, as <see cref="OpportunityHistoryColumns.Now"/> gives them.</summary>
public readonly record struct DealNow(string? Product, string? Region, string? Segment, string? Source, string Currency, DateOnly? CloseDate,
    long CreatedTicks, long? WonTicks, long? LostTicks, string ForecastCategory, long? AcvMinor, long AmountMinor,
    Guid? OwnerId, Guid? TeamId, Guid PipelineId, Guid StageId, string? SourcingRole)
{
    /// <summary>Whether <paramref name="filter"/> selects this deal (its pipeline included).</summary>
    public bool Matches(AnalyticsFilter filter) => (filter.PipelineId is null || filter.PipelineId == PipelineId)
        && filter.Matches(OwnerId, TeamId, Segment, Region, Source, SourcingRole, Product);

    public string? Value(string dimension) => dimension switch
    {
        RevLoop.Forecasting.TargetSubjects.Product => Product,
        RevLoop.Forecasting.TargetSubjects.Region => Region,
        RevLoop.Forecasting.TargetSubjects.Segment => Segment,
        _ => Source,
    };
}

/// <summary>
/// Loads <see cref="OpportunityHistoryColumns"/> in the background when the server starts on a large database, so the
/// first funnel or as-of page does not wait for the whole history to be read (small ones load on first use in well
/// under a second).
/// </summary>
public sealed class OpportunityHistoryWarmUp(IServiceScopeFactory scopes, ILogger<OpportunityHistoryWarmUp> log) : BackgroundService
{
    public const int Threshold = 50_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
            int deals = await db.Opportunities.IgnoreQueryFilters().CountAsync(stoppingToken);
            if (deals < Threshold) return;
            var started = db.Clock.GetTimestamp();
            int loaded = await OpportunityHistoryColumns.For(db).ReadAsync(db, c => c.DealCount, stoppingToken);
            log.LogInformation("Pipeline history of {Deals} opportunities loaded in {Seconds:F1} s", loaded, db.Clock.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException)
        {
            log.LogWarning(e, "Loading the pipeline history failed; it loads on first use instead");
        }
    }
}
