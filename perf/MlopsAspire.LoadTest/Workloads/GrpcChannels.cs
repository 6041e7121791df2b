using Grpc.Net.Client;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>Client channels as every measurement creates them, so that all targets see the same client.</summary>
public static class GrpcChannels
{
    /// <summary>"localhost:8001" or "http://host:port"; cleartext HTTP/2 unless https:// is given.</summary>
    public static Uri ParseAddress(string target)
    {
        var withScheme = target.Contains("://", StringComparison.Ordinal) ? target : $"http://{target}";
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var address) || address.Port <= 0 || string.IsNullOrEmpty(address.Host))
        {
            throw new FormatException($"'{target}' is not a gRPC address; expected host:port, e.g. localhost:8001");
        }

        return address;
    }

    public static GrpcChannel Create(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            // More concurrent calls than one connection's stream limit (100 by default) open another connection
            // instead of queueing in the client, which would show as server latency.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        },
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
    });

    /// <summary>
    /// <paramref name="count"/> independent channels (connections) to the same address; requests are spread over
    /// them round-robin.
    /// </summary>
    public static GrpcChannel[] CreateMany(Uri address, int count) =>
        [.. Enumerable.Range(0, Math.Max(1, count)).Select(_ => Create(address))];
}
