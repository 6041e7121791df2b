using System.Collections.Concurrent;
using Grpc.Core;
using Inference;
using MlopsAspire.FraudData;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Four callers sending labelled fraud rows with ids until stopped, recording every failure; with the inference key
/// when the platform asks for one.
/// </summary>
public sealed class FraudLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _callers = [];
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, byte> _versions = new();
    private long _sent;
    private readonly Metadata? _headers;
    private volatile string _recentVersion = "";

    public FraudLoad(GRPCInferenceService.GRPCInferenceServiceClient client, string? inferenceKey = null)
    {
        _headers = inferenceKey is null ? null : new Metadata { { "authorization", $"Bearer {inferenceKey}" } };
        for (var caller = 0; caller < 4; caller++)
        {
            var seed = caller;
            _callers.Add(Task.Run(() => RunAsync(client, seed)));
        }
    }

    public ConcurrentDictionary<string, bool> Labels { get; } = new();

    public string RecentVersion => _recentVersion;

    public async Task<(long Sent, IReadOnlyList<string> Failures, IReadOnlyCollection<string> Versions)> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers);
        return (Interlocked.Read(ref _sent), [.. _failures], [.. _versions.Keys]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(GRPCInferenceService.GRPCInferenceServiceClient client, int seed)
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = 1000 + seed }).Generate(int.MaxValue).GetEnumerator();
        var index = 0;
        while (!_stop.IsCancellationRequested && rows.MoveNext())
        {
            var id = $"c{seed}-{index++}";
            var request = new ModelInferRequest { ModelName = "fraud", Id = id };
            var input = new ModelInferRequest.Types.InferInputTensor { Name = "Features", Datatype = "FP32", Shape = { 1, FraudFeatures.Count }, Contents = new InferTensorContents() };
            input.Contents.Fp32Contents.AddRange(rows.Current.Features);
            request.Inputs.Add(input);
            try
            {
                var response = await client.ModelInferAsync(request, _headers, deadline: DateTime.UtcNow.AddSeconds(10));
                _versions[response.ModelVersion] = 0;
                _recentVersion = response.ModelVersion;
                Labels[id] = rows.Current.IsFraud;
                Interlocked.Increment(ref _sent);
            }
            catch (RpcException exception)
            {
                _failures.Enqueue($"{id}: {exception.StatusCode} {exception.Status.Detail}");
                Interlocked.Increment(ref _sent);
            }

            await Task.Delay(5);
        }
    }
}
