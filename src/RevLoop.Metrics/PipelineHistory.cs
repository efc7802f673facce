using System.Globalization;

namespace RevLoop.Metrics;

/// <summary>The fields of a deal the as-of pipeline rebuilds from history.</summary>
public enum DealField : byte { Stage, Amount, CloseDate }

/// <summary>A deal as it is today: its stage id, amount (minor units of <paramref name="Currency"/>) and close date.</summary>
public sealed record DealRecord(string OpportunityId, DateTime CreatedAt, string Stage, long Amount, string Currency, DateOnly? CloseDate);

/// <summary>
/// One history row of a deal field (UTC), values as the history stores them: the stage id, the amount in minor units
/// as an integer, the close date as YYYY-MM-DD; null = no value.
/// </summary>
public sealed record DealFieldChange(string OpportunityId, DealField Field, DateTime At, string? OldValue, string? NewValue);

/// <summary>A stage of the pipeline: its id, name, status (open / won / lost) and win probability (percent).</summary>
public sealed record PipelineStage(string Id, string Name, OpportunityStatus Status, int Probability);

/// <summary>A deal as it stood at an instant; <paramref name="Stage"/> indexes the pipeline's stages, -1 = a stage of no listed pipeline.</summary>
public readonly record struct DealState(int Stage, long Amount, DateOnly? CloseDate);

/// <summary>One open deal of the as-of pipeline. <paramref name="BaseAmount"/> is null when its currency has no exchange rate.</summary>
public sealed record AsOfDeal(string OpportunityId, string Stage, long Amount, string Currency, decimal? BaseAmount, DateOnly? CloseDate);

/// <summary>One open stage of the as-of pipeline: deals, amount in the base currency and that amount x the stage probability.</summary>
public sealed record AsOfStageRow(string StageId, string Stage, long Count, decimal Amount, decimal Weighted);

/// <summary>The open pipeline as it stood at the end of a day. Deals without an exchange rate are counted in <see cref="Unconverted"/> and left out of the sums.</summary>
public sealed record AsOfPipeline(DateOnly Date, IReadOnlyList<AsOfStageRow> Rows, long Count, decimal Amount, decimal Weighted, long Unconverted, IReadOnlyList<AsOfDeal> Deals);

/// <summary>The waterfall buckets; see <see cref="PipelineHistory.Waterfall"/> for their definitions.</summary>
public enum WaterfallBucket : byte { New, Advanced, PushedOut, PulledIn, Increased, Decreased, Won, Lost }

public sealed record WaterfallRow(WaterfallBucket Bucket, long Count, decimal Amount);

/// <summary>The risk flags of an open deal; see <see cref="PipelineHistory.Risks"/>.</summary>
[Flags]
public enum RiskFlags : byte { None = 0, Stalled = 1, PushedOut = 2, NoActivity = 4, AmountDropped = 8 }

/// <summary>
/// One open deal with at least one flag: days in its current stage (and that stage's p75, when known), how many times
/// its close date moved later, its highest amount ever (minor units) and the days since its last activity (or creation).
/// </summary>
public sealed record DealRisk(string OpportunityId, RiskFlags Flags, decimal DaysInStage, decimal? StageP75Days, int Pushes, long PeakAmount, long Amount, decimal DaysWithoutActivity);

/// <summary>
/// Deals and their stage / amount / close-date history as columns (see the columns constructor of
/// <see cref="PipelineHistory"/>): per column index the creation (ticks, UTC), stage now, amount now (minor units),
/// close day now (DayNumber, -1 = none), currency, and its rows <c>[RowStart, RowStart + RowCount)</c> of At (ticks),
/// Field, Old and New (stage index / amount / close day; <see cref="long.MinValue"/> = no value).
/// </summary>
public sealed class DealHistoryColumns
{
    public required Func<int, string> Id { get; init; }
    public required long[] Created { get; init; }
    public required int[] Stage { get; init; }
    public required long[] Amount { get; init; }
    public required int[] CloseDay { get; init; }
    public required string[] Currency { get; init; }
    public required int[] RowStart { get; init; }
    public required int[] RowCount { get; init; }
    public required long[] At { get; init; }
    public required DealField[] Field { get; init; }
    public required long[] Old { get; init; }
    public required long[] New { get; init; }
}

