using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Grpc.AspNetCore.Server;
using Inference;
using MlopsAspire.FraudData;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Protocol;
using MlopsAspire.Inference.Protocol.Grpc;
using MlopsAspire.Serving.Statistics;

namespace MlopsAspire.Inference.Tests;

public sealed class OpenInferenceGrpcTests(FraudServerFixture server) : IClassFixture<FraudServerFixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = server.Client;

    [Fact]
    public async Task Server_is_live_ready_and_describes_itself()
    {
        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await _client.ServerReadyAsync(new ServerReadyRequest())).Ready);

        var metadata = await _client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("mlopsaspire", metadata.Name);
        Assert.False(string.IsNullOrEmpty(metadata.Version));
        Assert.Equal(["model_configuration", "statistics", "binary_tensor_data", "model_repository"], metadata.Extensions);
    }

    [Fact]
    public async Task Rest_health_endpoints_answer_on_the_http_endpoint()
    {
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Model_readiness_follows_loaded_versions()
    {
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud" })).Ready);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud", Version = "1" })).Ready);
        Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud", Version = "7" })).Ready);
        Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" })).Ready);
    }

    [Fact]
    public async Task Model_metadata_lists_versions_platform_and_tensors()
    {
        var metadata = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" });

        Assert.Equal("fraud", metadata.Name);
        Assert.Equal(["1", "2"], metadata.Versions);
        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(FraudRequests.Input, input.Name);
        Assert.Equal("FP32", input.Datatype);
        Assert.Equal([-1L, FraudFeatures.Count], input.Shape);
        var probability = Assert.Single(metadata.Outputs, output => output.Name == FraudRequests.Probability);
        Assert.Equal("FP32", probability.Datatype);
        Assert.Equal([-1L, 1], probability.Shape);
    }

    [Fact]
    public async Task Model_config_describes_a_batched_model_as_triton_does()
    {
        var config = (await _client.ModelConfigAsync(new ModelConfigRequest { Name = "fraud", Version = "1" })).Config;

        Assert.Equal("fraud", config.Name);
        Assert.Equal("onnxruntime_onnx", config.Platform);
        Assert.Equal("onnxruntime", config.Backend);
        // The batcher concatenates fraud requests along the first dimension, so the dims leave it out.
        Assert.True(config.MaxBatchSize > 0);
        Assert.NotNull(config.DynamicBatching);
        var input = Assert.Single(config.Input);
        Assert.Equal(FraudRequests.Input, input.Name);
        Assert.Equal(DataType.TypeFp32, input.DataType);
        Assert.Equal([(long)FraudFeatures.Count], input.Dims);
        Assert.Contains(config.Output, output => output.Name == FraudRequests.Probability && output.DataType == DataType.TypeFp32 && output.Dims.SequenceEqual([1L]));
        // Warmup timed fraud as light: one execution at a time, and the config says why.
        var group = Assert.Single(config.InstanceGroup);
        Assert.Equal((1, ModelInstanceGroup.Types.Kind.Cpu), (group.Count, group.Kind));
        Assert.Contains("(light", config.Parameters[ModelConfigDescription.ExecutionPlanParameter].StringValue, StringComparison.Ordinal);

        // A request of max_batch_size rows is served.
        var rows = FraudRequests.Rows(config.MaxBatchSize, seed: 17);
        var response = await _client.ModelInferAsync(FraudRequests.Raw(rows, FraudRequests.Probability));
        Assert.Equal([(long)config.MaxBatchSize, 1], response.Outputs[0].Shape);

        var exception = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await _client.ModelConfigAsync(new ModelConfigRequest { Name = "nope" }));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, exception.StatusCode);
    }

    [Fact]
    public async Task Typed_request_gets_typed_probabilities_matching_mlnet()
    {
        var rows = FraudRequests.Rows(64);
        var request = FraudRequests.Typed(rows, FraudRequests.Probability);
        request.Id = "typed-1";

        var response = await _client.ModelInferAsync(request);

        Assert.Equal("fraud", response.ModelName);
        Assert.Equal("2", response.ModelVersion);
        Assert.Equal("typed-1", response.Id);
        Assert.Empty(response.RawOutputContents);
        var output = Assert.Single(response.Outputs);
        Assert.Equal(FraudRequests.Probability, output.Name);
        Assert.Equal("FP32", output.Datatype);
        Assert.Equal([rows.Count, 1L], output.Shape);
        AssertMatchesMlNet(rows, output.Contents.Fp32Contents.ToArray());
    }

    [Fact]
    public async Task Raw_request_gets_raw_probabilities_matching_mlnet()
    {
        var rows = FraudRequests.Rows(64, seed: 12);

        var response = await _client.ModelInferAsync(FraudRequests.Raw(rows, FraudRequests.Probability));

        var output = Assert.Single(response.Outputs);
        Assert.Null(output.Contents);
        Assert.Equal([rows.Count, 1L], output.Shape);
        AssertMatchesMlNet(rows, FraudRequests.RawFloats(response, 0));
    }

    [Fact]
    public async Task Binary_data_output_parameter_asks_for_raw_outputs_of_a_typed_request()
    {
        var rows = FraudRequests.Rows(8, seed: 13);
        var request = FraudRequests.Typed(rows, FraudRequests.Probability);
        request.Parameters["binary_data_output"] = new InferParameter { BoolParam = true };

        var response = await _client.ModelInferAsync(request);

        Assert.Single(response.RawOutputContents);
        AssertMatchesMlNet(rows, FraudRequests.RawFloats(response, 0));
    }

    [Fact]
    public async Task Requested_outputs_are_returned_alone_and_in_request_order()
    {
        var rows = FraudRequests.Rows(4, seed: 14);

        var response = await _client.ModelInferAsync(FraudRequests.Typed(rows, FraudRequests.Score, FraudRequests.Probability));

        Assert.Equal([FraudRequests.Score, FraudRequests.Probability], response.Outputs.Select(output => output.Name));
    }

    [Fact]
    public async Task Without_requested_outputs_every_output_is_returned()
    {
        var response = await _client.ModelInferAsync(FraudRequests.Typed(FraudRequests.Rows(2, seed: 15)));

        var metadata = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" });
        Assert.Equal(metadata.Outputs.Select(output => output.Name), response.Outputs.Select(output => output.Name));
    }

    [Fact]
    public async Task Triton_priority_and_timeout_parameters_are_accepted()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(2, seed: 16), FraudRequests.Probability);
        request.Parameters["priority"] = new InferParameter { Uint64Param = 1 };
        request.Parameters["timeout"] = new InferParameter { Uint64Param = 10_000_000 };

        var response = await _client.ModelInferAsync(request);

        Assert.Equal([2L, 1], response.Outputs[0].Shape);
    }

    [Fact]
    public async Task Pinned_version_answers_and_is_named_in_the_response()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(1), FraudRequests.Probability);
        request.ModelVersion = "1";

        var response = await _client.ModelInferAsync(request);

        Assert.Equal("1", response.ModelVersion);
    }

    [Fact]
    public async Task Fp16_outputs_come_back_raw_because_the_protocol_has_no_typed_fp16()
    {
        var halves = new[] { (Half)1.5f, (Half)(-2f), (Half)0.25f };
        var request = new ModelInferRequest { ModelName = "half" };
        request.Inputs.Add(FraudRequests.Tensor("x", "FP16", 1, halves.Length));
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.AsSpan())));
        request.Parameters["binary_data_output"] = new InferParameter { BoolParam = false };

        var response = await _client.ModelInferAsync(request);

        Assert.Equal("FP16", response.Outputs[0].Datatype);
        Assert.Equal(request.RawInputContents[0], response.RawOutputContents[0]);
    }

    [Fact]
    public async Task Messages_above_kestrels_default_30_mb_body_limit_are_served()
    {
        const int elements = 20 * 1024 * 1024; // 40 MiB of FP16, under the 64 MiB message limit
        var request = new ModelInferRequest { ModelName = "half" };
        request.Inputs.Add(FraudRequests.Tensor("x", "FP16", 2, elements / 2));
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[elements * 2]));

        var response = await _client.ModelInferAsync(request);

        Assert.Equal(elements * 2, response.RawOutputContents[0].Length);
    }

    [Fact]
    public void Without_keys_calls_reach_one_service_instance_with_no_interceptor_between()
    {
        var service = server.Services.GetRequiredService<IOptions<GrpcServiceOptions<OpenInferenceGrpcService>>>().Value;

        Assert.Empty(service.Interceptors);
        Assert.Same(server.Services.GetRequiredService<OpenInferenceGrpcService>(), server.Services.GetRequiredService<OpenInferenceGrpcService>());
    }

    [Fact]
    public async Task Messages_above_the_configured_limit_are_refused_as_resource_exhausted()
    {
        const int elements = 33 * 1024 * 1024; // 66 MiB of FP16
        var request = new ModelInferRequest { ModelName = "half" };
        request.Inputs.Add(FraudRequests.Tensor("x", "FP16", 2, elements / 2));
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[elements * 2]));

        var exception = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await _client.ModelInferAsync(request));

        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, exception.StatusCode);
        Assert.Contains("exceeds the limit of 67108864 bytes (64 MiB, Inference:MaxMessageBytes)", exception.Status.Detail);
    }

    [Fact]
    public async Task A_gzip_message_that_inflates_past_the_limit_is_refused_as_resource_exhausted()
    {
        // 66 MiB of zeros travel as about 70 KB: the limit holds for what the message inflates to, not what was sent.
        const int elements = 33 * 1024 * 1024;
        var request = new ModelInferRequest { ModelName = "half" };
        request.Inputs.Add(FraudRequests.Tensor("x", "FP16", 2, elements / 2));
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[elements * 2]));
        var compressed = new Grpc.Core.Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var oversized = server.Services.GetRequiredService<MlopsAspire.Inference.Protocol.OversizedMessages>();
        var refusedBefore = oversized.Total;

        var exception = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await _client.ModelInferAsync(request, compressed));

        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, exception.StatusCode);
        Assert.Contains("exceeds the limit of 67108864 bytes (64 MiB, Inference:MaxMessageBytes)", exception.Status.Detail);
        // Counted, so that the memory it was read into is given back once such requests stop coming.
        Assert.True(oversized.Total > refusedBefore);
    }

    [Fact]
    public async Task Requests_are_counted_on_the_inference_meter()
    {
        using var counter = new RequestCounter(new("model", "fraud"), new("version", "1"), new("status", "OK"));

        var request = FraudRequests.Typed(FraudRequests.Rows(1), FraudRequests.Probability);
        request.ModelVersion = "1";
        await _client.ModelInferAsync(request);

        Assert.True(counter.Observed >= 1);
    }

    [Fact]
    public async Task The_engine_reports_on_its_own_meter_of_this_host()
    {
        // Scoped to this host's meter factory: hosts of other tests in this process have meters of the same name.
        var meters = server.Services.GetRequiredService<IMeterFactory>();
        var observed = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "mlops.inference.engine.requests")
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            if (tags.ToArray().Contains(new("model", "fraud")))
            {
                observed.Add(instrument.Meter.Name);
            }
        });
        listener.Start();

        var request = FraudRequests.Typed(FraudRequests.Rows(1), FraudRequests.Probability);
        request.ModelVersion = "1";
        await _client.ModelInferAsync(request);
        listener.RecordObservableInstruments();

        Assert.Contains(ServingMetrics.MeterName, observed);
        Assert.Equal("MlopsAspire.Serving", ServingMetrics.MeterName);
        Assert.NotEqual(InferenceMetrics.MeterName, ServingMetrics.MeterName);
    }

    private void AssertMatchesMlNet(IReadOnlyList<FraudTransaction> rows, float[] probabilities)
    {
        Assert.Equal(rows.Count, probabilities.Length);
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = server.Fraud.PredictProbability(rows[i].Features);
            Assert.InRange(Math.Abs(probabilities[i] - expected), 0, 1e-5);
        }
    }
}
