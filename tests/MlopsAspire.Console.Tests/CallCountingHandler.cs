using System.Collections.Concurrent;

namespace MlopsAspire.Console.Tests;

/// <summary>Counts the gRPC calls a console makes, by method path (e.g. <c>/mlops.v1.ModelManagement/GetAuditLog</c>).</summary>
internal sealed class CallCountingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public int Of(string method) => _calls.GetValueOrDefault(method);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _calls.AddOrUpdate(request.RequestUri?.AbsolutePath ?? "", 1, (_, count) => count + 1);
        return base.SendAsync(request, cancellationToken);
    }
}