/// <summary>The movement of the open pipeline between the end of <see cref="From"/> and the end of <see cref="To"/>, with the deals of every bucket.</summary>
public sealed class Waterfall
{
    private readonly List<string>[] _deals;

    internal Waterfall(DateOnly from, DateOnly to, long startCount, decimal start, long endCount, decimal end, IReadOnlyList<WaterfallRow> rows, List<string>[] deals, long unconverted)
    {
        (From, To, StartCount, Start, EndCount, End, Rows, _deals, Unconverted) = (from, to, startCount, start, endCount, end, rows, deals, unconverted);
    }

    public DateOnly From { get; }
    public DateOnly To { get; }
    public long StartCount { get; }
    public decimal Start { get; }
    public long EndCount { get; }
    public decimal End { get; }
    /// <summary>Deals open at either date whose currency has no exchange rate: left out of every bucket.</summary>
    public long Unconverted { get; }
    public IReadOnlyList<WaterfallRow> Rows { get; }
    public WaterfallRow Row(WaterfallBucket bucket) => Rows[(int)bucket];

    /// <summary>The opportunities of a bucket, in input order.</summary>
    public IReadOnlyList<string> Deals(WaterfallBucket bucket) => _deals[(int)bucket];
}

/// <summary>
/// Rebuilds deals as they stood at any past instant from their field history, for the as-of pipeline and the waterfall
/// of issue 5. A field's value at instant t is the new value of its last history row at or before t; when it has none
/// (history begins later, e.g. rows imported without their creation) the old value of its first row after t; with no
/// row at all, today's value. A deal exists from its CreatedAt. "As of day D" = at the end of D (UTC): rows before D+1.
/// Amounts are turned into the base currency by the caller's <c>toBase(currency, minor, closeDate)</c>, so the rate rule
/// stays the server's (ADR 0007). Columnar: rows are grouped per deal by a counting sort, ordered by time within a deal,
/// and every state lookup is a scan of that deal's few rows: linear in deals + rows.
/// </summary>
public sealed class PipelineHistory
{
    private readonly IReadOnlyList<PipelineStage> _stages;
    private readonly int[] _openOrder; // stage -> rank among open stages, -1 when closed
    private readonly Func<int, string> _id;
    private readonly int[] _sel;     // deal (input order) -> its column index below
    private readonly int[]? _stageMap; // a stage value of the columns -> index into _stages (-1: none), null = the values are indexes already
    private readonly long[] _created;
    private readonly int[] _stageNow;
    private readonly long[] _amountNow;
    private readonly int[] _closeNow; // DayNumber, -1 = none
    private readonly string[] _currency;
    private readonly int[] _start, _count; // per column, its rows in [start, start + count), in time order
    private readonly long[] _at;
    private readonly DealField[] _field;
    private readonly long[] _old, _new; // stage index / amount / close day; NoValue when null

    private const long NoValue = long.MinValue;

