using System.Runtime.InteropServices;
using MlopsAspire.FraudData;

namespace MlopsAspire.Serving.Tests;

/// <summary>Requests that do not fit the model fail with a message that names the problem and the expectation.</summary>
public sealed class BadInputTests : IDisposable
{
    private const int F = FraudFeatures.Count;
    private readonly ModelRepository _repository = new();
    private readonly InferenceEngine _engine;

    public BadInputTests()
    {
        _repository.Add(TestModels.LoadFraud());
        _repository.SetDefaultVersion("fraud", "1");
        _repository.Add(OnnxModel.Load("add", "1", TestModels.AddTwoInputs()));
        _repository.SetDefaultVersion("add", "1");
        _repository.Add(OnnxModel.Load("int8", "1", TestModels.Identity(TensorDatatype.Int8, -1)));
        _repository.SetDefaultVersion("int8", "1");
        _repository.Add(OnnxModel.Load("bool", "1", TestModels.Identity(TensorDatatype.Bool, -1)));
        _repository.SetDefaultVersion("bool", "1");
        _repository.Add(OnnxModel.Load("text", "1", TestModels.Identity(TensorDatatype.Bytes, -1)));
        _repository.SetDefaultVersion("text", "1");
        _engine = new InferenceEngine(_repository);
    }

    public void Dispose() => _repository.Dispose();

