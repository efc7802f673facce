using System.Numerics;

namespace RevLoop.Metrics;

/// <summary>The attribution models of `metrics attribution --model` (issue 6).</summary>
public enum AttributionModel : byte { First, Last, Linear, UShaped, Markov }

/// <summary>
/// A channel's share of the conversions and of the conversion value, with <see cref="AttributionEngine.Decimals"/>
/// decimals; the credits of all channels add up exactly to the totals. <see cref="RemovalEffect"/> only for markov.
/// </summary>
public sealed record ChannelCredit(string Channel, decimal Conversions, decimal Value, double? RemovalEffect);

/// <summary>
/// Result of one model: every channel of the input sorted ordinally by name. <see cref="TotalValue"/> is the exact
/// input total; the channels' values add up to it rounded half-up to 4 decimals.
/// </summary>
public sealed record AttributionResult(AttributionModel Model, long TotalConversions, decimal TotalValue, IReadOnlyList<ChannelCredit> Channels);

/// <summary>
/// Multi-touch attribution over conversion paths (issue 6), each model defined once here.
/// <list type="bullet">
/// <item>Position models count a repeated channel as separate touches: first / last give the whole path to its first /
/// last touch; linear gives each of n touches 1/n; u_shaped gives a single touch 100%, two touches 50/50, else 40% to
/// the first, 40% to the last and 20% spread evenly over the middle ones. A path's conversions and its value are split
/// with the same weights. The credits are exact rationals (integer sums per weight denominator, combined once).</item>
/// <item>markov: the first-order chain start -&gt; channels -&gt; conversion | null built from every transition of every
/// path, repeats (a -&gt; a) included; each transition of a path is weighted by its conversions plus nulls, the exit to
/// conversion by its conversions and the exit to null by its nulls. The removal effect of channel c is
/// 1 - P(conversion with c removed) / P(conversion), where removing c sends every transition into c to null; conversions
/// and value are shared in proportion to the removal effects (a repeat a -&gt; a is counted as the contract says, though a
/// self-loop never changes where the chain ends, so it cannot change an effect). P(conversion without c) is P - h(c) x B(c), with h(c) the
/// probability of ever reaching c from start (= N[start,c] / N[c,c] of the fundamental matrix N = (I - Q)^-1) and B(c)
/// the probability of converting from c, so one inversion serves every channel. The chain is solved in double
/// precision (Gauss-Jordan with partial pivoting); credits = total x effect / sum of effects, snapped to 10^-10 before
/// the split so that channels whose exact credits are equal tie exactly.</item>
/// </list>
/// Printing: every credit has 4 decimals and the channels add up exactly to the totals (conversions: the input total;
/// value: the input total rounded half-up to 4 decimals). Credits are split by the largest-remainder method: each
/// channel first gets its exact credit truncated to 4 decimals, then the units of 0.0001 still missing go one each to
/// the channels with the largest truncated remainders (ties: channel name, ordinal). When rounding every credit half-up
/// already adds up to the total this gives exactly those rounded values.
/// </summary>
public static class AttributionEngine
{
    public const int Decimals = 4;
    private const long DecimalUnit = 10_000;
    /// <summary>The chain is a dense (k+1) x (k+2) matrix and its inversion O(k^3): beyond this many channels markov is refused.</summary>
    public const int MaxMarkovChannels = 1000;
    /// <summary>Value units (10^-18) per printed unit (10^-4).</summary>
    private static readonly Int128 ValueToUnits = (Int128)Money.Pow10U128[PathTable.ValueScale - Decimals];

    public static readonly string[] ModelNames = ["first", "last", "linear", "u_shaped", "markov"];