    public PipelineHistory(IReadOnlyList<PipelineStage> stages, IEnumerable<DealRecord> deals, IEnumerable<DealFieldChange> changes, List<RowError> errors)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(changes);
        _stages = stages;
        var stageIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        _openOrder = new int[stages.Count];
        int rank = 0;
        for (int s = 0; s < stages.Count; s++)
        {
            if (!stageIndex.TryAdd(stages[s].Id, s)) throw new MetricsInputException($"stage '{stages[s].Id}' is listed twice");
            _openOrder[s] = stages[s].Status == OpportunityStatus.Open ? rank++ : -1;
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new List<string>();
        var created = new List<long>();
        var stageNow = new List<int>();
        var amountNow = new List<long>();
        var closeNow = new List<int>();
        var currency = new List<string>();
        long ordinal = 0;
        foreach (var d in deals)
        {
            ordinal++;
            if (!index.TryAdd(d.OpportunityId, ids.Count)) { errors.Add(new RowError(ordinal, "opportunityId", $"duplicate '{d.OpportunityId}'")); continue; }
            ids.Add(d.OpportunityId);
            created.Add(d.CreatedAt.Ticks);
            stageNow.Add(stageIndex.GetValueOrDefault(d.Stage, -1));
            amountNow.Add(d.Amount);
            closeNow.Add(d.CloseDate?.DayNumber ?? -1);
            currency.Add(d.Currency);
        }

        var rowDeal = new List<int>();
        var rowAt = new List<long>();
        var rowField = new List<DealField>();
        var rowOld = new List<long>();
        var rowNew = new List<long>();
        ordinal = 0;
        foreach (var c in changes)
        {
            ordinal++;
            if (!index.TryGetValue(c.OpportunityId, out int d)) continue; // a deal outside the selection (other pipeline, not visible, deleted)
            if (!TryValue(c.Field, c.OldValue, stageIndex, out long old) || !TryValue(c.Field, c.NewValue, stageIndex, out long @new))
            {
                errors.Add(new RowError(ordinal, c.Field.ToString(), "not a valid value"));
                continue;
            }
            rowDeal.Add(d); rowAt.Add(c.At.Ticks); rowField.Add(c.Field); rowOld.Add(old); rowNew.Add(@new);
        }

        int n = ids.Count, rows = rowDeal.Count;
        _start = new int[n + 1];
        foreach (int d in rowDeal) _start[d + 1]++;
        for (int d = 0; d < n; d++) _start[d + 1] += _start[d];
        var fill = (int[])_start.Clone();
        _at = new long[rows]; _field = new DealField[rows]; _old = new long[rows]; _new = new long[rows];
        for (int r = 0; r < rows; r++)
        {
            int i = fill[rowDeal[r]]++;
            _at[i] = rowAt[r]; _field[i] = rowField[r]; _old[i] = rowOld[r]; _new[i] = rowNew[r];
        }
        for (int d = 0; d < n; d++)
        {
            // History comes appended in time order almost always: one comparison per row then; ties keep input order.
            for (int i = _start[d] + 1; i < _start[d + 1]; i++)
            {
                int j = i;
                while (j > _start[d] && _at[j - 1] > _at[j])
                {
                    (_at[j - 1], _at[j]) = (_at[j], _at[j - 1]);
                    (_field[j - 1], _field[j]) = (_field[j], _field[j - 1]);
                    (_old[j - 1], _old[j]) = (_old[j], _old[j - 1]);
                    (_new[j - 1], _new[j]) = (_new[j], _new[j - 1]);
                    j--;
                }
            }
        }
        (_created, _stageNow, _amountNow, _closeNow, _currency) = ([.. created], [.. stageNow], [.. amountNow], [.. closeNow], [.. currency]);
        string[] idArray = [.. ids];
        _id = d => idArray[d];
        _sel = new int[n];
        _count = new int[n];
        for (int d = 0; d < n; d++) { _sel[d] = d; _count[d] = _start[d + 1] - _start[d]; }
    }

