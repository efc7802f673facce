using System.Numerics;
using System.Runtime.CompilerServices;

namespace RevLoop.Metrics;

/// <summary>What to compute (METRICS.md §2-§4).</summary>
public sealed class MetricsQuery
{
    /// <summary>First reported month; default: the first month in which any row is active.</summary>
    public YearMonth? From { get; init; }
    /// <summary>Last reported month (inclusive); default: the latest month in which a row starts or ends.</summary>
    public YearMonth? To { get; init; }
    /// <summary>Reporting currency (ISO 4217). Null: all rows must share one currency and no fx line is produced.</summary>
    public string? ReportingCurrency { get; init; }
    /// <summary>Dated rates into <see cref="ReportingCurrency"/>; required when rows use other currencies.</summary>
    public FxRateTable? Rates { get; init; }
    /// <summary>Reactivation window in days: a customer returning more than this many days after churning counts as new. Null = unlimited.</summary>
    public int? ReactivationWindowDays { get; init; }
    /// <summary>Keep per-customer movements per month for drill-down (<see cref="MetricsResult.CustomersBehind"/>).</summary>
    public bool CollectCustomerMovements { get; init; }
    /// <summary>Compute cohort NRR/GRR (12 m) and cohort retention tables (cost O(customers x months)).</summary>
    public bool ComputeCohorts { get; init; } = true;
}

/// <summary>
/// The metrics engine: one linear pass over the periods grouped by customer (counting sort on the
/// interned customer index), each customer's MRR as a step function of UTC days, movements accumulated
/// into per-month arrays.
/// </summary>
/// <remarks>
/// Day semantics: a row [start, end) is part of a customer's MRR "at the end of day d" iff
/// start &lt; midnight(d+1) &lt;= end, i.e. floor(start) &lt;= d &lt; floor(end) in UTC days. A row that starts and ends
/// within one day therefore never counts, and changes inside one day collapse (METRICS.md §3).
///
/// Amounts: every row's monthly amount is an exact integer over the table's common denominator
/// (<see cref="PeriodTable"/>), so every sum below is an exact Int128 sum; decimals appear only in the result.
///
/// FX (only with a reporting currency): every converted amount is exact, native numerator x rate numerator (rates as
/// integers over 10^the most decimals of any rate), so conversion is linear. For customer i with native MRR vector N_i(d) at the end of day d and
/// rates r(d) (rate of the day = last known rate on or before d):
///   movement_i(d) = N_i(d)·r(d) - N_i(d-1)·r(d)      (native change valued at the rate of the day, classified
///                                                    as new/expansion/... by comparing N_i(d-1)·r(d) with N_i(d)·r(d))
///   fx_i(d)       = N_i(d-1)·r(d) - N_i(d-1)·r(d-1)  (revaluation of yesterday's native MRR at today's rate;
///                                                    for a customer whose native MRR did not change this is the
///                                                    whole change of its converted MRR)
/// movement_i(d) + fx_i(d) = C_i(d) - C_i(d-1), so the identity
///   MRR_end = MRR_start + new + expansion + reactivation - contraction - churn + fx
/// holds exactly for every month. The fx line of a month is the sum of fx_i(d) over customers and days,
/// computed as sum over currencies of H_c(d-1)·(r_c(d) - r_c(d-1)) where H_c is the total native MRR in c.
/// </remarks>
public static class MetricsEngine
{
    public static MetricsResult Compute(IEnumerable<SubscriptionPeriod> periods, MetricsQuery query, List<RowError> errors)
        => Compute(PeriodTable.FromRecords(periods, errors), query);

    public static MetricsResult Compute(PeriodTable table, MetricsQuery query)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(query);
        if (query.ReactivationWindowDays is < 0) throw new MetricsInputException("reactivation window must be >= 0 days");

