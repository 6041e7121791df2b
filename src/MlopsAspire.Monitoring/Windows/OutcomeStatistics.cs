namespace MlopsAspire.Monitoring.Windows;

/// <summary>
/// Ground-truth outcomes of a version's predictions, mergeable, by task:
/// <list type="bullet">
/// <item>binary classification: accuracy at a 0.5 threshold, log-loss, and AUC from score histograms per class
/// (<see cref="ScoreBins"/> equal bins on [0, 1]; ties within a bin count half, the usual Mann-Whitney convention, so
/// AUC is exact up to the bin width);</item>
/// <item>multiclass classification: a confusion matrix, giving accuracy and macro-averaged F1;</item>
/// <item>regression: sums of absolute and squared errors, giving MAE and RMSE.</item>
/// </list>
/// A version has one task, so one family is filled; every metric of another family is NaN.
/// </summary>
public sealed class OutcomeStatistics
{
    public const int ScoreBins = 100;

    /// <summary>Most classes a confusion matrix grows to; labels beyond are not counted.</summary>
    public const int MaxClasses = 1000;

    /// <summary>Labelled rows of every task.</summary>
    public long Count { get; set; }

    /// <summary>Classified rows whose prediction was right (binary and multiclass).</summary>
    public long Correct { get; set; }

    public double LogLossSum { get; set; }

    public long[] PositiveScores { get; private set; } = new long[ScoreBins];

    public long[] NegativeScores { get; private set; } = new long[ScoreBins];

    /// <summary>Side of the confusion matrix (classes seen so far); 0 before any multiclass outcome.</summary>
    public int Classes { get; private set; }

    /// <summary>Row-major [actual, predicted] counts, <see cref="Classes"/> × <see cref="Classes"/>.</summary>
    public long[] Confusion { get; private set; } = [];

    /// <summary>Regression rows.</summary>
    public long RegressionCount { get; set; }

    public double SumAbsoluteError { get; set; }

    public double SumSquaredError { get; set; }

    private long ClassifiedCount => Count - RegressionCount;

    private long BinaryCount => PositiveScores.Sum() + NegativeScores.Sum();

    public double Accuracy => ClassifiedCount == 0 ? double.NaN : (double)Correct / ClassifiedCount;

    public double LogLoss => BinaryCount == 0 ? double.NaN : LogLossSum / BinaryCount;

    /// <summary>Area under the ROC curve; NaN until both classes were seen.</summary>
    public double Auc
    {
        get
        {
            double positives = PositiveScores.Sum(), negatives = NegativeScores.Sum();
            if (positives == 0 || negatives == 0)
            {
                return double.NaN;
            }

            // Pairs where the positive scored higher, plus half the ties (same bin).
            double wins = 0, negativesBelow = 0;
            for (var bin = 0; bin < ScoreBins; bin++)
            {
                wins += PositiveScores[bin] * (negativesBelow + NegativeScores[bin] / 2.0);
                negativesBelow += NegativeScores[bin];
            }

            return wins / (positives * negatives);
        }
    }

    /// <summary>F1 averaged over the classes that occur as a label or a prediction; NaN before any multiclass outcome.</summary>
    public double MacroF1
    {
        get
        {
            double sum = 0;
            var classes = 0;
            for (var k = 0; k < Classes; k++)
            {
                long truePositives = Confusion[(k * Classes) + k], actual = 0, predicted = 0;
                for (var j = 0; j < Classes; j++)
                {
                    actual += Confusion[(k * Classes) + j];
                    predicted += Confusion[(j * Classes) + k];
                }

                if (actual + predicted == 0)
                {
                    continue;
                }

                sum += 2.0 * truePositives / (actual + predicted);
                classes++;
            }

            return classes == 0 ? double.NaN : sum / classes;
        }
    }

    public double MeanAbsoluteError => RegressionCount == 0 ? double.NaN : SumAbsoluteError / RegressionCount;

    public double RootMeanSquaredError => RegressionCount == 0 ? double.NaN : Math.Sqrt(SumSquaredError / RegressionCount);

