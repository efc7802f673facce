namespace RevLoop.Metrics;

/// <summary>
/// What is known about a deal at one moment (issue 5): its open stage, age and time in that stage (days), amount (minor
/// units), segment, source, activities logged so far and close-date pushes so far.
/// </summary>
public sealed record DealSnapshot(string Stage, double AgeDays, double DaysInStage, long Amount, string? Segment, string? Source, int Activities, int ClosePushes);

/// <summary>L2 weight (intercept not penalised) and the share of the rows, taken from the end, that calibrates.</summary>
public sealed record WinModelOptions(double Lambda = 1.0, double CalibrationFraction = 0.2);

/// <summary>
/// L2-regularised logistic regression by Newton's method (IRLS): minimises
/// -sum[y log p + (1 - y) log(1 - p)] + lambda/2 |beta|^2 over the coefficients other than the intercept. Each step solves
/// (X'WX + lambda I') d = X'(y - p) - lambda I' beta by Cholesky; stops when no coefficient moves by more than 1e-10
/// (at most 100 steps). Deterministic: no random start, no sampling. Targets may be fractions (Platt's smoothed labels).
/// </summary>
public static class LogisticRegression
{
    /// <summary>Coefficients [intercept, x1..xp] for rows <paramref name="x"/> (each of length p) and targets in [0, 1].</summary>
    public static double[] Fit(IReadOnlyList<double[]> x, IReadOnlyList<double> y, double lambda)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException("one target per row");
        if (lambda < 0) throw new MetricsInputException("lambda: must not be negative");
        int n = x.Count, p = n == 0 ? 0 : x[0].Length, q = p + 1;
        var beta = new double[q];
        var h = new double[q * q];
        var g = new double[q];
        var row = new double[q];
        for (int iter = 0; iter < 100; iter++)
        {
            Array.Clear(h);
            Array.Clear(g);
            for (int i = 0; i < n; i++)
            {
                row[0] = 1;
                x[i].CopyTo(row, 1);
                double eta = 0;
                for (int j = 0; j < q; j++) eta += row[j] * beta[j];
                double mu = Sigmoid(eta), w = Math.Max(mu * (1 - mu), 1e-12), r = y[i] - mu;
                for (int j = 0; j < q; j++)
                {
                    g[j] += row[j] * r;
                    double wj = w * row[j];
                    for (int k = 0; k <= j; k++) h[j * q + k] += wj * row[k];
                }
            }
            for (int j = 1; j < q; j++) { h[j * q + j] += lambda; g[j] -= lambda * beta[j]; }
            var step = SolveCholesky(h, g, q);
            double moved = 0;
            for (int j = 0; j < q; j++) { beta[j] += step[j]; moved = Math.Max(moved, Math.Abs(step[j])); }
            if (moved < 1e-10) break;
        }
        return beta;
    }

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    public static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-12, 1 - 1e-12);
        return Math.Log(p / (1 - p));
    }

    /// <summary>Solves A d = b for the symmetric positive definite A given by its lower triangle (row-major q x q).</summary>
    private static double[] SolveCholesky(double[] a, double[] b, int q)
    {
        var l = new double[q * q];
        for (int i = 0; i < q; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * q + j];
                for (int k = 0; k < j; k++) s -= l[i * q + k] * l[j * q + k];
                if (i == j) l[i * q + i] = Math.Sqrt(Math.Max(s, 1e-12)); // a column without data (lambda 0): no move
                else l[i * q + j] = s / l[j * q + j];
            }
        }
        var z = new double[q];
        for (int i = 0; i < q; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * q + k] * z[k];
            z[i] = s / l[i * q + i];
        }
        var d = new double[q];
        for (int i = q - 1; i >= 0; i--)
        {
            double s = z[i];
            for (int k = i + 1; k < q; k++) s -= l[k * q + i] * d[k];
            d[i] = s / l[i * q + i];
        }
        return d;
    }
}

