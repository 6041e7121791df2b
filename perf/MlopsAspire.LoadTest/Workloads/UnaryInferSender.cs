using Grpc.Net.Client;
using Inference;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>One unary ModelInfer per request, spread round-robin over the channels.</summary>
public sealed class UnaryInferSender(IReadOnlyList<GrpcChannel> channels, InferRequestSet requests, bool ownsChannels = true) : IRequestSender, IReportsServerBatching
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient[] _clients =
        [.. channels.Select(channel => new GRPCInferenceService.GRPCInferenceServiceClient(channel))];

    private long _next = -1;

    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var client = _clients[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_clients.Length)];
        var response = await client.ModelInferAsync(requests.Next(), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Outputs.Count == 0)
        {
            throw new InvalidResponseException($"model '{response.ModelName}' answered without outputs");
        }
    }

    public Task<ServerBatching?> ReadServerBatchingAsync(CancellationToken cancellationToken) =>
        ModelStatisticsReader.ReadAsync(channels, requests.ModelName, cancellationToken);

    public ValueTask DisposeAsync()
    {
        if (ownsChannels)
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }
}
