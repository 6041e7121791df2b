using System.Diagnostics;
using Grpc.Core;
using Inference;
using MlopsAspire.FraudData;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Open-model fraud traffic: requests leave at Poisson arrival times whatever the platform does, each without waiting
/// for earlier ones, and each latency counts from its intended send time, so a stall shows in every request scheduled
/// during it rather than in one per caller. Each second of the schedule keeps its own counts and latencies: the
/// timeline a fault is judged by. Requests take turns over the given clients: behind a connection-level proxy, each
/// client's connection goes to one replica, so several clients spread the load over several replicas.
/// </summary>
public sealed class OpenFraudLoad : IAsyncDisposable
{
    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<GRPCInferenceService.GRPCInferenceServiceClient> _clients;
    private readonly double _ratePerSecond;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<LoadSecond> _seconds = [];
    private readonly Lock _secondsLock = new();
    private readonly CountdownEvent _inFlight = new(1);
    private readonly Task _dispatcher;

    public OpenFraudLoad(IReadOnlyList<GRPCInferenceService.GRPCInferenceServiceClient> clients, double ratePerSecond, int seed = 7)
    {
        _clients = clients;
        _ratePerSecond = ratePerSecond;
        _dispatcher = Task.Factory.StartNew(() => Dispatch(seed), TaskCreationOptions.LongRunning);
    }

    /// <summary>Seconds since the load started, on the clock its timeline is kept in.</summary>
    public double Elapsed => _clock.Elapsed.TotalSeconds;

    /// <summary>Each second of the schedule so far (the current one still filling).</summary>
    public IReadOnlyList<LoadSecond> Seconds
    {
        get
        {
            lock (_secondsLock)
            {
                return [.. _seconds];
            }
        }
    }

    /// <summary>Waits until <paramref name="seconds"/> have passed on the load's clock.</summary>
    public Task WaitUntilAsync(double seconds) =>
        seconds > Elapsed ? Task.Delay(TimeSpan.FromSeconds(seconds - Elapsed)) : Task.CompletedTask;

    /// <summary>Stops sending, waits for every request still out (each has a deadline) and returns the timeline.</summary>
    public async Task<IReadOnlyList<LoadSecond>> StopAsync()
    {
        await _stop.CancelAsync();
        await _dispatcher;
        _inFlight.Signal();
        await Task.Run(() => _inFlight.Wait(RequestDeadline * 2));
        return Seconds;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private void Dispatch(int seed)
    {
        var random = new Random(seed);
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = seed }).Generate(int.MaxValue).GetEnumerator();
        var intended = 0.0;
        var sent = 0;
        while (!_stop.IsCancellationRequested && rows.MoveNext())
        {
            // Exponential gaps: independent arrivals at the mean rate.
            intended += -Math.Log(1 - random.NextDouble()) / _ratePerSecond;
            var wait = intended - Elapsed;
            if (wait > 0.002)
            {
                Thread.Sleep(TimeSpan.FromSeconds(wait - 0.001));
            }

            while (intended > Elapsed)
            {
                Thread.SpinWait(50);
            }

            _inFlight.AddCount();
            _ = SendAsync(_clients[sent++ % _clients.Count], intended, rows.Current.Features);
        }
    }

    private async Task SendAsync(GRPCInferenceService.GRPCInferenceServiceClient client, double intended, float[] features)
    {
        var second = SecondAt((int)intended);
        try
        {
            var request = new ModelInferRequest { ModelName = "fraud" };
            var input = new ModelInferRequest.Types.InferInputTensor { Name = "Features", Datatype = "FP32", Shape = { 1, FraudFeatures.Count }, Contents = new InferTensorContents() };
            input.Contents.Fp32Contents.AddRange(features);
            request.Inputs.Add(input);
            await client.ModelInferAsync(request, deadline: DateTime.UtcNow + RequestDeadline);
            second.Succeeded(Elapsed - intended);
        }
        catch (RpcException exception)
        {
            second.Failed(exception.StatusCode);
        }
        finally
        {
            _inFlight.Signal();
        }
    }

    private LoadSecond SecondAt(int index)
    {
        lock (_secondsLock)
        {
            while (_seconds.Count <= index)
            {
                _seconds.Add(new LoadSecond(_seconds.Count));
            }

            return _seconds[index];
        }
    }
}
