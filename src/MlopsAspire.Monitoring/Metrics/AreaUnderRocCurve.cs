namespace MlopsAspire.Monitoring.Metrics;

/// <summary>
/// Area under the ROC curve from ranks (the Mann-Whitney statistic): the chance that a random positive row scores
/// above a random negative one, a tie counting half. Unlike accuracy it moves when a rare class is mis-ranked.
/// </summary>
public static class AreaUnderRocCurve
{
    /// <summary>The AUC of <paramref name="scores"/> against <paramref name="labels"/>; NaN without both classes.</summary>
    public static double Compute(IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"Got {scores.Count} scores but {labels.Count} labels; they pair up row by row.", nameof(labels));
        }

        var order = new int[scores.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => scores[a].CompareTo(scores[b]));
        long positives = 0;
        double positiveRankSum = 0;
        for (var start = 0; start < order.Length;)
        {
            // Rows with equal scores share the mean of their ranks, which is what counts a tie as half.
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]].CompareTo(scores[order[start]]) == 0)
            {
                end++;
            }

            var sharedRank = (start + end + 2) / 2.0;
            for (var i = start; i <= end; i++)
            {
                if (labels[order[i]])
                {
                    positives++;
                    positiveRankSum += sharedRank;
                }
            }

            start = end + 1;
        }

        var negatives = order.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }
}