    [Fact]
    public Task Wrong_datatype_names_both_datatypes() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP64", [1, F], TensorData.Typed(new double[F]))),
            "input 'Features' has datatype FP64 but model 'fraud' version '1' expects FP32");

    [Fact]
    public Task Unknown_datatype_is_reported_as_such() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FLOAT", [1, F], TensorData.Typed(new float[F]))),
            "input 'Features' has unknown datatype 'FLOAT'");

    [Fact]
    public Task Wrong_shape_shows_sent_and_expected_shapes() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [2, 9], TensorData.Typed(new float[18]))),
            $"input 'Features' shape [2,9] does not match expected [-1,{F}]");

    [Fact]
    public Task Wrong_rank_shows_sent_and_expected_shapes() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [F], TensorData.Typed(new float[F]))),
            $"input 'Features' shape [{F}] does not match expected [-1,{F}]");

    [Fact]
    public Task Raw_length_mismatch_gives_both_byte_counts() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [1, F], TensorData.Raw(new byte[(F * 4) - 4]))),
            $"raw_input_contents[0] for input 'Features' has {(F * 4) - 4} bytes; shape [1,{F}] of FP32 needs {F * 4}");

    [Fact]
    public Task Typed_count_mismatch_gives_both_counts() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [1, F], TensorData.Typed(new float[F - 1]))),
            $"input 'Features' has {F - 1} values in fp32_contents but shape [1,{F}] needs {F}");

    [Fact]
    public Task Contents_of_the_wrong_type_name_the_right_field() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [1, F], TensorData.Typed(new int[F]))),
            "input 'Features' has datatype FP32 but its contents are int_contents; send FP32 values in fp32_contents or raw_input_contents");

    [Fact]
    public Task Unknown_input_lists_the_model_inputs() =>
        ExpectInvalid(
            Fraud(new InferenceInput("foo", "FP32", [1, F], TensorData.Typed(new float[F]))),
            "unknown input 'foo'; model 'fraud' inputs are: Features");

    [Fact]
    public Task Empty_batch_is_rejected() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [0, F], TensorData.Raw(Array.Empty<byte>()))),
            $"input 'Features' has an empty batch (shape [0,{F}]); send at least one row");

    [Fact]
    public Task Negative_dimension_is_rejected_and_the_shape_shown_as_sent() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [-1, F], TensorData.Typed(new float[F]))),
            $"input 'Features' shape [-1,{F}] has a negative dimension");

    [Fact]
    public async Task A_declared_shape_far_beyond_the_values_sent_is_refused_before_its_buffer_is_rented()
    {
        // The most rows whose FP32 buffer an int can still index: 2 GiB for the one value sent.
        const int Rows = int.MaxValue / sizeof(float) / F;
        var request = Fraud(new InferenceInput("Features", "FP32", [Rows, F], TensorData.Typed(new float[1])));

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        await ExpectInvalid(request, $"input 'Features' has 1 values in fp32_contents but shape [{Rows},{F}] needs {(long)Rows * F}");
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.True(allocated < 1024 * 1024, $"{allocated} bytes allocated to refuse it");
    }

    [Fact]
    public Task A_declared_shape_past_what_a_buffer_can_hold_is_too_large_not_an_internal_error() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [(int.MaxValue / sizeof(float) / F) + 1, F], TensorData.Typed(new float[1]))),
            "FP32 elements one tensor may hold; send fewer rows per request");

    [Fact]
    public Task A_declared_shape_whose_element_count_overflows_is_too_large() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [long.MaxValue / 2, F], TensorData.Raw(new byte[4]))),
            $"input 'Features' shape [{long.MaxValue / 2},{F}] declares more than 2^63 elements");

    [Fact]
    public Task Bytes_elements_declared_beyond_what_the_raw_bytes_can_hold_are_refused_before_any_is_made() =>
        // Every element needs at least its 4-byte length; 4 bytes cannot hold 30 million of them.
        ExpectInvalid(
            new InferenceRequest { ModelName = "text", Inputs = [new InferenceInput("x", "BYTES", [30_000_000], TensorData.Raw(new byte[4]))] },
            "raw_input_contents[0] for input 'x' has 4 bytes, room for at most 1 elements; shape [30000000] of BYTES needs 30000000 elements");

    [Fact]
    public Task Messages_name_the_field_the_callers_protocol_used() =>
        ExpectInvalid(
            Fraud(new InferenceInput("Features", "FP32", [1, F], TensorData.Typed(new float[F - 1], TensorDataTerms.Json))),
            $"input 'Features' has {F - 1} values in data but shape [1,{F}] needs {F}");

    [Fact]
    public async Task Names_the_caller_sent_are_echoed_shortened()
    {
        var name = new string('m', 10_000);
        var exception = await Assert.ThrowsAsync<InferenceException>(() => Infer(new InferenceRequest { ModelName = name, Inputs = [] }));

        Assert.Equal(InferenceErrorKind.NotFound, exception.Kind);
        Assert.StartsWith($"model '{new string('m', EchoedText.MaxLength)}…' is not served", exception.Message);
        Assert.True(exception.Message.Length < 300, $"a message of {exception.Message.Length} characters");
    }

    [Fact]
    public Task Request_without_inputs_lists_the_model_inputs() =>
        ExpectInvalid(
            new InferenceRequest { ModelName = "fraud", Inputs = [] },
            "request has no inputs; model 'fraud' inputs are: Features");

    [Fact]
    public Task Duplicate_input_is_rejected() =>
        ExpectInvalid(
            new InferenceRequest
            {
                ModelName = "fraud",
                Inputs =
                [
                    new InferenceInput("Features", "FP32", [1, F], TensorData.Typed(new float[F])),
                    new InferenceInput("Features", "FP32", [1, F], TensorData.Typed(new float[F])),
                ],
            },
            "input 'Features' appears more than once");

    [Fact]
    public Task Missing_input_is_named_with_its_expected_type_and_shape() =>
        ExpectInvalid(
            new InferenceRequest
            {
                ModelName = "add",
                Inputs = [new InferenceInput("a", "FP32", [1, 2], TensorData.Typed(new float[2]))],
            },
            "missing input 'b' (FP32 [-1,2]); model 'add' requires: a, b");

    [Fact]
    public Task Unknown_requested_output_lists_the_model_outputs() =>
        ExpectInvalid(
            new InferenceRequest
            {
                ModelName = "fraud",
                Inputs = [new InferenceInput("Features", "FP32", [1, F], TensorData.Typed(new float[F]))],
                RequestedOutputs = ["nope"],
            },
            "unknown requested output 'nope'; model 'fraud' outputs are: ");

    [Fact]
    public Task Value_out_of_range_for_a_narrow_integer_type_is_rejected() =>
        ExpectInvalid(
            new InferenceRequest
            {
                ModelName = "int8",
                Inputs = [new InferenceInput("x", "INT8", [3], TensorData.Typed(new[] { 1, 300, 2 }))],
            },
            "input 'x' value 300 at element 1 is out of range for INT8");

    [Fact]
    public Task Raw_bool_other_than_zero_or_one_is_rejected() =>
        ExpectInvalid(
            new InferenceRequest
            {
                ModelName = "bool",
                Inputs = [new InferenceInput("x", "BOOL", [3], TensorData.Raw(new byte[] { 1, 0, 2 }))],
            },
            "has byte 2 at element 2; BOOL elements are 0 or 1");

    [Fact]
    public async Task Inputs_whose_batch_sizes_disagree_are_the_callers_fault()
    {
        var exception = await Assert.ThrowsAsync<InferenceException>(async () =>
        {
            using var _ = await _engine.InferAsync(new InferenceRequest
            {
                ModelName = "add",
                Inputs =
                [
                    new InferenceInput("a", "FP32", [2, 2], TensorData.Typed(new float[4])),
                    new InferenceInput("b", "FP32", [3, 2], TensorData.Typed(new float[6])),
                ],
            });
        });

        Assert.Equal(InferenceErrorKind.InvalidArgument, exception.Kind);
        Assert.Equal("input 'b' dimension 0 ('d0') is 3 but input 'a' has 2; inputs must agree on it", exception.Message);
    }

    [Fact]
    public async Task Unknown_model_names_the_served_models()
    {
        var exception = await Assert.ThrowsAsync<InferenceException>(() => Infer(new InferenceRequest { ModelName = "nope", Inputs = [] }));

        Assert.Equal(InferenceErrorKind.NotFound, exception.Kind);
        Assert.Equal("model 'nope' is not served; served models: add, bool, fraud, int8, text", exception.Message);
    }

    [Fact]
    public async Task Unknown_version_names_the_loaded_versions()
    {
        var exception = await Assert.ThrowsAsync<InferenceException>(
            () => Infer(new InferenceRequest { ModelName = "fraud", ModelVersion = "7", Inputs = [] }));

        Assert.Equal(InferenceErrorKind.NotFound, exception.Kind);
        Assert.Equal("model 'fraud' has no version '7'; loaded versions: 1", exception.Message);
    }

    [Fact]
    public async Task The_engine_keeps_serving_after_bad_requests()
    {
        await Assert.ThrowsAsync<InferenceException>(
            () => Infer(Fraud(new InferenceInput("Features", "FP32", [1, F], TensorData.Raw(new byte[3])))));

        var features = new float[F];
        using var response = await _engine.InferAsync(
            Fraud(new InferenceInput("Features", "FP32", [1, F], TensorData.Raw(MemoryMarshal.AsBytes(features.AsSpan()).ToArray()))));
        Assert.NotEmpty(response.Outputs);
    }

    private static InferenceRequest Fraud(InferenceInput input) => new() { ModelName = "fraud", Inputs = [input] };

    private async Task Infer(InferenceRequest request)
    {
        using var _ = await _engine.InferAsync(request);
    }

    private async Task ExpectInvalid(InferenceRequest request, string expectedMessagePart)
    {
        var exception = await Assert.ThrowsAsync<InferenceException>(() => Infer(request));
        Assert.Equal(InferenceErrorKind.InvalidArgument, exception.Kind);
        Assert.Contains(expectedMessagePart, exception.Message);
    }
}
