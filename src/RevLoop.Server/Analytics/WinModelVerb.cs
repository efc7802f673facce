using System.CommandLine;
using System.Globalization;
using RevLoop.Metrics;
using RevLoop.Platform;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Analytics;

/// <summary>
/// `revloop metrics win-model [--holdout-from YYYY-MM-DD]`: trains the win model on the deals closed before the holdout
/// date and reports AUC, Brier score and the calibration table on the deals closed on or after it, beside the same
/// numbers for the stages' own probabilities (the baseline the model has to beat).
/// </summary>
public static class WinModelVerb
{
    public static Command Build()
    {
        var holdout = new Option<string?>("--holdout-from")
        {
            Description = "Train on deals closed before this day (UTC), evaluate on deals closed on or after it; default: the day that leaves the last 20% of closed deals for evaluation",
        };
        var cmd = new Command("win-model", "Train the win-probability model on the database's closed deals and report AUC, Brier score and calibration on a held-out period.") { holdout };
        cmd.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (sp, db) =>
        {
            var text = pr.GetValue(holdout);
            DateOnly? day = null;
            if (text is not null)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                    throw new InputException("--holdout-from", $"'{text}' is not a date YYYY-MM-DD");
                day = d;
            }
            var history = await DealHistory.LoadAsync(db, null, ct);
            var all = history.Closed(null, null);
            if (all.Rows.Count == 0) throw new InputException("--database", "no closed deals to train on");
            day ??= DateOnly.FromDateTime(all.Deals[(int)(all.Deals.Count * 0.8)].ClosedAt!.Value.UtcDateTime);
            var split = new DateTimeOffset(day.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var train = history.Closed(null, split);
            var test = history.Closed(split, null);
            WinModel model;
            try { model = WinModel.Train(train.Rows, train.Won); }
            catch (MetricsInputException e) { throw new InputException("--holdout-from", e.Message); }
            Report(Console.Out, history, model, day.Value, train, test);
            return 0;
        }, ct));
        return cmd;
    }

    private static void Report(TextWriter w, DealHistory history, WinModel model, DateOnly day,
        (List<DealSnapshot> Rows, List<bool> Won, List<Deal> Deals) train, (List<DealSnapshot> Rows, List<bool> Won, List<Deal> Deals) test)
    {
        var ci = CultureInfo.InvariantCulture;
        string F(double? v) => v is { } x ? x.ToString("0.0000", ci) : "";
        w.WriteLine($"training: {train.Rows.Count} deals closed before {day:yyyy-MM-dd} ({train.Won.Count(x => x)} won); " +
                    $"fitted on the first {model.TrainingRows}, Platt-calibrated on the last {model.CalibrationRows} (a={F(model.PlattA)}, b={F(model.PlattB)})");
        w.WriteLine($"holdout: {test.Rows.Count} deals closed on or after {day:yyyy-MM-dd} ({test.Won.Count(x => x)} won), each seen halfway between created and closed");
        var p = test.Rows.Select(model.Predict).ToList();
        var stage = test.Deals.Zip(test.Rows, (d, s) => StageProbability(history, d)).ToList();
        w.WriteLine($"auc: {F(Classification.Auc(p, test.Won))} (stage probability: {F(Classification.Auc(stage, test.Won))})");
        w.WriteLine($"brier: {F(Classification.Brier(p, test.Won))} (stage probability: {F(Classification.Brier(stage, test.Won))})");
        w.WriteLine("calibration (holdout):");
        w.WriteLine("bin,deals,mean_predicted,won_rate");
        foreach (var b in Classification.Calibration(p, test.Won))
            w.WriteLine($"{b.From.ToString("0.0", ci)}-{b.To.ToString("0.0", ci)},{b.Deals},{F(b.MeanPredicted)},{F(b.WonRate)}");
        w.WriteLine("coefficients (standardised numeric features):");
        foreach (var (name, value) in model.Coefficients) w.WriteLine($"{name},{F(value)}");
    }

    /// <summary>The stage's own probability at the deal's training moment (the baseline).</summary>
    private static double StageProbability(DealHistory history, Deal d)
    {
        var at = DealHistory.TrainingMoment(d);
        var stage = d.Stages.Count == 0 ? d.StageId : d.Stages.FindLastIndex(s => s.At <= at) is var i and >= 0 ? d.Stages[i].Stage : d.Stages[0].Before ?? d.Stages[0].Stage;
        return (history.Stages.GetValueOrDefault(stage)?.Probability ?? 0) / 100.0;
    }
}
