namespace MlopsAspire.Monitoring.Windows;

/// <summary>
/// Ground-truth outcomes of scored rows, mergeable: accuracy at a 0.5 threshold, log-loss, and AUC from score
/// histograms per class (<see cref="ScoreBins"/> equal bins on [0, 1]; ties within a bin count half, the usual
/// Mann-Whitney convention, so AUC is exact up to the bin width).
/// </summary>
public sealed class OutcomeStatistics
{
    public const int ScoreBins = 100;

    public long Count { get; set; }

    public long Correct { get; set; }

    public double LogLossSum { get; set; }

    public long[] PositiveScores { get; private set; } = new long[ScoreBins];

    public long[] NegativeScores { get; private set; } = new long[ScoreBins];

    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;

    public double LogLoss => Count == 0 ? double.NaN : LogLossSum / Count;

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

    /// <summary>Records one row: its predicted probability of the positive class and its true label (0 or 1).</summary>
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
    }

    public OutcomeStatistics Clone() => FromCounts(Count, Correct, LogLossSum, PositiveScores, NegativeScores);
}