/// <summary>
/// Win probability of an open deal (issue 5), trained on the company's own closed deals. Features: one indicator per
/// stage, segment and source value seen in training (others: none set), and log(1 + x) of age, days in stage, amount in
/// major units (minor / 100) and activities, plus close-date pushes; the numeric ones standardised with the training mean and
/// standard deviation (at least 0.01) and clamped to +-10 deviations. Fitted by <see cref="LogisticRegression"/> on the first rows, then Platt-calibrated on the last
/// <see cref="WinModelOptions.CalibrationFraction"/> of them (the caller passes rows oldest first, so calibration is on
/// the most recent deals): p = sigmoid(A x logit(raw) + B), fitted on Platt's smoothed targets (N+ + 1)/(N+ + 2) and
/// 1/(N- + 2). With fewer than 10 calibration rows, only one class among them or one raw score for all, A = 1 and B = 0.
/// </summary>
public sealed class WinModel
{
    /// <summary>Floor of a numeric feature's standard deviation (the features are logs: 0.01 is a 1% difference).</summary>
    private const double MinSd = 0.01;
    /// <summary>Standardised features are clamped to this many deviations, so one extreme deal cannot saturate the model.</summary>
    private const double MaxZ = 10;
    private static readonly string[] NumericNames = ["log_age_days", "log_days_in_stage", "log_amount", "log_activities", "close_pushes"];
    private readonly string[] _stages, _segments, _sources;
    private readonly double[] _mean, _sd, _beta;

    private WinModel(string[] stages, string[] segments, string[] sources, double[] mean, double[] sd, double[] beta, double plattA, double plattB,
        int trainingRows, int calibrationRows)
    {
        _stages = stages; _segments = segments; _sources = sources; _mean = mean; _sd = sd; _beta = beta;
        PlattA = plattA; PlattB = plattB; TrainingRows = trainingRows; CalibrationRows = calibrationRows;
    }

    public double PlattA { get; }
    public double PlattB { get; }
    public int TrainingRows { get; }
    public int CalibrationRows { get; }

    /// <summary>Intercept first, then each feature by name (stage=..., segment=..., source=..., then the numeric ones).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Coefficients =>
        new[] { "intercept" }.Concat(_stages.Select(s => "stage=" + s)).Concat(_segments.Select(s => "segment=" + s))
            .Concat(_sources.Select(s => "source=" + s)).Concat(NumericNames).Zip(_beta, (n, b) => new KeyValuePair<string, double>(n, b)).ToList();