        // currencies actually used
        var used = new bool[table.Currencies.Count];
        for (int i = 0; i < table.Count; i++) used[table.Currency[i]] = true;
        var usedCodes = table.Currencies.Where((c, i) => used[i]).OrderBy(c => c, StringComparer.Ordinal).ToList();

        bool fx = query.ReportingCurrency is not null;
        string currency;
        FxRateTable? rates = null;
        if (fx)
        {
            currency = query.ReportingCurrency!.ToUpperInvariant();
            rates = query.Rates ?? FxRateTable.Empty(currency);
            if (!string.Equals(rates.ReportingCurrency, currency, StringComparison.Ordinal))
                throw new MetricsInputException($"rates are into {rates.ReportingCurrency}, not {currency}");
            var missing = usedCodes.Where(c => !rates.HasRates(c)).ToList();
            if (missing.Count > 0)
                throw new MetricsInputException($"no exchange rates into {currency} for: {string.Join(", ", missing)}");
        }
        else
        {
            if (usedCodes.Count > 1)
                throw new MetricsInputException($"several currencies ({string.Join(", ", usedCodes)}): a reporting currency and rates are required");
            currency = usedCodes.Count == 1 ? usedCodes[0] : "";
        }

        // reporting range
        int minActiveDay = int.MaxValue, maxEventDay = int.MinValue;
        for (int i = 0; i < table.Count; i++)
        {
            int sd = (int)(table.StartTicks[i] / TimeSpan.TicksPerDay);
            long e = table.EndTicks[i];
            int ed = e == long.MaxValue ? int.MaxValue : (int)(e / TimeSpan.TicksPerDay);
            if (sd < ed && sd < minActiveDay) minActiveDay = sd;
            if (sd > maxEventDay) maxEventDay = sd;
            if (ed != int.MaxValue && ed > maxEventDay) maxEventDay = ed;
        }
        YearMonth from, to;
        if (query.From is { } f) from = f;
        else if (minActiveDay != int.MaxValue) from = YearMonth.OfDayNumber(minActiveDay);
        else from = query.To ?? new YearMonth(2000, 1);
        if (query.To is { } t) to = t;
        else if (maxEventDay != int.MinValue) to = YearMonth.OfDayNumber(maxEventDay);
        else to = from;
        if (to < from) throw new MetricsInputException($"'to' ({to}) is before 'from' ({from})");
        if (from.Index - 12 < new YearMonth(1, 1).Index) throw new MetricsInputException("'from' must be after 0001-12");

        long rateDivisor = 1;
        if (fx)
        {
            // rates as integers over 10^(significant decimals of the table): exact, and as small as possible
            rateDivisor = Money.Pow10(Money.RateScale - rates!.SignificantScale);
            UInt128 maxRate = (UInt128)(rates.MaxRateUnits / rateDivisor);
            if (table.Total != 0 && maxRate > PeriodTable.MaxTotal / table.Total)
                throw new MetricsInputException("amounts and exchange rates too large to compute exactly: the sum of the monthly amounts x the largest rate, "
                                                + "as integers over their common denominator, exceeds 2^124 (fewer decimals in rates, amounts or quantities keep them smaller)");
        }

