using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Inference;
using MlopsAspire.LoadTest.Targets;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>Requests for a model the tool does not know, from its metadata or from a request body.</summary>
public sealed class ModelRequestTests
{
    private static readonly Dictionary<string, IReadOnlyList<long>> NoShapes = [];

    [Fact]
    public void Dynamic_dimensions_take_the_batch_first_and_one_after_and_fixed_ones_stay()
    {
        var metadata = Metadata(("features", "FP32", [-1, 12]), ("tokens", "INT64", [-1, -1]), ("scale", "FP64", [1]));

        var inputs = ModelRequests.ResolveInputs(metadata, batchSize: 8, NoShapes);

        Assert.Equal(
            ["features FP32 [8,12]", "tokens INT64 [8,1]", "scale FP64 [1]"],
            inputs.Select(input => input.ToString()));
    }

    [Fact]
    public void A_shape_override_gives_an_input_its_whole_shape()
    {
        var metadata = Metadata(("tokens", "INT32", [-1, -1]));

        var inputs = ModelRequests.ResolveInputs(metadata, batchSize: 2, new Dictionary<string, IReadOnlyList<long>> { ["tokens"] = [2, 128] });

        Assert.Equal([2L, 128L], inputs[0].Shape);
    }

    [Theory]
    [InlineData("--shape tokens:3,128 starts with 3, but the first (batch) dimension is --batch-size 2", "tokens", new long[] { 3, 128 }, 2)]
    [InlineData("--shape tokens:2 does not fit churn's tokens INT32 [-1,-1]", "tokens", new long[] { 2 }, 2)]
    [InlineData("--shape names 'mask', which is not an input of churn (its inputs: tokens INT32 [-1,-1])", "mask", new long[] { 2, 4 }, 2)]
    public void A_shape_override_that_does_not_fit_the_model_names_the_input(string expected, string input, long[] shape, int batchSize)
    {
        var metadata = Metadata(("tokens", "INT32", [-1, -1]));

        var exception = Assert.Throws<InvalidOperationException>(() =>
            ModelRequests.ResolveInputs(metadata, batchSize, new Dictionary<string, IReadOnlyList<long>> { [input] = shape }));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_the_model_cannot_take_is_refused_before_any_request_is_sent()
    {
        var fixedBatch = Metadata(("image", "FP32", [1, 3, 8, 8]));
        var exception = Assert.Throws<InvalidOperationException>(() => ModelRequests.ResolveInputs(fixedBatch, batchSize: 4, NoShapes));
        Assert.Contains("--batch-size 4 cannot be sent to churn: no input has a dynamic first dimension (image FP32 [1,3,8,8]); use --batch-size 1", exception.Message, StringComparison.Ordinal);

    }

    [Fact]
    public void A_batch_above_max_batch_size_is_sent_and_the_report_says_how_servers_differ_on_it()
    {
        // Triton refuses such a request and this platform serves it in a batch of its own: the tool sends it either way.
        var batched = Metadata(("x", "FP32", [-1, 2]));
        Assert.Equal([64L, 2L], Assert.Single(ModelRequests.ResolveInputs(batched, batchSize: 64, NoShapes)).Shape);

        Assert.Equal(
            "64, above the model's max_batch_size 32: Triton refuses such requests; this platform runs each in a batch of its own, not batched with others",
            ModelRequests.DescribeBatch(64, maxBatchSize: 32));
        Assert.Equal("32", ModelRequests.DescribeBatch(32, maxBatchSize: 32));
        Assert.Equal("64", ModelRequests.DescribeBatch(64, maxBatchSize: 0));
    }

    [Fact]
    public void A_dimension_below_minus_one_cannot_be_chosen_and_asks_for_a_shape()
    {
        var metadata = Metadata(("x", "FP32", [-1, -2]));

        var exception = Assert.Throws<InvalidOperationException>(() => ModelRequests.ResolveInputs(metadata, batchSize: 1, NoShapes));

        Assert.Contains("input 'x' of churn has dimension 1 = -2, which the load tool cannot choose; give the whole shape with --shape x:D,D,...", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_requests_carry_every_datatype_as_raw_bytes_of_the_right_length()
    {
        var metadata = Metadata(
            ("f32", "FP32", [-1, 3]), ("f64", "FP64", [-1, 3]), ("f16", "FP16", [-1, 3]), ("bf16", "BF16", [-1, 3]),
            ("i8", "INT8", [-1, 3]), ("i16", "INT16", [-1, 3]), ("i32", "INT32", [-1, 3]), ("i64", "INT64", [-1, 3]),
            ("u8", "UINT8", [-1, 3]), ("u16", "UINT16", [-1, 3]), ("u32", "UINT32", [-1, 3]), ("u64", "UINT64", [-1, 3]),
            ("flag", "BOOL", [-1, 3]), ("text", "BYTES", [-1, 3]));
        var inputs = ModelRequests.ResolveInputs(metadata, batchSize: 2, NoShapes);

        var requests = ModelRequests.Generate("churn", "3", inputs, TensorEncoding.Raw, seed: 5);

        Assert.True(requests.All.Count > 1, "a few distinct requests");
        var request = requests.First;
        Assert.Equal(("churn", "3"), (request.ModelName, request.ModelVersion));
        Assert.Equal(metadata.Inputs.Select(input => (input.Name, input.Datatype)), request.Inputs.Select(input => (input.Name, input.Datatype)));
        Assert.All(request.Inputs, input => Assert.Equal([2L, 3L], input.Shape));
        Assert.Equal(
            [24, 48, 12, 12, 6, 12, 24, 48, 6, 12, 24, 48, 6, 6 * (4 + InputTensorValues.BytesElementLength)],
            request.RawInputContents.Select(raw => raw.Length));
        var f32 = MemoryMarshal.Cast<byte, float>(request.RawInputContents[0].Span).ToArray();
        Assert.All(f32, value => Assert.InRange(value, 0f, 1f));
        Assert.All(request.RawInputContents[7].Span.ToArray().Chunk(8), value => Assert.InRange(BinaryPrimitives.ReadInt64LittleEndian(value), 0, InputTensorValues.IntegerBound - 1));
        Assert.All(request.RawInputContents[12].Span.ToArray(), value => Assert.True(value is 0 or 1));
        Assert.Equal(InputTensorValues.BytesElementLength, BinaryPrimitives.ReadInt32LittleEndian(request.RawInputContents[13].Span));
    }

    [Fact]
    public void The_same_seed_makes_the_same_requests_and_another_seed_others()
    {
        var inputs = ModelRequests.ResolveInputs(Metadata(("x", "FP32", [-1, 4])), batchSize: 1, NoShapes);

        var first = ModelRequests.Generate("churn", null, inputs, TensorEncoding.Raw, seed: 1);
        var again = ModelRequests.Generate("churn", null, inputs, TensorEncoding.Raw, seed: 1);
        var other = ModelRequests.Generate("churn", null, inputs, TensorEncoding.Raw, seed: 2);

        Assert.Equal(first.All, again.All);
        Assert.NotEqual(first.First, other.First);
        Assert.NotEqual(first.All[0].RawInputContents[0], first.All[1].RawInputContents[0]);
    }

    [Fact]
    public void Typed_encoding_fills_the_contents_field_and_refuses_datatypes_that_travel_only_raw()
    {
        var inputs = ModelRequests.ResolveInputs(Metadata(("ids", "INT64", [-1]), ("text", "BYTES", [-1])), batchSize: 3, NoShapes);

        var request = ModelRequests.Generate("churn", null, inputs, TensorEncoding.Typed, seed: 1).First;

        Assert.Empty(request.RawInputContents);
        Assert.Equal(3, request.Inputs[0].Contents.Int64Contents.Count);
        Assert.Equal(3, request.Inputs[1].Contents.BytesContents.Count);
        var halves = ModelRequests.ResolveInputs(Metadata(("h", "FP16", [-1])), batchSize: 1, NoShapes);
        var exception = Assert.Throws<InvalidOperationException>(() => ModelRequests.Generate("churn", null, halves, TensorEncoding.Typed, seed: 1));
        Assert.Contains("input 'h' is FP16, which the protocol carries only as raw_input_contents: drop --encoding typed", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_data_is_sent_as_given_in_raw_bytes_with_its_requested_outputs()
    {
        var metadata = Metadata(("age", "FP32", [-1, 2]), ("plan", "BYTES", [-1]), ("flags", "UINT8", [-1, 2]));
        const string Body = """
            {
              "inputs": [
                { "name": "plan", "shape": [2], "datatype": "BYTES", "data": ["gold", "basic"] },
                { "name": "age", "shape": [2, 2], "datatype": "FP32", "data": [[1.5, 2], [3, 4]] },
                { "name": "flags", "shape": [2, 2], "datatype": "UINT8", "data": [1, 0, 255, 7] }
              ],
              "outputs": [ { "name": "churned" } ]
            }
            """;

        var (requests, inputs) = ModelRequests.FromInputData(Encoding.UTF8.GetBytes(Body), "body.json", metadata, "1", TensorEncoding.Raw);

        var request = Assert.Single(requests.All);
        Assert.Equal(["age FP32 [2,2]", "plan BYTES [2]", "flags UINT8 [2,2]"], inputs.Select(input => input.ToString()));
        Assert.Equal([1.5f, 2f, 3f, 4f], MemoryMarshal.Cast<byte, float>(request.RawInputContents[0].Span).ToArray());
        Assert.Equal([4, 0, 0, 0, .. "gold"u8, 5, 0, 0, 0, .. "basic"u8], request.RawInputContents[1].ToByteArray());
        Assert.Equal([1, 0, 255, 7], request.RawInputContents[2].ToByteArray());
        Assert.Equal("churned", Assert.Single(request.Outputs).Name);
        Assert.Equal("1", request.ModelVersion);
    }

    [Theory]
    [InlineData("""{ "inputs": [] }""", "--input-data body.json has no input 'age', which churn needs (age FP32 [-1,2])")]
    [InlineData("""{ "inputs": [ { "name": "age", "shape": [1, 2], "datatype": "FP64", "data": [1, 2] } ] }""", "--input-data body.json: input 'age' is FP64, but churn takes FP32")]
    [InlineData("""{ "inputs": [ { "name": "age", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3] } ] }""", "--input-data body.json: input 'age' has shape [1,3], but churn takes [-1,2] (-1: any size)")]
    [InlineData("""{ "inputs": [ { "name": "age", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3] } ] }""", "--input-data body.json: input 'age' has 3 values, but its shape [2,2] holds 4")]
    [InlineData("""{ "inputs": [ { "name": "age", "shape": [1, 2], "datatype": "FP32", "data": [1, 2] }, { "name": "tenure", "shape": [1], "datatype": "INT32", "data": [3] } ] }""", "--input-data body.json has input 'tenure', which churn does not take (its inputs: age FP32 [-1,2])")]
    [InlineData("""{ "inputs": [ { "name": "age", "shape": [1, 2], "datatype": "FP32", "data": [1, "two"] } ] }""", "--input-data body.json is not a KServe v2 inference request: input 'age' element 1 is \"two\", which is not a FP32 value")]
    [InlineData("""[1, 2]""", "--input-data body.json is not a KServe v2 inference request: the request body must be a JSON object with \"inputs\"")]
    public void Input_data_that_does_not_fit_the_model_names_the_input(string body, string expected)
    {
        var metadata = Metadata(("age", "FP32", [-1, 2]));

        var exception = Assert.Throws<InvalidOperationException>(() =>
            ModelRequests.FromInputData(Encoding.UTF8.GetBytes(body), "body.json", metadata, null, TensorEncoding.Raw));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_integer_outside_its_datatype_is_named_rather_than_wrapped()
    {
        var metadata = Metadata(("level", "INT8", [1]));
        const string Body = """{ "inputs": [ { "name": "level", "shape": [1], "datatype": "INT8", "data": [300] } ] }""";

        var exception = Assert.Throws<InvalidOperationException>(() =>
            ModelRequests.FromInputData(Encoding.UTF8.GetBytes(Body), "body.json", metadata, null, TensorEncoding.Raw));

        Assert.Contains("input 'level' has the value 300, outside INT8's range -128..127", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_whose_metadata_disagree_on_the_inputs_are_told_apart_before_any_request()
    {
        var served = Metadata(("x", "FP32", [-1, 5]));

        Assert.Null(ServedModel.InputsDiffer(served, Metadata(("x", "FP32", [-1, 5]))));
        Assert.Equal("x FP32 [-1,6] there, x FP32 [-1,5] at the first", ServedModel.InputsDiffer(served, Metadata(("x", "FP32", [-1, 6]))));
        Assert.Equal("x FP64 [-1,5] there, x FP32 [-1,5] at the first", ServedModel.InputsDiffer(served, Metadata(("x", "FP64", [-1, 5]))));
    }

    private static ModelMetadataResponse Metadata(params (string Name, string Datatype, long[] Shape)[] inputs)
    {
        var metadata = new ModelMetadataResponse { Name = "churn", Platform = "onnxruntime_onnx", Versions = { "1" } };
        foreach (var (name, datatype, shape) in inputs)
        {
            metadata.Inputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = name, Datatype = datatype, Shape = { shape } });
        }

        return metadata;
    }
}
