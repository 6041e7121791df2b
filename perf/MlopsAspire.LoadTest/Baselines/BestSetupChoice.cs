namespace MlopsAspire.LoadTest.Baselines;

/// <summary>
/// <c>baselines --best</c>: each contender's setup is tuned on its own, then the best of each are compared. The
/// candidates split the given cores every whole way into sessions × intra-op threads, each also with twice the
/// sessions (a server can overlap one request's transport with another's compute, a raw loop cannot gain from it but
/// is given the same chance), and for our replica each of those with the batcher on and off.
/// </summary>
public static class BestSetupChoice
{
    /// <summary>Throughputs this close to the highest are a tie that noise decided; the lower p99 wins it.</summary>
    public const double Tie = 0.02;

    public static IReadOnlyList<ContenderSetup> Candidates(int cores, bool withBatching)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, 1);
        var shares = new List<CoreShare>();
        for (var intraOp = 1; intraOp <= cores; intraOp++)
        {
            if (cores % intraOp == 0)
            {
                var share = CoreShare.Of(cores, intraOp);
                shares.Add(share);
                shares.Add(share with { Lanes = share.Lanes * 2 });
            }
        }

        return withBatching
            ? [.. shares.SelectMany(share => new[] { new ContenderSetup(share, Batching: true), new ContenderSetup(share, Batching: false) })]
            : [.. shares.Select(share => new ContenderSetup(share))];
    }

    /// <summary>
    /// The highest throughput among the runs that failed nothing (a setup that drops requests is not a best); of
    /// those within <see cref="Tie"/> of it, the lowest p99, then the fewest threads.
    /// </summary>
    public static TuningResult Pick(IReadOnlyList<TuningResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var clean = results.Where(result => result.Failed == 0 && result.Throughput > 0).ToList();
        if (clean.Count == 0)
        {
            throw new InvalidOperationException(
                $"no candidate setup ran without failures ({string.Join("; ", results.Select(result => $"{result.Setup.Describe()}: {result.Failed} failed"))})");
        }

        var highest = clean.Max(result => result.Throughput);
        return clean
            .Where(result => result.Throughput >= highest * (1 - Tie))
            .OrderBy(result => result.P99Ms)
            .ThenBy(result => result.Setup.Share.Lanes * result.Setup.Share.IntraOpThreads)
            .First();
    }
}