    /// <summary>
    /// From columns the caller holds typed already (the server's in-memory history), without copying them: the deals are
    /// <paramref name="selection"/> (column indexes, in the order results list them); stage values (the deal's stage now
    /// and the old/new values of stage rows) are indexes the caller's <paramref name="stageMap"/> turns into indexes of
    /// <paramref name="stages"/> (-1 = a stage of another pipeline). A column's rows must be in time order.
    /// </summary>
    public PipelineHistory(IReadOnlyList<PipelineStage> stages, DealHistoryColumns columns, int[] stageMap, int[] selection)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(columns);
        _stages = stages;
        _openOrder = new int[stages.Count];
        int rank = 0;
        for (int s = 0; s < stages.Count; s++) _openOrder[s] = stages[s].Status == OpportunityStatus.Open ? rank++ : -1;
        (_id, _sel, _stageMap) = (columns.Id, selection, stageMap);
        (_created, _stageNow, _amountNow, _closeNow, _currency) = (columns.Created, columns.Stage, columns.Amount, columns.CloseDay, columns.Currency);
        (_start, _count, _at, _field, _old, _new) = (columns.RowStart, columns.RowCount, columns.At, columns.Field, columns.Old, columns.New);
    }

    public int DealCount => _sel.Length;

    private int Stage(long value) => value < 0 || _stageMap is null ? (int)Math.Max(value, -1) : _stageMap[value];

    private static bool TryValue(DealField field, string? value, Dictionary<string, int> stages, out long result)
    {
        result = NoValue;
        if (value is null) return true;
        switch (field)
        {
            case DealField.Stage: result = stages.GetValueOrDefault(value, -1); return true;
            case DealField.Amount: return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
            default:
                if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return false;
                result = day.DayNumber;
                return true;
        }
    }

    /// <summary>Deal <paramref name="d"/> at the end of <paramref name="day"/>; null when it did not exist yet.</summary>
    public DealState? StateAt(int d, DateOnly day)
    {
        long t = (day.DayNumber + 1L) * TimeSpan.TicksPerDay;
        d = _sel[d];
        if (_created[d] >= t) return null;
        long stage = Unset, amount = Unset, close = Unset;
        long stageAfter = Unset, amountAfter = Unset, closeAfter = Unset;
        for (int i = _start[d], end = _start[d] + _count[d]; i < end; i++)
        {
            bool before = _at[i] < t;
            switch (_field[i])
            {
                case DealField.Stage: if (before) stage = _new[i]; else if (stageAfter == Unset) stageAfter = _old[i]; break;
                case DealField.Amount: if (before) amount = _new[i]; else if (amountAfter == Unset) amountAfter = _old[i]; break;
                default: if (before) close = _new[i]; else if (closeAfter == Unset) closeAfter = _old[i]; break;
            }
        }
        stage = stage != Unset ? stage : stageAfter != Unset ? stageAfter : _stageNow[d];
        if (stage != NoValue) stage = Stage(stage);
        amount = amount != Unset ? amount : amountAfter != Unset ? amountAfter : _amountNow[d];
        close = close != Unset ? close : closeAfter != Unset ? closeAfter : _closeNow[d] < 0 ? NoValue : _closeNow[d];
        return new DealState(stage == NoValue ? -1 : (int)stage, amount == NoValue ? 0 : amount,
            close == NoValue ? null : DateOnly.FromDayNumber((int)close));
    }

    private const long Unset = long.MaxValue;

    private bool IsOpen(DealState? s) => s is { Stage: >= 0 } x && _openOrder[x.Stage] >= 0;

    /// <summary>The open pipeline at the end of <paramref name="date"/>: every deal that existed and sat in an open stage then, with its amount and close date of that moment.</summary>
    public AsOfPipeline AsOf(DateOnly date, Func<string, long, DateOnly?, decimal?> toBase)
    {
        int stages = _stages.Count;
        var count = new long[stages];
        var amount = new decimal[stages];
        var weighted = new decimal[stages];
        var deals = new List<AsOfDeal>();
        long unconverted = 0;
        for (int d = 0; d < _sel.Length; d++)
        {
            var s = StateAt(d, date);
            if (!IsOpen(s)) continue;
            var state = s!.Value;
            int x = _sel[d];
            var baseAmount = toBase(_currency[x], state.Amount, state.CloseDate);
            deals.Add(new AsOfDeal(_id(x), _stages[state.Stage].Name, state.Amount, _currency[x], baseAmount, state.CloseDate));
            if (baseAmount is not { } b) { unconverted++; continue; }
            count[state.Stage]++;
            amount[state.Stage] += b;
            weighted[state.Stage] += b * _stages[state.Stage].Probability / 100m;
        }
        var rows = new List<AsOfStageRow>();
        for (int s = 0; s < stages; s++)
            if (_openOrder[s] >= 0) rows.Add(new AsOfStageRow(_stages[s].Id, _stages[s].Name, count[s], amount[s], weighted[s]));
        return new AsOfPipeline(date, rows, rows.Sum(r => r.Count), rows.Sum(r => r.Amount), rows.Sum(r => r.Weighted), unconverted, deals);
    }

    /// <summary>
    /// The pipeline waterfall from the end of <paramref name="from"/> to the end of <paramref name="to"/>. Start = the open
    /// pipeline at from, End = at to. Every deal open at either date is in exactly one of
    /// <list type="bullet">
    /// <item>New: not open at from (created later, or closed then and reopened), open at to; amount at to.</item>
    /// <item>Won: open at from, in a won stage at to; amount at from.</item>
    /// <item>Lost: open at from, not open and not won at to (lost, or moved to a stage of another pipeline); amount at from.</item>
    /// <item>open at both: the amount change goes to Increased (amount at to - at from, if positive) or Decreased (at from - at to).</item>
    /// </list>
    /// so End = Start + New + Increased - Decreased - Won - Lost exactly. Deals open at both dates are also counted (not
    /// summed into the identity, amount at to) in Advanced (a later open stage at to than at from), PushedOut (close date
    /// later at to; a date set where there was none does not count) and PulledIn (close date earlier at to).
    /// Amounts in the base currency (each state converted with its own close date); a deal whose currency has no rate is
    /// left out and counted in <see cref="Waterfall.Unconverted"/>.
    /// </summary>
    public Waterfall Waterfall(DateOnly from, DateOnly to, Func<string, long, DateOnly?, decimal?> toBase)
    {
        if (to < from) throw new MetricsInputException($"to {to:yyyy-MM-dd} is before from {from:yyyy-MM-dd}");
        var count = new long[8];
        var sum = new decimal[8];
        var deals = new List<string>[8];
        for (int b = 0; b < 8; b++) deals[b] = [];
        long startCount = 0, endCount = 0, unconverted = 0;
        decimal start = 0, end = 0;
        void Add(WaterfallBucket bucket, int d, decimal amount) { count[(int)bucket]++; sum[(int)bucket] += amount; deals[(int)bucket].Add(_id(_sel[d])); }
        for (int d = 0; d < _sel.Length; d++)
        {
            var f = StateAt(d, from);
            var t = StateAt(d, to);
            bool openF = IsOpen(f), openT = IsOpen(t);
            if (!openF && !openT) continue;
            string currency = _currency[_sel[d]];
            decimal? bf = openF ? toBase(currency, f!.Value.Amount, f.Value.CloseDate) : 0;
            decimal? bt = openT ? toBase(currency, t!.Value.Amount, t.Value.CloseDate) : 0;
            if (bf is not { } af || bt is not { } at) { unconverted++; continue; }
            if (openF) { startCount++; start += af; }
            if (openT) { endCount++; end += at; }
            if (!openF) { Add(WaterfallBucket.New, d, at); continue; }
            if (!openT)
            {
                bool won = t is { Stage: >= 0 } w && _stages[w.Stage].Status == OpportunityStatus.Won;
                Add(won ? WaterfallBucket.Won : WaterfallBucket.Lost, d, af);
                continue;
            }
            var (sf, st) = (f!.Value, t!.Value);
            if (at > af) Add(WaterfallBucket.Increased, d, at - af);
            else if (at < af) Add(WaterfallBucket.Decreased, d, af - at);
            if (_openOrder[st.Stage] > _openOrder[sf.Stage]) Add(WaterfallBucket.Advanced, d, at);
            if (sf.CloseDate is { } cf && st.CloseDate is { } ct)
            {
                if (ct > cf) Add(WaterfallBucket.PushedOut, d, at);
                else if (ct < cf) Add(WaterfallBucket.PulledIn, d, at);
            }
        }
        var rows = Enumerable.Range(0, 8).Select(b => new WaterfallRow((WaterfallBucket)b, count[b], sum[b])).ToList();
        return new Waterfall(from, to, startCount, start, endCount, end, rows, deals, unconverted);
    }

    /// <summary>
    /// The risk flags of the deals open now (issue 5), at instant <paramref name="now"/>:
    /// <list type="bullet">
    /// <item>Stalled: time since the deal last entered its current stage (since its creation without stage history) is
    /// above that stage's p75 time in stage (<paramref name="stageP75Days"/> by stage id, the funnel's all-time figure;
    /// no flag while a stage has no completed stay).</item>
    /// <item>PushedOut: its close date moved later two or more times (history rows with an old and a new date, new later).</item>
    /// <item>NoActivity: no activity (<paramref name="lastActivity"/>, by deal index; or its creation when it has none) in the
    /// last <paramref name="noActivityDays"/> days.</item>
    /// <item>AmountDropped: its amount now is below the highest amount it ever had.</item>
    /// </list>
    /// Only deals with a flag are returned, in input order.
    /// </summary>
    public IReadOnlyList<DealRisk> Risks(DateTime now, IReadOnlyDictionary<string, decimal> stageP75Days, Func<int, DateTime?> lastActivity, int noActivityDays)
    {
        long t = now.Ticks;
        var result = new List<DealRisk>();
        for (int d = 0; d < _sel.Length; d++)
        {
            int x = _sel[d];
            int stage = Stage(_stageNow[x]);
            if (stage < 0 || _openOrder[stage] < 0) continue;
            long entered = _created[x], peak = _amountNow[x];
            int pushes = 0;
            for (int i = _start[x], end = _start[x] + _count[x]; i < end; i++)
            {
                if (_at[i] > t) continue;
                switch (_field[i])
                {
                    case DealField.Stage: if (_new[i] != NoValue && Stage(_new[i]) == stage) entered = _at[i]; break;
                    case DealField.Amount:
                        if (_new[i] != NoValue) peak = Math.Max(peak, _new[i]);
                        if (_old[i] != NoValue) peak = Math.Max(peak, _old[i]);
                        break;
                    default: if (_old[i] != NoValue && _new[i] != NoValue && _new[i] > _old[i]) pushes++; break;
                }
            }
            decimal inStage = Money.ToDecimal(Math.Max(0, t - entered), TimeSpan.TicksPerDay);
            decimal? p75 = stageP75Days.TryGetValue(_stages[stage].Id, out var limitDays) ? limitDays : null;
            long last = Math.Max(lastActivity(d)?.Ticks ?? 0, _created[x]);
            decimal idle = Money.ToDecimal(Math.Max(0, t - last), TimeSpan.TicksPerDay);
            var flags = RiskFlags.None;
            if (p75 is { } limit && inStage > limit) flags |= RiskFlags.Stalled;
            if (pushes >= 2) flags |= RiskFlags.PushedOut;
            if (t - last > noActivityDays * TimeSpan.TicksPerDay) flags |= RiskFlags.NoActivity;
            if (_amountNow[x] < peak) flags |= RiskFlags.AmountDropped;
            if (flags != RiskFlags.None) result.Add(new DealRisk(_id(x), flags, inStage, p75, pushes, peak, _amountNow[x], idle));
        }
        return result;
    }

    /// <summary>The id of the deal at dense index <paramref name="d"/> (input order), for the caller's per-deal lookups.</summary>
    public string OpportunityId(int d) => _id(_sel[d]);
}
