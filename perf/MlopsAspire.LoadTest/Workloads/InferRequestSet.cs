using Inference;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>
/// The requests a workload cycles through, built once before the run so that the client spends its time
/// sending, not encoding. Several distinct requests, so that caches see realistic variety.
/// </summary>
public sealed class InferRequestSet
{
    private readonly ModelInferRequest[] _requests;
    private long _next = -1;

    public InferRequestSet(IReadOnlyList<ModelInferRequest> requests)
    {
        if (requests.Count == 0)
        {
            throw new ArgumentException("at least one request is needed", nameof(requests));
        }

        _requests = [.. requests];
    }

    public string ModelName => _requests[0].ModelName;

    /// <summary>Size of a serialized request, for the transport baseline's payload.</summary>
    public int SerializedBytes => _requests[0].CalculateSize();

    public ModelInferRequest First => _requests[0];

    public ModelInferRequest Next() => _requests[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_requests.Length)];

    public IReadOnlyList<ModelInferRequest> All => _requests;

    /// <summary>What the requests are, for the report: version, batch, where the inputs came from.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}
