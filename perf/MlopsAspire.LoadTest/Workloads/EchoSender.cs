using Google.Protobuf;
using Grpc.Net.Client;
using MlopsAspire.LoadTest.Echo;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>Unary echo calls with an inference call's request and response sizes: the transport limit.</summary>
public sealed class EchoSender(IReadOnlyList<GrpcChannel> channels, int requestBytes, int replyBytes) : IRequestSender
{
    private readonly EchoService.EchoServiceClient[] _clients = [.. channels.Select(channel => new EchoService.EchoServiceClient(channel))];

    // Protobuf framing of the request (field tags, lengths) is a few bytes; the payload makes up the rest.
    private readonly EchoRequest _request = new()
    {
        Payload = ByteString.CopyFrom(new byte[Math.Max(0, requestBytes - 8)]),
        ReplyBytes = Math.Max(0, replyBytes - 4),
    };

    private long _next = -1;

    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var client = _clients[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_clients.Length)];
        await client.EchoAsync(_request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