        var w = new Walker(table, query, from, to, fx, rates, rateDivisor);
        w.Run();
        return w.ToResult(currency);
    }

    internal struct Ev
    {
        public Int128 Delta;
        public int Day;
        public int Cur;
    }

    /// <summary>a x b for a monthly numerator (or a sum of them) and a rate numerator; the table bounds keep it inside Int128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Int128 Mul(Int128 a, long b)
    {
        long lo = (long)a;
        return a == lo ? Math.BigMul(lo, b) : a * b;
    }

    internal sealed class Walker
    {
        private readonly PeriodTable _t;
        private readonly MetricsQuery _q;
        private readonly bool _fx;
        private readonly FxRateTable? _rates;
        private readonly bool _cohorts;
        private readonly bool _collect;
        private readonly long _window;
        internal readonly YearMonth W0;
        internal readonly YearMonth From;
        internal readonly YearMonth To;
        internal readonly int M;
        private readonly int _d0;   // first day of W0
        private readonly int _dl;   // last day of To
        private readonly int[] _dayMonth; // (d - _d0) -> window month index
        private readonly int[] _monthLastDay;
        // FX: rates per currency index for days _d0-1 .. _dl
        private readonly long[][]? _rate;
        private readonly long _rateDivisor;

        // per-month accumulators (window month index)
        internal readonly Int128[] New, Exp, React, Contr, Churn, FxLine;
        internal readonly int[] NewCnt, ReactCnt, ChurnCnt, ChurnForRate;
        internal readonly Int128[] ExistExp, ExistContr, ExistChurn;
        internal readonly Int128[] MrrStart, MrrEnd;
        internal readonly int[] CustStart, CustEnd;
        internal Int128 PriorMrr;
        internal int PriorCustomers;
        internal readonly Int128[] CohortNum, CohortDen, CohortMin;
        internal readonly Int128[] CohortStartMrr;
        internal readonly int[] CohortSize;
        internal readonly Int128[][] RetMrr;
        internal readonly int[][] RetCust;
        internal readonly MovementLog? Log;
        private int _posStart, _posEnd; // current customer: months with positive month-end MRR lie in [_posStart, _posEnd)

        public Walker(PeriodTable t, MetricsQuery q, YearMonth from, YearMonth to, bool fx, FxRateTable? rates, long rateDivisor)
        {
            _rateDivisor = rateDivisor;
            _t = t;
            _q = q;
            _fx = fx;
            _rates = rates;
            _cohorts = q.ComputeCohorts;
            _collect = q.CollectCustomerMovements;
            _window = q.ReactivationWindowDays ?? long.MaxValue;
            From = from;
            To = to;
            W0 = from.AddMonths(-12);
            M = to.Index - W0.Index + 1;
            _d0 = W0.FirstDay.DayNumber;
            _dl = to.LastDay.DayNumber;
            _dayMonth = new int[_dl - _d0 + 1];
            _monthLastDay = new int[M];
            for (int m = 0; m < M; m++)
            {
                var ym = W0.AddMonths(m);
                int a = ym.FirstDay.DayNumber, b = ym.LastDay.DayNumber;
                _monthLastDay[m] = b;
                for (int d = a; d <= b; d++) _dayMonth[d - _d0] = m;
            }
            if (fx)
            {
                _rate = new long[t.Currencies.Count][];
                for (int c = 0; c < t.Currencies.Count; c++)
                {
                    CurrencyIndex.TryKey(System.Text.Encoding.ASCII.GetBytes(t.Currencies[c]), out int key);
                    try { _rate[c] = rates!.DailyRates(key, _d0 - 1, _dl); }
                    catch (MetricsInputException) { _rate[c] = []; } // currency not used by any row
                    var rc = _rate[c];
                    if (rateDivisor != 1) for (int i = 0; i < rc.Length; i++) rc[i] /= rateDivisor;
                }
            }
            New = new Int128[M]; Exp = new Int128[M]; React = new Int128[M]; Contr = new Int128[M]; Churn = new Int128[M]; FxLine = new Int128[M];
            NewCnt = new int[M]; ReactCnt = new int[M]; ChurnCnt = new int[M]; ChurnForRate = new int[M];
            ExistExp = new Int128[M]; ExistContr = new Int128[M]; ExistChurn = new Int128[M];
            MrrStart = new Int128[M]; MrrEnd = new Int128[M]; CustStart = new int[M]; CustEnd = new int[M];
            CohortNum = new Int128[M]; CohortDen = new Int128[M]; CohortMin = new Int128[M];
            CohortStartMrr = new Int128[M]; CohortSize = new int[M];
            RetMrr = new Int128[_cohorts ? M : 0][];
            RetCust = new int[_cohorts ? M : 0][];
            for (int c = 0; c < RetMrr.Length; c++) { RetMrr[c] = new Int128[M - c]; RetCust[c] = new int[M - c]; }
            if (_collect) Log = new MovementLog();
        }

        public PeriodTable Table => _t;
        public FxRateTable? Rates => _rates;
        /// <summary>Rates as used here: 1e-12 units / RateDivisor.</summary>
        public long RateDivisor => _rateDivisor;
        /// <summary>Denominator of every amount of the result: the table's, times the rates' 10^decimals with FX.</summary>
        public BigInteger Denominator => _fx ? _t.Denominator * (Money.RateUnit / _rateDivisor) : _t.Denominator;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run()
        {
            int n = _t.Count;
            int nc = _t.Customers.Count;
            int[] cust = _t.Customer;
            // group rows by customer: counting sort, skipped when rows are already grouped
            bool grouped = true;
            for (int i = 1; i < n; i++) if (cust[i] < cust[i - 1]) { grouped = false; break; }
            int[] offsets = new int[nc + 1];
            for (int i = 0; i < n; i++) offsets[cust[i] + 1]++;
            for (int c = 0; c < nc; c++) offsets[c + 1] += offsets[c];
            int[]? order = null;
            if (!grouped)
            {
                order = new int[n];
                int[] pos = new int[nc];
                Array.Copy(offsets, pos, nc);
                for (int i = 0; i < n; i++) order[pos[cust[i]]++] = i;
            }

            var ev = new Ev[64];
            var monthEnd = new Int128[M];
            var hold = new HoldingSet();
            for (int c = 0; c < nc; c++)
            {
                int a = offsets[c], b = offsets[c + 1];
                if (b - a > ev.Length / 2) ev = new Ev[Math.Max(ev.Length * 2, (b - a) * 2)];
                int ne = 0;
                for (int k = a; k < b; k++)
                {
                    int r = order is null ? k : order[k];
                    Int128 mon = _t.Monthly[r];
                    if (mon == 0) continue;
                    int sd = (int)(_t.StartTicks[r] / TimeSpan.TicksPerDay);
                    long et = _t.EndTicks[r];
                    int ed = et == long.MaxValue ? int.MaxValue : (int)(et / TimeSpan.TicksPerDay);
                    if (sd >= ed || sd > _dl) continue;
                    int cur = _t.Currency[r];
                    ev[ne].Day = sd; ev[ne].Cur = cur; ev[ne].Delta = mon; ne++;
                    if (ed <= _dl) { ev[ne].Day = ed; ev[ne].Cur = cur; ev[ne].Delta = -mon; ne++; }
                }
                if (ne == 0)
                {
                    continue;
                }
                SortEvents(ev, ne);
                WalkCustomer(c, ev, ne, monthEnd, hold);
            }

            Finish();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void SortEvents(Ev[] ev, int n)
        {
            if (n > 24)
            {
                Array.Sort(ev, 0, n, EvComparer.Instance);
                return;
            }
            for (int i = 1; i < n; i++)
            {
                var x = ev[i];
                int j = i - 1;
                while (j >= 0 && ev[j].Day > x.Day) { ev[j + 1] = ev[j]; j--; }
                ev[j + 1] = x;
            }
        }

        private sealed class EvComparer : IComparer<Ev>
        {
            public static readonly EvComparer Instance = new();
            public int Compare(Ev x, Ev y) => x.Day.CompareTo(y.Day);
        }

        /// <summary>Native MRR of one customer per currency (tiny: usually one currency).</summary>
        private sealed class HoldingSet
        {
            public int[] Cur = new int[4];
            public Int128[] Amt = new Int128[4];
            public int Count;

            public void Clear() => Count = 0;

            public void Add(int cur, Int128 delta)
            {
                for (int i = 0; i < Count; i++)
                    if (Cur[i] == cur) { Amt[i] += delta; return; }
                if (Count == Cur.Length) { Array.Resize(ref Cur, Count * 2); Array.Resize(ref Amt, Count * 2); }
                Cur[Count] = cur;
                Amt[Count] = delta;
                Count++;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Int128 Convert(HoldingSet h, int dayIdx)
        {
            Int128 s = 0;
            for (int i = 0; i < h.Count; i++)
            {
                Int128 amt = h.Amt[i];
                if (amt != 0) s += Mul(amt, _rate![h.Cur[i]][dayIdx]);
            }
            return s;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WalkCustomer(int customer, Ev[] ev, int n, Int128[] monthEnd, HoldingSet hold)
        {
            bool fx = _fx;
            hold.Clear();
            Int128 native = 0;        // total native MRR (positivity; in non-FX mode the value itself)
            int curMonth = -1;        // -1 = before the window
            bool entered = false;
            bool everPaid = false;
            long churnDay = 0;
            int cohort = int.MinValue; // first paid month index (-1 = before the window)
            Int128 firstNew = 0;
            bool monthStartPositive = false;
            bool churnFlag = false, newFlag = false;
            int filled = 0;           // monthEnd[0..filled) written
            _posStart = _posEnd = 0;
            int i = 0;
            while (i < n)
            {
                int d = ev[i].Day;
                if (d > _dl) break;
                int m = d < _d0 ? -1 : _dayMonth[d - _d0];
                if (m != curMonth)
                {
                    if (curMonth >= 0 && churnFlag && !newFlag) ChurnForRate[curMonth]++;
                    churnFlag = newFlag = false;
                    if (!entered && m >= 0)
                    {
                        entered = true;
                        if (native > 0)
                        {
                            PriorCustomers++;
                            if (!fx) PriorMrr += native;
                        }
                    }
                    if (_cohorts && m > filled) { FillMonthEnds(monthEnd, filled, m, native, hold); filled = m; }
                    curMonth = m;
                    monthStartPositive = native > 0;
                }
                // apply every change of day d
                Int128 before = native;
                int j = i;
                if (fx)
                {
                    int di = d - _d0 + 1;
                    Int128 convBefore = m >= 0 ? Convert(hold, di) : 0;
                    for (; j < n && ev[j].Day == d; j++) { native += ev[j].Delta; hold.Add(ev[j].Cur, ev[j].Delta); }
                    i = j;
                    if (m < 0) { Classify(customer, d, -1, before, native, 0, 0, false, ref everPaid, ref churnDay, ref cohort, ref firstNew, ref churnFlag, ref newFlag); continue; }
                    Int128 convAfter = Convert(hold, di);
                    Classify(customer, d, m, before, native, convBefore, convAfter, monthStartPositive, ref everPaid, ref churnDay, ref cohort, ref firstNew, ref churnFlag, ref newFlag);
                }
                else
                {
                    for (; j < n && ev[j].Day == d; j++) native += ev[j].Delta;
                    i = j;
                    Classify(customer, d, m, before, native, before, native, monthStartPositive, ref everPaid, ref churnDay, ref cohort, ref firstNew, ref churnFlag, ref newFlag);
                }
            }
            if (curMonth >= 0 && churnFlag && !newFlag) ChurnForRate[curMonth]++;
            if (!entered && native > 0)
            {
                PriorCustomers++;
                if (!fx) PriorMrr += native;
            }
            if (!_cohorts) return;
            if (filled < M) FillMonthEnds(monthEnd, filled, M, native, hold);
            AddCohorts(cohort, firstNew, monthEnd);
        }

        /// <summary>Adds one customer's month-end MRR to the cohort and 12-month cohort accumulators (own method: own JIT inlining budget).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AddCohorts(int cohort, Int128 firstNew, Int128[] monthEnd)
        {
            // monthEnd[k] is meaningful (and possibly > 0) only in [_posStart, _posEnd); outside it is 0
            int ps = _posStart, pe = _posEnd;
            if (cohort >= 0)
            {
                CohortSize[cohort]++;
                CohortStartMrr[cohort] += firstNew;
            }
            if (ps >= pe) return;
            if (cohort >= 0)
            {
                var rm = RetMrr[cohort];
                var rc = RetCust[cohort];
                for (int k = Math.Max(cohort, ps); k < pe; k++)
                {
                    Int128 v = monthEnd[k];
                    if (v > 0) { rm[k - cohort] += v; rc[k - cohort]++; }
                }
            }
            int mEnd = Math.Min(M, pe + 12);
            for (int m = Math.Max(12, ps + 12); m < mEnd; m++)
            {
                Int128 then = monthEnd[m - 12];
                if (then <= 0) continue;
                Int128 now = m < pe ? monthEnd[m] : 0;
                CohortDen[m] += then;
                CohortNum[m] += now;
                CohortMin[m] += now < then ? now : then;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void FillMonthEnds(Int128[] monthEnd, int fromMonth, int toMonth, Int128 native, HoldingSet hold)
        {
            if (native == 0)
            {
                // zeros are only needed between positive months
                if (_posEnd > _posStart) Array.Clear(monthEnd, fromMonth, toMonth - fromMonth);
                return;
            }
            if (_posEnd <= _posStart) _posStart = fromMonth;
            _posEnd = toMonth;
            if (!_fx)
            {
                for (int k = fromMonth; k < toMonth; k++) monthEnd[k] = native;
                return;
            }
            for (int k = fromMonth; k < toMonth; k++) monthEnd[k] = Convert(hold, _monthLastDay[k] - _d0 + 1);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Classify(int customer, int d, int m, Int128 nativeBefore, Int128 nativeAfter, Int128 before, Int128 after,
            bool existing, ref bool everPaid, ref long churnDay, ref int cohort, ref Int128 firstNew, ref bool churnFlag, ref bool newFlag)
        {
            if (nativeBefore == 0)
            {
                if (nativeAfter <= 0) return;
                bool isNew = !everPaid || d - churnDay > _window;
                if (!everPaid)
                {
                    cohort = m;
                    firstNew = after;
                }
                everPaid = true;
                if (m < 0) return;
                newFlag = true;
                if (isNew) { New[m] += after; NewCnt[m]++; Record(customer, m, MovementKind.New, after); }
                else { React[m] += after; ReactCnt[m]++; Record(customer, m, MovementKind.Reactivation, after); }
                return;
            }
            if (nativeAfter == 0)
            {
                churnDay = d;
                if (m < 0) return;
                churnFlag = true;
                Churn[m] += before;
                ChurnCnt[m]++;
                if (existing) ExistChurn[m] += before;
                Record(customer, m, MovementKind.Churn, before);
                return;
            }
            if (m < 0) return;
            if (after > before)
            {
                Int128 x = after - before;
                Exp[m] += x;
                if (existing) ExistExp[m] += x;
                Record(customer, m, MovementKind.Expansion, x);
            }
            else if (after < before)
            {
                Int128 x = before - after;
                Contr[m] += x;
                if (existing) ExistContr[m] += x;
                Record(customer, m, MovementKind.Contraction, x);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Record(int customer, int m, MovementKind kind, Int128 amount)
        {
            Log?.Add(customer, m, kind, amount);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Finish()
        {
            if (!_fx)
            {
                Int128 mrr = PriorMrr;
                int cust = PriorCustomers;
                for (int m = 0; m < M; m++)
                {
                    MrrStart[m] = mrr;
                    CustStart[m] = cust;
                    mrr += New[m] + Exp[m] + React[m] - Contr[m] - Churn[m];
                    cust += NewCnt[m] + ReactCnt[m] - ChurnCnt[m];
                    MrrEnd[m] = mrr;
                    CustEnd[m] = cust;
                }
                return;
            }

            // FX: total native MRR per currency per day (difference arrays over days _d0-1 .. _dl)
            int nCur = _t.Currencies.Count;
            int days = _dl - _d0 + 2;
            var diff = new Int128[nCur][];
            for (int c = 0; c < nCur; c++) diff[c] = new Int128[days + 1];
            int baseDay = _d0 - 1;
            for (int r = 0; r < _t.Count; r++)
            {
                Int128 mon = _t.Monthly[r];
                if (mon == 0) continue;
                int sd = (int)(_t.StartTicks[r] / TimeSpan.TicksPerDay);
                long et = _t.EndTicks[r];
                int ed = et == long.MaxValue ? int.MaxValue : (int)(et / TimeSpan.TicksPerDay);
                if (sd >= ed || sd > _dl || ed <= baseDay) continue;
                if (sd < baseDay) sd = baseDay;
                var dc = diff[_t.Currency[r]];
                dc[sd - baseDay] += mon;
                if (ed <= _dl) dc[ed - baseDay] -= mon;
            }
            var h = new Int128[nCur];
            Int128 startTotal = 0;
            for (int c = 0; c < nCur; c++)
            {
                h[c] = diff[c][0];
                if (h[c] != 0) startTotal += Mul(h[c], _rate![c][0]);
            }
            for (int di = 1; di < days; di++)
            {
                int m = _dayMonth[di - 1];
                Int128 fxDay = 0;
                for (int c = 0; c < nCur; c++)
                {
                    Int128 prev = h[c];
                    if (prev != 0)
                    {
                        long dr = _rate![c][di] - _rate[c][di - 1];
                        if (dr != 0) fxDay += Mul(prev, dr);
                    }
                    h[c] = prev + diff[c][di];
                }
                FxLine[m] += fxDay;
                if (_monthLastDay[m] == baseDay + di)
                {
                    Int128 total = 0;
                    for (int c = 0; c < nCur; c++) if (h[c] != 0) total += Mul(h[c], _rate![c][di]);
                    MrrEnd[m] = total;
                }
            }
            int cnt = PriorCustomers;
            Int128 mrrStart = startTotal;
            for (int m = 0; m < M; m++)
            {
                MrrStart[m] = mrrStart;
                CustStart[m] = cnt;
                cnt += NewCnt[m] + ReactCnt[m] - ChurnCnt[m];
                CustEnd[m] = cnt;
                Int128 check = mrrStart + New[m] + Exp[m] + React[m] - Contr[m] - Churn[m] + FxLine[m];
                if (check != MrrEnd[m])
                    throw new InvalidOperationException($"internal error: roll-forward identity broken in {W0.AddMonths(m)}");
                mrrStart = MrrEnd[m];
            }
        }

        public MetricsResult ToResult(string currency) => new(this, currency, _fx);

        internal int MonthOf(int day) => day < _d0 ? -1 : day > _dl ? M : _dayMonth[day - _d0];
    }
}

/// <summary>Per-customer, per-month movement amounts (consecutive entries of one customer, month and kind are merged).</summary>
internal sealed class MovementLog
{
    public int Count;
    public int[] Customer = new int[1024];
    public int[] Month = new int[1024];
    public MovementKind[] Kind = new MovementKind[1024];
    public Int128[] Amount = new Int128[1024];
    public int[] Events = new int[1024];

    public void Add(int customer, int month, MovementKind kind, Int128 amount)
    {
        if (Count > 0)
        {
            int l = Count - 1;
            if (Customer[l] == customer && Month[l] == month && Kind[l] == kind) { Amount[l] += amount; Events[l]++; return; }
        }
        if (Count == Customer.Length)
        {
            int n = Count * 2;
            Array.Resize(ref Customer, n);
            Array.Resize(ref Month, n);
            Array.Resize(ref Kind, n);
            Array.Resize(ref Amount, n);
            Array.Resize(ref Events, n);
        }
        Customer[Count] = customer;
        Month[Count] = month;
        Kind[Count] = kind;
        Amount[Count] = amount;
        Events[Count] = 1;
        Count++;
    }
}