    public static OutcomeStatistics FromCounts(long count, long correct, double logLossSum, long[] positiveScores, long[] negativeScores)
    {
        if (positiveScores.Length != ScoreBins || negativeScores.Length != ScoreBins)
        {
            throw new ArgumentException($"outcome score histograms have {ScoreBins} bins");
        }

        return new OutcomeStatistics
        {
            Count = count,
            Correct = correct,
            LogLossSum = logLossSum,
            PositiveScores = (long[])positiveScores.Clone(),
            NegativeScores = (long[])negativeScores.Clone(),
        };
    }

    /// <summary>Adds multiclass and regression counts kept alongside <see cref="FromCounts"/>'s binary ones.</summary>
    public OutcomeStatistics WithOtherTasks(int classes, long[]? confusion, long regressionCount, double sumAbsoluteError, double sumSquaredError)
    {
        if (classes < 0 || classes > MaxClasses || (confusion?.Length ?? 0) != classes * classes)
        {
            throw new ArgumentException($"a confusion matrix of {classes} classes has {classes * classes} cells; got {confusion?.Length ?? 0}");
        }

        Classes = classes;
        Confusion = confusion is null ? [] : (long[])confusion.Clone();
        RegressionCount = regressionCount;
        SumAbsoluteError = sumAbsoluteError;
        SumSquaredError = sumSquaredError;
        return this;
    }

    /// <summary>Records one binary row: its predicted probability of the positive class and its true label.</summary>
    public void Record(double score, bool positive)
    {
        if (!double.IsFinite(score))
        {
            return;
        }

        var p = Math.Clamp(score, 1e-7, 1 - 1e-7);
        Count++;
        if ((score >= 0.5) == positive)
        {
            Correct++;
        }

        LogLossSum -= positive ? Math.Log(p) : Math.Log(1 - p);
        var bin = Math.Min(ScoreBins - 1, (int)(Math.Clamp(score, 0, 1) * ScoreBins));
        (positive ? PositiveScores : NegativeScores)[bin]++;
    }

    /// <summary>Records one multiclass row: the predicted and the true class index.</summary>
    public void RecordClass(int predicted, int actual)
    {
        if (predicted < 0 || actual < 0 || predicted >= MaxClasses || actual >= MaxClasses)
        {
            return;
        }

        Grow(Math.Max(predicted, actual) + 1);
        Count++;
        Correct += predicted == actual ? 1 : 0;
        Confusion[(actual * Classes) + predicted]++;
    }

    /// <summary>Records one regression row: the predicted and the true value.</summary>
    public void RecordValue(double predicted, double actual)
    {
        if (!double.IsFinite(predicted) || !double.IsFinite(actual))
        {
            return;
        }

        var error = predicted - actual;
        Count++;
        RegressionCount++;
        SumAbsoluteError += Math.Abs(error);
        SumSquaredError += error * error;
    }

    public void Merge(OutcomeStatistics other)
    {
        Count += other.Count;
        Correct += other.Correct;
        LogLossSum += other.LogLossSum;
        for (var i = 0; i < ScoreBins; i++)
        {
            PositiveScores[i] += other.PositiveScores[i];
            NegativeScores[i] += other.NegativeScores[i];
        }

        Grow(other.Classes);
        for (var actual = 0; actual < other.Classes; actual++)
        {
            for (var predicted = 0; predicted < other.Classes; predicted++)
            {
                Confusion[(actual * Classes) + predicted] += other.Confusion[(actual * other.Classes) + predicted];
            }
        }

        RegressionCount += other.RegressionCount;
        SumAbsoluteError += other.SumAbsoluteError;
        SumSquaredError += other.SumSquaredError;
    }

    public OutcomeStatistics Clone() =>
        FromCounts(Count, Correct, LogLossSum, PositiveScores, NegativeScores)
            .WithOtherTasks(Classes, Confusion, RegressionCount, SumAbsoluteError, SumSquaredError);

    /// <summary>Widens the confusion matrix to <paramref name="classes"/>, keeping its counts in place.</summary>
    private void Grow(int classes)
    {
        if (classes <= Classes)
        {
            return;
        }

        var grown = new long[classes * classes];
        for (var actual = 0; actual < Classes; actual++)
        {
            Array.Copy(Confusion, actual * Classes, grown, actual * classes, Classes);
        }

        Confusion = grown;
        Classes = classes;
    }
}
