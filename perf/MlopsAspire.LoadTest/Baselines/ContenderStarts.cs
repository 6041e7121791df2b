using System.Globalization;
using MlopsAspire.LoadTest.Cli;
using MlopsAspire.LoadTest.Scenarios;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Targets;
using MlopsAspire.LoadTest.Workloads;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Baselines;

/// <summary>Starts each baseline contender for one model in a given setup, with the same requests and client workload.</summary>
public sealed class ContenderStarts(string model, byte[] modelBytes, InferRequestSet requests, WorkloadSettings workload, LoadTestOptions options)
{
    /// <summary>The compute limit: as many closed-model clients as lanes, each running the session itself.</summary>
    public Task<RunningContender> ComputeAsync(ContenderSetup setup, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new RunningContender(
            BaselineSuite.Compute,
            "in-process ONNX Runtime",
            "onnxruntime",
            workload with { Concurrency = setup.Share.Lanes },
            new RawOnnxRuntimeSender(modelBytes, requests, setup.Share.IntraOpThreads, options.Provider),
            new Dictionary<string, string> { ["threads"] = Text(setup.Share.Lanes), ["intra-op"] = Text(setup.Share.IntraOpThreads), ["provider"] = options.ProviderName }));
    }

    public async Task<RunningContender> NaiveAsync(ContenderSetup setup, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var host = await NaiveOnnxInferenceService.StartAsync(model, modelBytes, setup.Share.IntraOpThreads, setup.Share.Lanes, options.Provider).ConfigureAwait(false);
        return new RunningContender(
            BaselineSuite.Naive,
            "naive OIP server (loopback)",
            "unary",
            workload,
            new UnaryInferSender(GrpcChannels.CreateMany(host.Address, options.Connections), requests),
            new Dictionary<string, string> { ["runs at once"] = Text(setup.Share.Lanes), ["intra-op"] = Text(setup.Share.IntraOpThreads), ["provider"] = options.ProviderName },
            host);
    }

    /// <summary>
    /// Our replica, in this process, serving the model with the setup's instances, threads and batching on the
    /// provider asked for. A replica falls back to the CPU when CUDA cannot start; here that fails the run instead.
    /// </summary>
    public async Task<RunningContender> OursAsync(ContenderSetup setup, CancellationToken cancellationToken)
    {
        var replica = await ScenarioTarget.StartInProcessAsync(
            [model],
            new ReplicaSettings
            {
                Batching = setup.Batching,
                IntraOpThreads = setup.Share.IntraOpThreads,
                Instances = setup.Share.Lanes,
                ExtraConfiguration = [$"Inference:ExecutionProvider={options.Provider}", .. options.ReplicaConfiguration],
            },
            replicaCount: 1,
            cancellationToken).ConfigureAwait(false);
        var ran = replica.Details.GetValueOrDefault("provider", "none");
        if (options.Provider == ExecutionProvider.Cuda && ran != options.ProviderName)
        {
            await replica.DisposeAsync().ConfigureAwait(false);
            throw BaselineSessions.CudaUnavailable($"our replica, asked for {options.ProviderName}, loaded {model} on {ran}: see its log warning");
        }

        return new RunningContender(
            BaselineSuite.Ours,
            replica.Description,
            "unary",
            workload,
            new UnaryInferSender(GrpcChannels.CreateMany(replica.Addresses[0], options.Connections), requests),
            replica.Details,
            replica);
    }

    /// <summary>The transport limit: a bare gRPC echo returning as many bytes as our replica's response.</summary>
    public async Task<RunningContender> EchoAsync(int responseBytes)
    {
        var host = await EchoGrpcService.StartAsync().ConfigureAwait(false);
        return new RunningContender(
            BaselineSuite.Transport,
            "gRPC echo (loopback)",
            "echo",
            workload,
            new EchoSender(GrpcChannels.CreateMany(host.Address, options.Connections), requests.SerializedBytes, responseBytes),
            new Dictionary<string, string> { ["requestBytes"] = Text(requests.SerializedBytes), ["responseBytes"] = Text(responseBytes) },
            host);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
