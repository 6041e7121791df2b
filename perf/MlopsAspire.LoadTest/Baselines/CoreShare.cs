using MlopsAspire.LoadTest.Cli;

namespace MlopsAspire.LoadTest.Baselines;

/// <summary>
/// The cores every baseline contender gets, so that none wins by using more of the machine: each runs
/// <see cref="Lanes"/> ONNX Runtime sessions at once with <see cref="IntraOpThreads"/> threads each. The raw loop
/// runs that many threads, the naive server that many requests at once, our replica that many instances.
/// </summary>
public sealed record CoreShare(int Cores, int IntraOpThreads)
{
    /// <summary>
    /// Sessions running at once: cores ÷ intra-op threads, unless set otherwise (<c>--best</c> also tries twice as
    /// many, which lets a server overlap one request's transport with another's compute).
    /// </summary>
    public int Lanes { get; init; } = Cores / IntraOpThreads;

    /// <summary>Checks that the cores divide into whole sessions; every mistake is a <see cref="UsageException"/>.</summary>
    public static CoreShare Of(int cores, int intraOpThreads)
    {
        if (intraOpThreads < 1)
        {
            throw new UsageException(
                "baselines give every contender the same cores, so each needs a known thread count: --intra-op-threads must be 1 or more, not 0 (ONNX Runtime's choice)");
        }

        if (cores < intraOpThreads || cores % intraOpThreads != 0)
        {
            throw new UsageException(
                $"--cores {cores} does not divide into sessions of --intra-op-threads {intraOpThreads}; give cores as a multiple of the intra-op threads");
        }

        return new CoreShare(cores, intraOpThreads);
    }

    /// <summary>"2 cores: 2 sessions × 1 intra-op thread".</summary>
    public string Describe() => $"{Cores} cores: {Lanes} session(s) at once × {IntraOpThreads} intra-op thread(s)";

    /// <summary>"2 × 1 threads".</summary>
    public string Shape => $"{Lanes} × {IntraOpThreads} threads";
}
