using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlopsAspire.FraudData;
using MlopsAspire.Inference;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;
using MlopsAspire.Inference.Protocol;
using MlopsAspire.Inference.Protocol.Grpc;
using MlopsAspire.Serving;
using MlopsAspire.Training;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// One fraud row (raw FP32 contents, as the load generator sends it) through a replica's unary ModelInfer without
/// the transport: the CPU and allocations each request costs above what a bare gRPC echo service pays. The levels
/// peel the path apart: the whole service method, the prediction pipeline, the engine (with the replica's
/// batcher, then inline), the codec with the session Run, the Run alone, and the request metric. The replica is the real <see cref="InferenceServer"/> (default configuration, batching on) over a
/// local model folder holding the trained fraud model. With <see cref="Exporting"/> the replica exports its telemetry
/// (to an OTLP endpoint where nothing listens), as it does on the platform: every instrument is then enabled and
/// aggregated by the OpenTelemetry SDK, which is what per-request instrument work costs there.
/// </summary>
[MemoryDiagnoser]
public class InferenceRequestPathBenchmarks
{
    private const string ModelName = DemoModels.FraudModelName;

    private WebApplication _app = null!;
    private string _modelFolder = null!;
    private OpenInferenceGrpcService _service = null!;
    private PredictionPipeline _pipeline = null!;
    private InferenceEngine _engine = null!;
    private InferenceEngine _inlineEngine = null!;
    private InferenceMetrics _metrics = null!;
    private OnnxModel _model = null!;
    private PreparedInputs _preparedInputs = null!;
    private string[] _outputNames = null!;
    private ModelInferRequest _request = null!;
    private InferenceRequest _engineRequest = null!;
    private ServerCallContext _context = null!;
    private RequestRecord _answeredRecord = null!;

    [Params(false, true)]
    public bool Exporting { get; set; }

    [GlobalSetup]
    public async Task SetUp()
    {
        _modelFolder = Path.Combine(Path.GetTempPath(), "mlopsaspire-benchmarks", Guid.NewGuid().ToString("N"));
        var versionFolder = Path.Combine(_modelFolder, ModelName, "1");
        Directory.CreateDirectory(versionFolder);
        await File.WriteAllBytesAsync(Path.Combine(versionFolder, "model.onnx"), DemoModels.TrainFraud(seed: 42).OnnxModel);

        string[] args =
        [
            $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{FreePort()}",
            $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{FreePort()}",
            "--Kestrel:Endpoints:http:Protocols=Http1",
            "--Kestrel:Endpoints:grpc:Protocols=Http2",
            "--Logging:LogLevel:Default=Warning",
            $"--Inference:ModelRepository={_modelFolder}",
            "--Inference:IntraOpThreads=1",
            .. Exporting ? [$"--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:{FreePort()}"] : Array.Empty<string>(),
        ];
        _app = InferenceServer.Build(InferenceServer.CreateBuilder(args));
        await _app.StartAsync();
        _engine = _app.Services.GetRequiredService<InferenceEngine>();
        while (!_engine.Repository.IsReady)
        {
            await Task.Delay(50);
        }

        _service = ActivatorUtilities.CreateInstance<OpenInferenceGrpcService>(_app.Services);
        _pipeline = _app.Services.GetRequiredService<PredictionPipeline>();
        _metrics = _app.Services.GetRequiredService<InferenceMetrics>();
        _context = new NoTransportCallContext();
        // Answered by a real request, as the transport's record is when the metric is recorded.
        _answeredRecord = new RequestRecord(ModelName, "1", InferenceProtocol.Grpc);

        var features = new FraudDataGenerator(new FraudDataOptions { Seed = 7 }).Generate(1).Single().Features.ToArray();
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "Features", Datatype = "FP32", Shape = { 1, features.Length } };
        _request = new ModelInferRequest { ModelName = ModelName, Id = "r0", Inputs = { input } };
        _request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(features.AsSpan())));
        _request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "Probability.output" });
        _engineRequest = new InferenceRequest
        {
            ModelName = ModelName,
            Id = "r0",
            Inputs = [new InferenceInput("Features", "FP32", [1, features.Length], TensorData.Raw(_request.RawInputContents[0].Memory, 0))],
            RequestedOutputs = ["Probability.output"],
        };
        using (await _pipeline.InferAsync(_engineRequest, _answeredRecord, CancellationToken.None))
        {
        }

        _inlineEngine = new InferenceEngine(_engine.Repository);
        _model = _engine.Repository.Acquire(ModelName, null);
        _outputNames = ["Probability.output"];
        _preparedInputs = TensorCodec.PrepareInputs(_model, _engineRequest.Inputs);
    }

    [GlobalCleanup]
    public async Task CleanUp()
    {
        _preparedInputs.Dispose();
        _model.Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_modelFolder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "ModelInfer, service method")]
    public async Task<int> ModelInfer()
    {
        var response = await _service.ModelInfer(_request, _context);
        return response.RawOutputContents.Count;
    }

    [Benchmark(Description = "prediction pipeline (engine + monitoring)")]
    public async Task<int> Pipeline()
    {
        using var response = await _pipeline.InferAsync(_engineRequest, CancellationToken.None);
        return response.Outputs.Count;
    }

    [Benchmark(Description = "engine (validate, batcher, Run)")]
    public async Task<int> Engine()
    {
        using var response = await _engine.InferAsync(_engineRequest);
        return response.Outputs.Count;
    }

    [Benchmark(Description = "request metric")]
    public void RequestMetric() => _metrics.RecordRequest(_answeredRecord, StatusCode.OK, TimeSpan.FromMilliseconds(1));

    [Benchmark(Description = "engine, inline executor")]
    public async Task<int> InlineEngine()
    {
        using var response = await _inlineEngine.InferAsync(_engineRequest);
        return response.Outputs.Count;
    }

    [Benchmark(Description = "decode + ONNX Runtime Run")]
    public int DecodeAndRun()
    {
        using var inputs = TensorCodec.PrepareInputs(_model, _engineRequest.Inputs);
        using var outputs = _model.Run(inputs, _outputNames);
        return outputs.Count;
    }

    [Benchmark(Description = "ONNX Runtime Run alone")]
    public int RunAlone()
    {
        using var outputs = _model.Run(_preparedInputs, _outputNames);
        return outputs.Count;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>What the service method reads of a call when nothing carries it: no deadline, no headers.</summary>
    private sealed class NoTransportCallContext : ServerCallContext
    {
        protected override string MethodCore => "/inference.GRPCInferenceService/ModelInfer";

        protected override string HostCore => "localhost";

        protected override string PeerCore => "ipv4:127.0.0.1:1";

        protected override DateTime DeadlineCore => DateTime.MaxValue;

        protected override Metadata RequestHeadersCore { get; } = [];

        protected override CancellationToken CancellationTokenCore => CancellationToken.None;

        protected override Metadata ResponseTrailersCore { get; } = [];

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore { get; } = new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
            throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
