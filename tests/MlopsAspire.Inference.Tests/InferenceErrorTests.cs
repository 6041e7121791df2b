using Google.Protobuf;
using Grpc.Core;
using Inference;
using MlopsAspire.FraudData;

namespace MlopsAspire.Inference.Tests;

/// <summary>Bad requests get the right status and a message naming the problem; the server keeps serving.</summary>
public sealed class InferenceErrorTests(FraudServerFixture server) : IClassFixture<FraudServerFixture>
{
    private const int F = FraudFeatures.Count;
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = server.Client;

    [Fact]
    public Task Unknown_model_is_not_found_and_named()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(1));
        request.ModelName = "nope";
        return Expect(request, StatusCode.NotFound, "model 'nope' is not served; served models: fraud, half");
    }

    [Fact]
    public Task Unknown_version_is_not_found_and_lists_loaded_versions()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(1));
        request.ModelVersion = "7";
        return Expect(request, StatusCode.NotFound, "model 'fraud' has no version '7'; loaded versions: 1, 2");
    }

    [Fact]
    public Task Wrong_input_name_lists_the_model_inputs()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(1));
        request.Inputs[0].Name = "foo";
        return Expect(request, StatusCode.InvalidArgument, "unknown input 'foo'; model 'fraud' inputs are: Features");
    }

    [Fact]
    public Task Wrong_shape_shows_sent_and_expected_shapes()
    {
        var input = FraudRequests.Tensor("Features", "FP32", 2, 9);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange(new float[18]);
        return Expect(FraudRequests.Request(input), StatusCode.InvalidArgument, $"input 'Features' shape [2,9] does not match expected [-1,{F}]");
    }

    [Fact]
    public Task Wrong_datatype_names_both_datatypes()
    {
        var input = FraudRequests.Tensor("Features", "FP64", 1, F);
        input.Contents = new InferTensorContents();
        input.Contents.Fp64Contents.AddRange(new double[F]);
        return Expect(FraudRequests.Request(input), StatusCode.InvalidArgument, "input 'Features' has datatype FP64 but model 'fraud' version '2' expects FP32");
    }

    [Fact]
    public Task Raw_byte_length_mismatch_gives_both_counts()
    {
        var request = FraudRequests.Request(FraudRequests.Tensor("Features", "FP32", 1, F));
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[(F * 4) - 4]));
        return Expect(request, StatusCode.InvalidArgument, $"raw_input_contents[0] for input 'Features' has {(F * 4) - 4} bytes; shape [1,{F}] of FP32 needs {F * 4}");
    }

    [Fact]
    public Task Empty_batch_is_rejected()
    {
        var request = FraudRequests.Request(FraudRequests.Tensor("Features", "FP32", 0, F));
        return Expect(request, StatusCode.InvalidArgument, $"input 'Features' has an empty batch (shape [0,{F}])");
    }

    [Fact]
    public Task Typed_value_count_mismatch_gives_both_counts()
    {
        var input = FraudRequests.Tensor("Features", "FP32", 1, F);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange(new float[F - 1]);
        return Expect(FraudRequests.Request(input), StatusCode.InvalidArgument, $"input 'Features' has {F - 1} values in fp32_contents but shape [1,{F}] needs {F}");
    }

    [Fact]
    public Task Unknown_requested_output_lists_the_model_outputs() =>
        Expect(FraudRequests.Typed(FraudRequests.Rows(1), "nope"), StatusCode.InvalidArgument, "unknown requested output 'nope'; model 'fraud' outputs are: ");

    [Fact]
    public Task Raw_contents_count_must_match_the_inputs()
    {
        var request = FraudRequests.Raw(FraudRequests.Rows(1));
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));
        return Expect(request, StatusCode.InvalidArgument, "raw_input_contents has 2 entries but the request has 1 inputs");
    }

    [Fact]
    public Task Missing_model_name_is_rejected()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(1));
        request.ModelName = "";
        return Expect(request, StatusCode.InvalidArgument, "model_name is required");
    }

    [Fact]
    public Task Priority_must_be_a_non_negative_integer()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(1));
        request.Parameters["priority"] = new InferParameter { StringParam = "high" };
        return Expect(request, StatusCode.InvalidArgument, "parameter 'priority' must be a non-negative integer");
    }

    [Fact]
    public Task Timeout_must_be_a_non_negative_integer()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(1));
        request.Parameters["timeout"] = new InferParameter { Int64Param = -5 };
        return Expect(request, StatusCode.InvalidArgument, "parameter 'timeout' must be a non-negative integer");
    }

    [Fact]
    public Task A_request_past_its_timeout_before_compute_is_deadline_exceeded()
    {
        var request = FraudRequests.Typed(FraudRequests.Rows(1));
        request.Id = "late";
        // One microsecond is over before the request's inputs are even prepared.
        request.Parameters["timeout"] = new InferParameter { Int64Param = 1 };
        return Expect(request, StatusCode.DeadlineExceeded, "request 'late' to model 'fraud' version '2' passed its timeout");
    }

    [Fact]
    public async Task Model_metadata_of_an_unknown_model_is_not_found()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(
            async () => await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }));
        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
        Assert.Contains("model 'nope' is not served", exception.Status.Detail);
    }

    private async Task Expect(ModelInferRequest request, StatusCode status, string messagePart)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(request));
        Assert.Equal(status, exception.StatusCode);
        Assert.Contains(messagePart, exception.Status.Detail);

        // The server keeps serving after every bad request.
        var response = await _client.ModelInferAsync(FraudRequests.Raw(FraudRequests.Rows(1), FraudRequests.Probability));
        Assert.Single(response.Outputs);
    }
}
