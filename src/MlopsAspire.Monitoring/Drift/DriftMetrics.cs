namespace MlopsAspire.Monitoring.Drift;

/// <summary>
/// Distances between a reference and a live distribution given as counts on the same bins. Each is the
/// textbook definition on binned data, so results match an offline computation on the same counts exactly.
/// </summary>
public static class DriftMetrics
{
    /// <summary>Share given to an empty bin so that PSI and Jensen-Shannon stay finite (a common choice).</summary>
    public const double EmptyBinShare = 1e-4;

    /// <summary>Population stability index: Σ (a − e) · ln(a / e) over bins, with empty bins at <see cref="EmptyBinShare"/>.</summary>
    public static double PopulationStabilityIndex(ReadOnlySpan<long> reference, ReadOnlySpan<long> actual)
    {
        var (expected, observed) = SmoothedShares(reference, actual);
        var psi = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            psi += (observed[i] - expected[i]) * Math.Log(observed[i] / expected[i]);
        }

        return psi;
    }

    /// <summary>Jensen-Shannon distance (square root of the divergence, base 2), in [0, 1].</summary>
    public static double JensenShannonDistance(ReadOnlySpan<long> reference, ReadOnlySpan<long> actual)
    {
        var p = Shares(reference);
        var q = Shares(actual);
        var divergence = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var m = (p[i] + q[i]) / 2;
            if (p[i] > 0)
            {
                divergence += 0.5 * p[i] * Math.Log2(p[i] / m);
            }

            if (q[i] > 0)
            {
                divergence += 0.5 * q[i] * Math.Log2(q[i] / m);
            }
        }

        return Math.Sqrt(Math.Max(0, divergence));
    }

    /// <summary>Kolmogorov-Smirnov statistic on the binned CDFs: the largest gap between them, in [0, 1].</summary>
    public static double KolmogorovSmirnov(ReadOnlySpan<long> reference, ReadOnlySpan<long> actual)
    {
        var p = Shares(reference);
        var q = Shares(actual);
        double cdfP = 0, cdfQ = 0, largest = 0;
        for (var i = 0; i < p.Length; i++)
        {
            cdfP += p[i];
            cdfQ += q[i];
            largest = Math.Max(largest, Math.Abs(cdfP - cdfQ));
        }

        return largest;
    }

    /// <summary>
    /// Asymptotic p-value of a two-sample KS statistic for sample sizes n and m (Kolmogorov distribution).
    /// Binning makes the statistic conservative, so this p-value is too.
    /// </summary>
    public static double KolmogorovSmirnovPValue(double statistic, long n, long m)
    {
        if (n <= 0 || m <= 0)
        {
            return 1;
        }

        var effective = Math.Sqrt((double)n * m / (n + m));
        var lambda = (effective + 0.12 + 0.11 / effective) * statistic;
        if (lambda < 1e-3)
        {
            return 1;
        }

        var sum = 0.0;
        for (var k = 1; k <= 100; k++)
        {
            var term = 2 * Math.Pow(-1, k - 1) * Math.Exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12)
            {
                break;
            }
        }

        return Math.Clamp(sum, 0, 1);
    }

    /// <summary>
    /// Wasserstein-1 (earth mover's) distance between the binned distributions: Σ |CDF_ref − CDF_live| · width
    /// over the interior bins (edges[i-1] to edges[i]), divided by <paramref name="scale"/> (the reference standard
    /// deviation) so it reads in standard deviations. The open outer bins contribute nothing: their width is unknown.
    /// </summary>
    public static double Wasserstein(ReadOnlySpan<long> reference, ReadOnlySpan<long> actual, ReadOnlySpan<double> edges, double scale)
    {
        if (reference.Length != edges.Length + 1)
        {
            throw new ArgumentException($"{edges.Length} edges need {edges.Length + 1} counts, got {reference.Length}");
        }

        var p = Shares(reference);
        var q = Shares(actual);
        double cdfP = p[0], cdfQ = q[0], distance = 0;
        for (var i = 1; i < edges.Length; i++)
        {
            distance += Math.Abs(cdfP - cdfQ) * (edges[i] - edges[i - 1]);
            cdfP += p[i];
            cdfQ += q[i];
        }

        return scale > 0 ? distance / scale : distance;
    }

    private static double[] Shares(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        var shares = new double[counts.Length];
        if (total > 0)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                shares[i] = (double)counts[i] / total;
            }
        }

        return shares;
    }

    private static (double[] Expected, double[] Observed) SmoothedShares(ReadOnlySpan<long> reference, ReadOnlySpan<long> actual)
    {
        if (reference.Length != actual.Length)
        {
            throw new ArgumentException($"bin counts differ: reference {reference.Length}, live {actual.Length}");
        }

        var expected = Shares(reference);
        var observed = Shares(actual);
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = Math.Max(expected[i], EmptyBinShare);
            observed[i] = Math.Max(observed[i], EmptyBinShare);
        }

        return (expected, observed);
    }
}