    public static AttributionModel ParseModel(string? s)
    {
        int i = Array.FindIndex(ModelNames, v => string.Equals(v, s?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (i < 0) throw new MetricsInputException($"invalid model '{s}', expected one of: {string.Join(", ", ModelNames)}");
        return (AttributionModel)i;
    }

    public static string Name(AttributionModel model) => ModelNames[(int)model];

    public static AttributionResult Compute(PathTable paths, AttributionModel model)
    {
        ArgumentNullException.ThrowIfNull(paths);
        try
        {
            return ComputeChecked(paths, model);
        }
        catch (OverflowException)
        {
            throw new MetricsInputException("conversion counts or values too large to add up exactly");
        }
    }

    // Sums are checked: an overflow is refused above, never wrapped around.
    private static AttributionResult ComputeChecked(PathTable paths, AttributionModel model)
    {
        long totalConversions = 0;
        Int128 totalValue = 0;
        for (int p = 0; p < paths.Count; p++)
        {
            totalConversions = checked(totalConversions + paths.Conversions[p]);
            totalValue = checked(totalValue + paths.Value[p]);
        }
        int k = paths.Channels.Count;
        long convTarget = checked(totalConversions * DecimalUnit);
        var valueTarget = (long)((totalValue + ValueToUnits / 2) / ValueToUnits);
        var order = Enumerable.Range(0, k).OrderBy(c => paths.Channels[c], StringComparer.Ordinal).ToArray();
        long[] convUnits, valueUnits;
        double[]? removal = null;
        if (model == AttributionModel.Markov)
        {
            removal = RemovalEffects(paths);
            double sum = removal.Sum();
            double valueUnitsTotal = (double)totalValue / (double)ValueToUnits;
            convUnits = Split(removal.Select(r => sum > 0 ? convTarget * (r / sum) : 0).ToArray(), convTarget, order);
            valueUnits = Split(removal.Select(r => sum > 0 ? valueUnitsTotal * (r / sum) : 0).ToArray(), valueTarget, order);
        }
        else
        {
            var (conv, value, den) = PositionCredits(paths, model);
            for (int c = 0; c < k; c++) conv[c] *= DecimalUnit;
            convUnits = Split(conv, den, convTarget, order);
            valueUnits = Split(value, den * ValueToUnits, valueTarget, order);
        }
        var channels = order.Select(c => new ChannelCredit(paths.Channels[c], Units(convUnits[c]), Units(valueUnits[c]), removal?[c])).ToList();
        return new AttributionResult(model, totalConversions, Money.ToDecimal(totalValue, PathTable.ValueScale), channels);
    }

    /// <summary>Units of 10^-4 as a decimal that keeps its four decimals (12 -> 0.0012, 10000 -> 1.0000).</summary>
    private static decimal Units(long units) => new((int)(uint)units, (int)(uint)(units >> 32), 0, false, Decimals);

    /// <summary>
    /// Exact position-model credits: per weight denominator d (1, n, 2 or 5(n-2)) the integer sums of count x weight
    /// numerator per channel, combined once over the lcm of the denominators. Returns numerators over that lcm.
    /// </summary>
    private static (BigInteger[] Conv, BigInteger[] Value, BigInteger Den) PositionCredits(PathTable paths, AttributionModel model)
    {
        int k = paths.Channels.Count;
        var sums = new Dictionary<long, (Int128[] Conv, Int128[] Value)>();
        long lastDen = -1;
        Int128[] sc = [], sv = [];
        int[] touches = paths.Touches, start = paths.PathStart;
        for (int p = 0; p < paths.Count; p++)
        {
            long c = paths.Conversions[p];
            Int128 v = paths.Value[p];
            if (c == 0 && v == 0) continue;
            int a = start[p], n = start[p + 1] - a;
            long den = model switch
            {
                AttributionModel.Linear => n,
                AttributionModel.UShaped => n <= 2 ? n : 5L * (n - 2),
                _ => 1,
            };
            if (den != lastDen)
            {
                if (!sums.TryGetValue(den, out var arrays)) sums[den] = arrays = (new Int128[k], new Int128[k]);
                (sc, sv) = arrays;
                lastDen = den;
            }
            checked
            {
                switch (model)
                {
                    case AttributionModel.First:
                        sc[touches[a]] += c; sv[touches[a]] += v;
                        break;
                    case AttributionModel.Last:
                        sc[touches[a + n - 1]] += c; sv[touches[a + n - 1]] += v;
                        break;
                    case AttributionModel.UShaped when n >= 3:
                        Int128 end = 2L * (n - 2);
                        sc[touches[a]] += c * end; sv[touches[a]] += v * end;
                        sc[touches[a + n - 1]] += c * end; sv[touches[a + n - 1]] += v * end;
                        for (int i = a + 1; i < a + n - 1; i++) { sc[touches[i]] += c; sv[touches[i]] += v; }
                        break;
                    default: // linear, and u_shaped with one or two touches: every touch weight 1 over den = n
                        for (int i = a; i < a + n; i++) { sc[touches[i]] += c; sv[touches[i]] += v; }
                        break;
                }
            }
        }
        BigInteger lcm = BigInteger.One;
        foreach (long d in sums.Keys) lcm = lcm / BigInteger.GreatestCommonDivisor(lcm, d) * d;
        var conv = new BigInteger[k];
        var value = new BigInteger[k];
        foreach (var (d, (cs, vs)) in sums)
        {
            var f = lcm / d;
            for (int ch = 0; ch < k; ch++)
            {
                if (cs[ch] != 0) conv[ch] += (BigInteger)cs[ch] * f;
                if (vs[ch] != 0) value[ch] += (BigInteger)vs[ch] * f;
            }
        }
        return (conv, value, lcm);
    }

    /// <summary>
    /// Largest-remainder split: exact credits numerator[c] / den (in units of 10^-4) to integer units adding up to
    /// <paramref name="target"/>. <paramref name="order"/> is the channels' name order (tie-break).
    /// </summary>
    internal static long[] Split(BigInteger[] numerator, BigInteger den, long target, int[] order)
    {
        int k = numerator.Length;
        var units = new long[k];
        var rem = new BigInteger[k];
        for (int c = 0; c < k; c++) units[c] = (long)BigInteger.DivRem(numerator[c], den, out rem[c]);
        // Stable sort on remainders keeps the name order among equal remainders.
        return Distribute(units, target, order.OrderByDescending(c => rem[c]).ToArray());
    }

    /// <summary>
    /// The same split of markov credits computed in double precision (units of 10^-4). Credits are first snapped to
    /// 10^-6 of a unit, so that credits equal in exact arithmetic but a few ulps apart in floating point truncate and
    /// tie the same way (far below any printed digit: a credit of 10^9 carries about 10^-3 units of float noise anyway).
    /// </summary>
    internal static long[] Split(double[] credit, long target, int[] order)
    {
        int k = credit.Length;
        var units = new long[k];
        var rem = new double[k];
        for (int c = 0; c < k; c++)
        {
            double snapped = Math.Round(credit[c], 6);
            units[c] = (long)Math.Floor(snapped);
            rem[c] = Math.Round(snapped - units[c], 6);
        }
        return Distribute(units, target, order.OrderByDescending(c => rem[c]).ToArray());
    }

    /// <summary>Adds the units still missing to <paramref name="target"/> one each in <paramref name="byRemainder"/> order.</summary>
    private static long[] Distribute(long[] units, long target, int[] byRemainder)
    {
        int k = units.Length;
        long missing = target - units.Sum();
        if (missing == 0 || k == 0) return units;
        if (missing > 0)
        {
            for (long i = 0; i < missing; i++) units[byRemainder[i % k]]++;
        }
        else
        {
            // Only reachable through float noise in markov credits: take units back from the smallest remainders.
            for (long i = 0, j = k - 1; i < -missing; j = j == 0 ? k - 1 : j - 1)
            {
                int c = byRemainder[j];
                if (units[c] > 0) { units[c]--; i++; }
            }
        }
        return units;
    }

    /// <summary>Removal effect of every channel (0 when nothing converts).</summary>
    internal static double[] RemovalEffects(PathTable paths) =>
        RemovalEffects(paths.Channels.Count, paths.Touches, paths.PathStart.AsSpan(0, paths.Count), paths.PathStart.AsSpan(1, paths.Count),
            paths.Conversions, paths.Nulls);

    /// <summary>
    /// Removal effects of <paramref name="k"/> states over paths p = states[begin[p]..end[p]) with their conversions and
    /// nulls (shared by the path format and the touchpoint engine).
    /// </summary>
    internal static double[] RemovalEffects(int k, int[] states, ReadOnlySpan<int> begin, ReadOnlySpan<int> end, long[] conversions, long[] nulls)
    {
        if (k > MaxMarkovChannels)
            throw new MetricsInputException($"markov supports at most {MaxMarkovChannels} channels, the paths have {k}");
        int cols = k + 2, conv = k, nul = k + 1;
        // Row 0 = start, row c + 1 = channel c; columns: channels, conversion, null.
        var t = new long[(k + 1) * cols];
        int[] touches = states;
        for (int p = 0; p < begin.Length; p++)
        {
            long c = conversions[p], n = nulls[p], w = c + n;
            if (w == 0) continue;
            int row = 0;
            for (int i = begin[p]; i < end[p]; i++)
            {
                int ch = touches[i];
                t[row * cols + ch] += w;
                row = ch + 1;
            }
            t[row * cols + conv] += c;
            t[row * cols + nul] += n;
        }
        var effects = new double[k];
        if (k == 0) return effects;
        // A = I - Q over the channels, r = P(channel -> conversion), s = P(start -> channel).
        var a = new double[k * k];
        var r = new double[k];
        var s = new double[k];
        long startTotal = 0;
        for (int j = 0; j < cols; j++) startTotal += t[j];
        if (startTotal == 0) return effects;
        for (int ch = 0; ch < k; ch++) s[ch] = (double)t[ch] / startTotal;
        for (int i = 0; i < k; i++)
        {
            int row = (i + 1) * cols;
            long total = 0;
            for (int j = 0; j < cols; j++) total += t[row + j];
            a[i * k + i] = 1;
            if (total == 0) continue; // never left: as good as null
            for (int j = 0; j < k; j++) a[i * k + j] -= (double)t[row + j] / total;
            r[i] = (double)t[row + conv] / total;
        }
        var inv = Invert(a, k);
        var b = new double[k];      // P(conversion | at channel i)
        var visits = new double[k]; // expected visits to channel j from start = N[start, j]
        for (int i = 0; i < k; i++)
        {
            double sum = 0;
            for (int j = 0; j < k; j++) sum += inv[i * k + j] * r[j];
            b[i] = sum;
        }
        for (int i = 0; i < k; i++)
        {
            if (s[i] == 0) continue;
            for (int j = 0; j < k; j++) visits[j] += s[i] * inv[i * k + j];
        }
        double pConversion = 0;
        for (int i = 0; i < k; i++) pConversion += s[i] * b[i];
        if (pConversion <= 0) return effects;
        for (int c = 0; c < k; c++)
        {
            double reach = inv[c * k + c] > 0 ? visits[c] / inv[c * k + c] : 0;
            effects[c] = Math.Clamp(reach * b[c] / pConversion, 0, 1);
        }
        return effects;
    }

    /// <summary>Inverse of the k x k row-major matrix (Gauss-Jordan, partial pivoting). I - Q of an absorbing chain is never singular.</summary>
    private static double[] Invert(double[] m, int k)
    {
        var a = (double[])m.Clone();
        var inv = new double[k * k];
        for (int i = 0; i < k; i++) inv[i * k + i] = 1;
        for (int col = 0; col < k; col++)
        {
            int pivot = col;
            for (int i = col + 1; i < k; i++) if (Math.Abs(a[i * k + col]) > Math.Abs(a[pivot * k + col])) pivot = i;
            if (a[pivot * k + col] == 0) throw new InvalidOperationException("singular chain matrix");
            if (pivot != col)
            {
                for (int j = 0; j < k; j++)
                {
                    (a[col * k + j], a[pivot * k + j]) = (a[pivot * k + j], a[col * k + j]);
                    (inv[col * k + j], inv[pivot * k + j]) = (inv[pivot * k + j], inv[col * k + j]);
                }
            }
            double d = a[col * k + col];
            var rowA = a.AsSpan(col * k, k);
            var rowI = inv.AsSpan(col * k, k);
            for (int j = 0; j < k; j++) { rowA[j] /= d; rowI[j] /= d; }
            for (int i = 0; i < k; i++)
            {
                if (i == col) continue;
                double f = a[i * k + col];
                if (f == 0) continue;
                var ra = a.AsSpan(i * k, k);
                var ri = inv.AsSpan(i * k, k);
                for (int j = 0; j < k; j++) { ra[j] -= f * rowA[j]; ri[j] -= f * rowI[j]; }
            }
        }
        return inv;
    }
}
