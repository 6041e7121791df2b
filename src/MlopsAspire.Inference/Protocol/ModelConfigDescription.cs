using Inference;
using MlopsAspire.Inference.Protocol.Grpc;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Batching;

namespace MlopsAspire.Inference.Protocol;

/// <summary>
/// Describes a loaded version as Triton's model configuration. A version whose requests the dynamic batcher
/// concatenates has max_batch_size set and dims without the batch dimension, as Triton reports it; otherwise
/// max_batch_size is 0 and the dims are the full shapes (with -1 where any size is accepted).
/// </summary>
public sealed class ModelConfigDescription(IInferenceExecutor executor)
{
    public const string Backend = "onnxruntime";

    /// <summary>The parameter that says why the version runs as many instances as it does.</summary>
    public const string ExecutionPlanParameter = "execution_plan";

    /// <summary>The version's batching options when its requests are batched here, else null.</summary>
    public BatchingOptions? BatchingOf(OnnxModel model) =>
        executor is BatchingInferenceExecutor && model.Batching.IsBatching ? model.Batching : null;

    public ModelConfig Describe(OnnxModel model)
    {
        var batching = BatchingOf(model);
        var config = new ModelConfig
        {
            Name = model.Name,
            Platform = OpenInferenceGrpcService.Platform,
            Backend = Backend,
            MaxBatchSize = batching?.MaxBatchSize ?? 0,
        };
        foreach (var input in model.Signature.Inputs)
        {
            var described = new ModelInput { Name = input.Name, DataType = ToDataType(input.Datatype) };
            described.Dims.AddRange(Dims(input, batching));
            config.Input.Add(described);
        }

        foreach (var output in model.Signature.Outputs)
        {
            var described = new ModelOutput { Name = output.Name, DataType = ToDataType(output.Datatype) };
            described.Dims.AddRange(Dims(output, batching));
            config.Output.Add(described);
        }

        if (batching is not null)
        {
            config.DynamicBatching = new ModelDynamicBatching
            {
                MaxQueueDelayMicroseconds = (ulong)Math.Max(0, (long)batching.MaxQueueDelay.TotalMicroseconds),
                PriorityLevels = (ulong)Math.Max(0, batching.PriorityLevels),
                DefaultPriorityLevel = (ulong)Math.Max(0, batching.DefaultPriorityLevel),
            };
            config.DynamicBatching.PreferredBatchSize.AddRange(batching.PreferredBatchSizes);
        }

        config.InstanceGroup.Add(new ModelInstanceGroup
        {
            Name = model.Name,
            Count = model.Batching.InstanceCount,
            Kind = model.ExecutionProvider == ExecutionProvider.Cuda ? ModelInstanceGroup.Types.Kind.Gpu : ModelInstanceGroup.Types.Kind.Cpu,
        });
        config.Parameters.Add(ExecutionPlanParameter, new ModelParameter { StringValue = model.Plan.Reason });
        return config;
    }

    /// <summary>A tensor's dims as the configuration lists them: without the batch dimension when batched.</summary>
    public static IReadOnlyList<long> Dims(TensorSpec spec, BatchingOptions? batching) =>
        batching is null ? spec.Shape : spec.Shape[1..];

    /// <summary>Triton's configuration name of a datatype, e.g. TYPE_FP32 (TYPE_STRING for BYTES).</summary>
    public static string ToConfigName(TensorDatatype datatype) =>
        datatype == TensorDatatype.Bytes ? "TYPE_STRING" : "TYPE_" + datatype.ToWireName();

    private static DataType ToDataType(TensorDatatype datatype) => datatype switch
    {
        TensorDatatype.Bool => DataType.TypeBool,
        TensorDatatype.UInt8 => DataType.TypeUint8,
        TensorDatatype.UInt16 => DataType.TypeUint16,
        TensorDatatype.UInt32 => DataType.TypeUint32,
        TensorDatatype.UInt64 => DataType.TypeUint64,
        TensorDatatype.Int8 => DataType.TypeInt8,
        TensorDatatype.Int16 => DataType.TypeInt16,
        TensorDatatype.Int32 => DataType.TypeInt32,
        TensorDatatype.Int64 => DataType.TypeInt64,
        TensorDatatype.Fp16 => DataType.TypeFp16,
        TensorDatatype.Bf16 => DataType.TypeBf16,
        TensorDatatype.Fp32 => DataType.TypeFp32,
        TensorDatatype.Fp64 => DataType.TypeFp64,
        TensorDatatype.Bytes => DataType.TypeString,
        _ => DataType.TypeInvalid,
    };
}
