using Grpc.Core;
using Mlops.V1;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>
/// The replicas serving a model's production version, each at its own gRPC address, as the control plane's
/// management API lists them (<c>ListEndpoints</c>): what <c>--discover</c> calls round-robin instead of the shared
/// address in front of the replicas.
/// </summary>
public static class ReplicaDiscovery
{
    /// <summary>The management API key the <c>mlops</c> command line reads too; the reader role suffices.</summary>
    public const string ApiKeyVariable = "MLOPS_API_KEY";

    /// <param name="apiKey">A management API key (reader role at least).</param>
    /// <exception cref="InvalidOperationException">No key, or no replica serves the model with an address of its own.</exception>
    /// <exception cref="RpcException">The management API refused or could not be reached.</exception>
    public static async Task<IReadOnlyList<Uri>> DiscoverAsync(Uri managementAddress, string model, string? apiKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            throw new InvalidOperationException($"--discover needs a management API key (reader role) in {ApiKeyVariable}");
        }

        using var channel = GrpcChannels.Create(managementAddress);
        var client = new ModelManagement.ModelManagementClient(channel);
        var response = await client.ListEndpointsAsync(
            new ListEndpointsRequest { Name = model },
            new Metadata { { "authorization", $"Bearer {apiKey.Trim()}" } },
            cancellationToken: cancellationToken);
        if (response.Endpoints.Count == 0)
        {
            throw new InvalidOperationException(
                $"{managementAddress.Authority} lists no replica serving {model} version {response.Version} at an address of its own; use --target with the shared address");
        }

        // Two replicas told the same address only when one was misconfigured: call it once.
        return [.. response.Endpoints.Select(endpoint => GrpcChannels.ParseAddress(endpoint.GrpcAddress)).DistinctBy(address => address.Authority, StringComparer.OrdinalIgnoreCase)];
    }
}
