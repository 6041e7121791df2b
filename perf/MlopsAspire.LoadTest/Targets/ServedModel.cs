using Grpc.Core;
using Inference;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>What a target says of one model it serves: its metadata and the max_batch_size of its config.</summary>
/// <param name="MaxBatchSize">0 when the server does not batch the model, or has no ModelConfig.</param>
public sealed record ServedModel(ModelMetadataResponse Metadata, int MaxBatchSize)
{
    /// <summary>
    /// Asks the server at <paramref name="address"/> for the model's metadata, whether it is ready and its config. A
    /// model it does not know or has not loaded fails with the models it lists (RepositoryIndex).
    /// </summary>
    public static async Task<ServedModel> ReadAsync(Uri address, string model, string? version, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannels.Create(address);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var named = version is null ? $"model '{model}'" : $"model '{model}' version {version}";
        ModelMetadataResponse metadata;
        try
        {
            metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = model, Version = version ?? string.Empty }, deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.Unavailable or StatusCode.InvalidArgument)
        {
            throw new InvalidOperationException(
                $"{named} is not served at {address.Authority} ({exception.StatusCode}: {exception.Status.Detail}); {await ListModelsAsync(client, cancellationToken)}",
                exception);
        }

        var ready = await client.ModelReadyAsync(new ModelReadyRequest { Name = model, Version = version ?? string.Empty }, deadline: Deadline(), cancellationToken: cancellationToken);
        if (!ready.Ready)
        {
            throw new InvalidOperationException($"{named} at {address.Authority} is not ready; {await ListModelsAsync(client, cancellationToken)}");
        }

        var maxBatchSize = 0;
        try
        {
            var config = await client.ModelConfigAsync(new ModelConfigRequest { Name = model, Version = version ?? string.Empty }, deadline: Deadline(), cancellationToken: cancellationToken);
            maxBatchSize = config.Config?.MaxBatchSize ?? 0;
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.Unimplemented or StatusCode.NotFound)
        {
            // ModelConfig is Triton's extension, not the core protocol: without it nothing limits the batch here.
        }

        return new ServedModel(metadata, maxBatchSize);
    }

    /// <summary>
    /// Reads the model from every address: requests built from the first one's metadata go to all of them, so each
    /// must serve the model with the same inputs. Fails naming the address that does not, and what differs.
    /// </summary>
    public static async Task<ServedModel> ReadFromEveryAsync(IReadOnlyList<Uri> addresses, string model, string? version, CancellationToken cancellationToken)
    {
        var first = await ReadAsync(addresses[0], model, version, cancellationToken).ConfigureAwait(false);
        foreach (var address in addresses.Skip(1))
        {
            var other = await ReadAsync(address, model, version, cancellationToken).ConfigureAwait(false);
            if (InputsDiffer(first.Metadata, other.Metadata) is { } difference)
            {
                throw new InvalidOperationException(
                    $"model '{model}' has other inputs at {address.Authority} than at {addresses[0].Authority}, whose metadata the requests are built from: {difference}");
            }
        }

        return first;
    }

    /// <summary>How two servers' metadata of one model disagree on its inputs (names, datatypes, shapes), or null.</summary>
    public static string? InputsDiffer(ModelMetadataResponse first, ModelMetadataResponse other)
    {
        var (a, b) = (ModelRequests.InputNames(first), ModelRequests.InputNames(other));
        return a == b ? null : $"{b} there, {a} at the first";
    }

    /// <summary>"it lists: fraud v1 READY, churn v2 UNAVAILABLE (reason)", or why it cannot say.</summary>
    private static async Task<string> ListModelsAsync(GRPCInferenceService.GRPCInferenceServiceClient client, CancellationToken cancellationToken)
    {
        try
        {
            var index = await client.RepositoryIndexAsync(new RepositoryIndexRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
            return index.Models.Count == 0
                ? "it lists no models"
                : "it lists: " + string.Join(", ", index.Models.Select(entry =>
                    $"{entry.Name}{(entry.Version.Length > 0 ? $" v{entry.Version}" : string.Empty)} {entry.State}{(entry.Reason.Length > 0 ? $" ({entry.Reason})" : string.Empty)}"));
        }
        catch (RpcException exception)
        {
            return $"it does not list its models ({exception.StatusCode}: {exception.Status.Detail})";
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);
}
