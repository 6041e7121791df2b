// Refused-call latency before and after a flood of oversized refusals, on one fresh control plane:
//
//   MlopsAspire.RefusalCost LABEL [FLOOD=1000] [NAME_BYTES=4096] [SAMPLES=200]
//
// After a warm-up (1,000 admitted calls, 50 refusals), prints one tab-separated line to standard error: label, flood
// size, name bytes, median and p90 latency (ms) of SAMPLES anonymous refused GetModel calls before the flood and
// after it, after ÷ before of the medians, and the flood's seconds.
// Settings of the control plane can be changed through the environment (e.g. Management__RefusalAuditLimit).
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Mlops.V1;
using MlopsAspire.ControlPlane.Tests;

var label = args.Length > 0 ? args[0] : "this build";
var flood = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
var nameBytes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4096;
var samples = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200;

var host = new ControlPlaneHost();
await host.InitializeAsync();
try
{
    // Warm up the server and the client on admitted calls, which leave nothing in the audit, then the refusal path.
    var reader = host.Client(ControlPlaneHost.ReaderKey);
    for (var i = 0; i < 1000; i++)
    {
        await reader.ListModelsAsync(new ListModelsRequest());
    }

    var anonymous = host.Client(null);
    await RefusedCallsAsync(anonymous, 50, i => $"warmup-{i}");
    var before = await RefusedCallsAsync(anonymous, samples, i => $"model-{i}");

    var padding = new string('x', nameBytes);
    var floodClock = Stopwatch.StartNew();
    await RefusedCallsAsync(anonymous, flood, i => $"{i}-{padding}");
    floodClock.Stop();

    var after = await RefusedCallsAsync(anonymous, samples, i => $"model-{i}");
    Console.Error.WriteLine(string.Join('\t',
        label, flood, nameBytes,
        Format(Percentile(before, 0.5)), Format(Percentile(before, 0.9)),
        Format(Percentile(after, 0.5)), Format(Percentile(after, 0.9)),
        (Percentile(after, 0.5) / Percentile(before, 0.5)).ToString("0.00", CultureInfo.InvariantCulture),
        floodClock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)));
}
finally
{
    await host.DisposeAsync();
}

static async Task<double[]> RefusedCallsAsync(ModelManagement.ModelManagementClient client, int count, Func<int, string> name)
{
    var milliseconds = new double[count];
    for (var i = 0; i < count; i++)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await client.GetModelAsync(new GetModelRequest { Name = name(i) });
            throw new InvalidOperationException("an anonymous call was admitted");
        }
        catch (RpcException refused) when (refused.StatusCode == StatusCode.Unauthenticated)
        {
            milliseconds[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    return milliseconds;
}

static double Percentile(double[] values, double quantile)
{
    var sorted = values.Order().ToArray();
    return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(quantile * sorted.Length))];
}

static string Format(double milliseconds) => milliseconds.ToString("0.00", CultureInfo.InvariantCulture);
