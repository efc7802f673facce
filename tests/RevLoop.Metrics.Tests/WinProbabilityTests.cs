namespace RevLoop.Metrics.Tests;

public class WinProbabilityTests
{
    // One binary feature: x = 0 wins 1 of 4, x = 1 wins 3 of 4.
    private static readonly double[][] X = [[0], [0], [0], [0], [1], [1], [1], [1]];
    private static readonly double[] Y = [1, 0, 0, 0, 1, 1, 1, 0];

    [Fact]
    public void Unregularised_fit_is_the_two_group_maximum_likelihood()
    {
        // The MLE fits each group's rate: intercept = logit(1/4) = -ln 3, slope = logit(3/4) - logit(1/4) = 2 ln 3.
        var beta = LogisticRegression.Fit(X, Y, 0);
        Assert.Equal(-Math.Log(3), beta[0], 1e-9);
        Assert.Equal(2 * Math.Log(3), beta[1], 1e-9);
    }

    [Fact]
    public void L2_fit_solves_the_penalised_score_equations()
    {
        // Gradient zero: (1 - 4 s(b0)) + (3 - 4 s(b0 + b1)) = 0 and (3 - 4 s(b0 + b1)) - lambda b1 = 0. The first holds
        // when b0 = -b1 / 2 (s(-z) = 1 - s(z)), so with lambda = 1: b1 = 3 - 4 s(b1 / 2), about 0.669.
        var beta = LogisticRegression.Fit(X, Y, 1);
        Assert.Equal(-beta[1] / 2, beta[0], 1e-9);
        Assert.Equal(3 - 4 * LogisticRegression.Sigmoid(beta[1] / 2), beta[1], 1e-9);
        Assert.InRange(beta[1], 0.66, 0.68);
    }

    [Fact]
    public void Auc_by_hand_with_ties_counting_half()
    {
        // Won 0.35 and 0.8 against lost 0.1 and 0.4: 0.35 > 0.1, 0.35 < 0.4, 0.8 > both: 3 of 4 pairs.
        Assert.Equal(0.75, Classification.Auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]));
        // Won 0.5 and 0.9 against lost 0.5 and 0.2: the tie counts half: (0.5 + 1 + 1 + 1) / 4.
        Assert.Equal(0.875, Classification.Auc([0.5, 0.9, 0.5, 0.2], [true, true, false, false]));
        Assert.Null(Classification.Auc([0.5], [true]));
    }

    [Fact]
    public void Brier_and_calibration_table()
    {
        // (0.75 - 1)^2 = 0.0625, (0.3125 - 0)^2 = 0.09765625, (0.375 - 1)^2 = 0.390625: sum 0.55078125 (binary fractions: exact).
        double[] p = [0.75, 0.3125, 0.375];
        bool[] won = [true, false, true];
        Assert.Equal(0.55078125 / 3, Classification.Brier(p, won));
        var bins = Classification.Calibration(p, won);
        Assert.Equal(10, bins.Count);
        Assert.Equal(new CalibrationBin(0.3, 0.4, 2, 0.34375, 0.5), bins[3]);
        Assert.Equal(new CalibrationBin(0.7, 0.8, 1, 0.75, 1), bins[7]);
        Assert.Equal(new CalibrationBin(0, 0.1, 0, null, null), bins[0]);
    }

    private static DealSnapshot Deal(string stage, string segment = "smb", int activities = 3) =>
        new(stage, 30, 10, 1_000_000, segment, "inbound", activities, 0);

    [Fact]
    public void Model_fits_each_stage_rate_without_calibration()
    {
        // Only the stage varies (every numeric feature has sd 0 and standardises to 0): with a vanishing lambda the
        // fitted probabilities are the stages' won rates, 1/4 and 3/4, and an unseen stage gets the intercept alone.
        var rows = new[] { "early", "early", "early", "early", "late", "late", "late", "late" }.Select(s => Deal(s)).ToList();
        bool[] won = [true, false, false, false, true, true, true, false];
        var model = WinModel.Train(rows, won, new WinModelOptions(Lambda: 1e-9, CalibrationFraction: 0));
        Assert.Equal(0.25, model.Predict(Deal("early")), 1e-6);
        Assert.Equal(0.75, model.Predict(Deal("late")), 1e-6);
        Assert.Equal((1.0, 0.0, 8, 0), (model.PlattA, model.PlattB, model.TrainingRows, model.CalibrationRows));
        Assert.Equal(["intercept", "stage=early", "stage=late", "segment=smb", "source=inbound", "log_age_days", "log_days_in_stage",
            "log_amount", "log_activities", "close_pushes"], model.Coefficients.Select(c => c.Key));
    }

    [Fact]
    public void Platt_calibration_maps_raw_scores_onto_the_recent_rates()
    {
        // Training: early wins 1 of 4, late 3 of 4. Calibration slice (last 20 rows): early wins 1 of 10, late 9 of 10,
        // so the calibrated probabilities spread further than the raw ones. Platt's targets with 10 won and 10 lost are
        // 11/12 for a win and 1/12 for a loss; two raw scores fit their groups' mean targets exactly:
        // p(late) = (9 x 11/12 + 1/12) / 10 = 5/6 and p(early) = (11/12 + 9 x 1/12) / 10 = 1/6.
        var stages = new List<string> { "early", "early", "early", "early", "late", "late", "late", "late" };
        var won = new List<bool> { true, false, false, false, true, true, true, false };
        for (int i = 0; i < 10; i++) { stages.Add("early"); won.Add(i == 0); }
        for (int i = 0; i < 10; i++) { stages.Add("late"); won.Add(i != 0); }
        var model = WinModel.Train(stages.Select(s => Deal(s)).ToList(), won, new WinModelOptions(Lambda: 1e-9, CalibrationFraction: 20.0 / 28));
        Assert.Equal((8, 20), (model.TrainingRows, model.CalibrationRows));
        Assert.Equal(5.0 / 6, model.Predict(Deal("late")), 1e-6);
        Assert.Equal(1.0 / 6, model.Predict(Deal("early")), 1e-6);
    }

    [Fact]
    public void Calibration_deals_with_one_raw_score_leave_the_model_uncalibrated()
    {
        // The 10 calibration deals are all in Early (one raw score): Platt's slope is undefined, so a = 1, b = 0 and the
        // early rate stays the training one, 1/4.
        var stages = new List<string> { "early", "early", "early", "early", "late", "late", "late", "late" };
        var won = new List<bool> { true, false, false, false, true, true, true, false };
        for (int i = 0; i < 10; i++) { stages.Add("early"); won.Add(i < 5); }
        var model = WinModel.Train(stages.Select(s => Deal(s)).ToList(), won, new WinModelOptions(Lambda: 1e-9, CalibrationFraction: 10.0 / 18));
        Assert.Equal((8, 10, 1.0, 0.0), (model.TrainingRows, model.CalibrationRows, model.PlattA, model.PlattB));
        Assert.Equal(0.25, model.Predict(Deal("early")), 1e-6);
    }

    [Fact]
    public void Training_without_both_outcomes_is_refused()
    {
        var e = Assert.Throws<MetricsInputException>(() => WinModel.Train([Deal("a"), Deal("b")], [true, true], new WinModelOptions(CalibrationFraction: 0)));
        Assert.Equal("training needs won and lost deals; the 2 training rows have 2 won", e.Message);
    }
}