    public static WinModel Train(IReadOnlyList<DealSnapshot> rows, IReadOnlyList<bool> won, WinModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(won);
        if (rows.Count != won.Count) throw new ArgumentException("one outcome per row");
        options ??= new WinModelOptions();
        if (options.CalibrationFraction is < 0 or >= 1) throw new MetricsInputException("calibration fraction: must be in [0, 1)");
        int calibration = (int)Math.Floor(rows.Count * options.CalibrationFraction), training = rows.Count - calibration;
        if (training < 2 || !Enumerable.Range(0, training).Any(i => won[i]) || Enumerable.Range(0, training).All(i => won[i]))
            throw new MetricsInputException($"training needs won and lost deals; the {training} training rows have {Enumerable.Range(0, training).Count(i => won[i])} won");
        static string[] Values(IEnumerable<string?> v) => v.Select(s => s ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var trainRows = rows.Take(training).ToList();
        var stages = Values(trainRows.Select(r => r.Stage));
        var segments = Values(trainRows.Select(r => r.Segment));
        var sources = Values(trainRows.Select(r => r.Source));
        var raw = trainRows.Select(Numeric).ToList();
        int m = NumericNames.Length;
        var mean = new double[m];
        var sd = new double[m];
        for (int j = 0; j < m; j++)
        {
            mean[j] = raw.Average(r => r[j]);
            double v = raw.Sum(r => (r[j] - mean[j]) * (r[j] - mean[j])) / raw.Count;
            // A feature that barely varies in training (ages all but equal) must not blow up on a new deal.
            sd[j] = Math.Max(Math.Sqrt(v), MinSd);
        }
        var model = new WinModel(stages, segments, sources, mean, sd, [], 1, 0, training, calibration);
        var x = trainRows.Select(model.Features).ToList();
        var beta = LogisticRegression.Fit(x, won.Take(training).Select(w => w ? 1.0 : 0.0).ToList(), options.Lambda);
        model = new WinModel(stages, segments, sources, mean, sd, beta, 1, 0, training, calibration);
        double a = 1, b = 0;
        int positives = Enumerable.Range(training, calibration).Count(i => won[i]);
        var s = Enumerable.Range(training, calibration).Select(i => new[] { LogisticRegression.Logit(model.PredictRaw(rows[i])) }).ToList();
        // One raw score for every calibration deal leaves the slope undefined: no calibration then either.
        bool spread = s.Count > 0 && s.Max(x => x[0]) - s.Min(x => x[0]) > 1e-9;
        if (calibration >= 10 && positives > 0 && positives < calibration && spread)
        {
            double hi = (positives + 1.0) / (positives + 2.0), lo = 1.0 / (calibration - positives + 2.0);
            var platt = LogisticRegression.Fit(s, Enumerable.Range(training, calibration).Select(i => won[i] ? hi : lo).ToList(), 0);
            (b, a) = (platt[0], platt[1]);
        }
        return new WinModel(stages, segments, sources, mean, sd, beta, a, b, training, calibration);
    }

    /// <summary>Calibrated win probability in [0, 1].</summary>
    public double Predict(DealSnapshot deal) => LogisticRegression.Sigmoid(PlattA * LogisticRegression.Logit(PredictRaw(deal)) + PlattB);

    /// <summary>The regression's probability before calibration.</summary>
    public double PredictRaw(DealSnapshot deal)
    {
        var f = Features(deal);
        double eta = _beta[0];
        for (int j = 0; j < f.Length; j++) eta += _beta[j + 1] * f[j];
        return LogisticRegression.Sigmoid(eta);
    }

    private static double[] Numeric(DealSnapshot d) =>
    [
        Math.Log(1 + Math.Max(0, d.AgeDays)), Math.Log(1 + Math.Max(0, d.DaysInStage)), Math.Log(1 + Math.Max(0, d.Amount) / 100.0),
        Math.Log(1 + Math.Max(0, d.Activities)), Math.Max(0, d.ClosePushes),
    ];

    private double[] Features(DealSnapshot d)
    {
        var f = new double[_stages.Length + _segments.Length + _sources.Length + NumericNames.Length];
        int at = 0;
        void OneHot(string[] values, string? v)
        {
            int i = Array.BinarySearch(values, v ?? "", StringComparer.Ordinal);
            if (i >= 0) f[at + i] = 1;
            at += values.Length;
        }
        OneHot(_stages, d.Stage);
        OneHot(_segments, d.Segment);
        OneHot(_sources, d.Source);
        var n = Numeric(d);
        for (int j = 0; j < n.Length; j++) f[at + j] = Math.Clamp((n[j] - _mean[j]) / _sd[j], -MaxZ, MaxZ);
        return f;
    }
}

/// <summary>One row of a calibration table: predictions in [From, To) (the last bin includes 1).</summary>
public sealed record CalibrationBin(double From, double To, int Deals, double? MeanPredicted, double? WonRate);

/// <summary>How good probabilities are: AUC, Brier score and the calibration table.</summary>
public static class Classification
{
    /// <summary>
    /// Area under the ROC curve = the chance that a random won deal scores above a random lost one, ties counting half
    /// (Mann-Whitney with mid-ranks); null without both outcomes.
    /// </summary>
    public static double? Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> won)
    {
        int n = scores.Count, pos = won.Count(w => w), neg = n - pos;
        if (pos == 0 || neg == 0) return null;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
            double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) if (won[order[k]]) rankSum += midRank;
            i = j + 1;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }

    /// <summary>Mean of (p - outcome)^2; null for no deals.</summary>
    public static double? Brier(IReadOnlyList<double> p, IReadOnlyList<bool> won) =>
        p.Count == 0 ? null : p.Select((x, i) => (x - (won[i] ? 1 : 0)) * (x - (won[i] ? 1 : 0))).Average();

    /// <summary>Ten bins of width 0.1 of the predicted probability: deals, mean prediction and won rate in each.</summary>
    public static IReadOnlyList<CalibrationBin> Calibration(IReadOnlyList<double> p, IReadOnlyList<bool> won)
    {
        var deals = new int[10];
        var sum = new double[10];
        var wins = new int[10];
        for (int i = 0; i < p.Count; i++)
        {
            int b = Math.Clamp((int)Math.Floor(p[i] * 10), 0, 9);
            deals[b]++; sum[b] += p[i]; if (won[i]) wins[b]++;
        }
        return Enumerable.Range(0, 10).Select(b => new CalibrationBin(b / 10.0, (b + 1) / 10.0, deals[b],
            deals[b] > 0 ? sum[b] / deals[b] : null, deals[b] > 0 ? (double)wins[b] / deals[b] : null)).ToList();
    }
}
