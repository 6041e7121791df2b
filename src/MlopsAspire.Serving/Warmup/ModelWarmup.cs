using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlopsAspire.Serving.Configuration;

namespace MlopsAspire.Serving.Warmup;

/// <summary>
/// Runs synthetic inputs (small values of the right datatypes and shapes) through a freshly loaded version before
/// it is reported ready, so that the first real requests do not pay for lazy initialisation (allocator arenas,
/// kernel selection, CUDA context). Runs go straight to the session and do not count in the version's statistics.
/// </summary>
public static partial class ModelWarmup
{
    /// <summary>
    /// Runs each batch size of <paramref name="warmup"/> (by default the version's configuration, else batch 1 and
    /// the max batch size) the configured number of times. Throws what the session throws: a version that cannot
    /// run its own synthetic inputs is not ready to serve.
    /// </summary>
    public static IReadOnlyList<WarmupRun> Run(OnnxModel model, WarmupConfiguration? warmup = null, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        warmup ??= model.Configuration.Warmup ?? DefaultFor(model);
        var runs = new List<WarmupRun>();
        foreach (var batchSize in BatchSizes(model, warmup))
        {
            var inputs = SyntheticInputs(model.Signature, batchSize);
            for (var run = 0; run < warmup.Runs; run++)
            {
                using var prepared = TensorCodec.PrepareInputs(model, inputs);
                var started = Stopwatch.GetTimestamp();
                using (model.Run(prepared, model.Signature.OutputNameList))
                {
                    runs.Add(new WarmupRun(batchSize, Stopwatch.GetElapsedTime(started)));
                }
            }
        }

        if (runs.Count > 0 && logger.IsEnabled(LogLevel.Information))
        {
            var batchSizes = string.Join(',', runs.Select(run => run.BatchSize).Distinct());
            var slowest = runs.Max(run => run.Duration).TotalMilliseconds;
            LogWarmedUp(logger, model.Name, model.Version, runs.Count, batchSizes, slowest);
        }

        return runs;
    }

    /// <summary>Batch 1, and the largest batch when the version batches.</summary>
    public static WarmupConfiguration DefaultFor(OnnxModel model) => new()
    {
        BatchSizes = model.Batching.MaxBatchSize > 1 ? [1, model.Batching.MaxBatchSize] : [1],
        Runs = 1,
    };

    private static IEnumerable<int> BatchSizes(OnnxModel model, WarmupConfiguration warmup)
    {
        // A version that does not batch has no batch dimension to vary: one size is enough.
        if (!model.Batching.IsBatching)
        {
            return warmup.BatchSizes.Count > 0 ? [1] : [];
        }

        return warmup.BatchSizes.Select(size => Math.Clamp(size, 1, model.Batching.MaxBatchSize)).Distinct();
    }

    /// <summary>
    /// Inputs for every input of the signature: the first dynamic dimension is <paramref name="batchSize"/> when it
    /// leads the shape, other dynamic dimensions are 1; elements cycle through 0, 1, 2 (0.0, 0.5, 1.0 for floats,
    /// false/true for BOOL, "0"/"1"/"2" for BYTES).
    /// </summary>
    public static IReadOnlyList<InferenceInput> SyntheticInputs(ModelSignature signature, int batchSize)
    {
        var inputs = new List<InferenceInput>(signature.Inputs.Count);
        foreach (var spec in signature.Inputs)
        {
            var shape = new long[spec.Shape.Length];
            long count = 1;
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = spec.Shape[i] >= 0 ? spec.Shape[i] : i == 0 ? batchSize : 1;
                count *= shape[i];
            }

            inputs.Add(new InferenceInput(spec.Name, spec.DatatypeName, shape, TensorData.Raw(SyntheticRaw(spec.Datatype, checked((int)count)))));
        }

        return inputs;
    }

    private static byte[] SyntheticRaw(TensorDatatype datatype, int count)
    {
        if (datatype == TensorDatatype.Bytes)
        {
            // Each element a 4-byte little-endian length and one digit.
            var bytes = new byte[count * 5];
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 5), 1);
                bytes[i * 5 + 4] = (byte)('0' + i % 3);
            }

            return bytes;
        }

        var raw = new byte[count * datatype.ElementSize()];
        for (var i = 0; i < count; i++)
        {
            var small = i % 3;
            switch (datatype)
            {
                case TensorDatatype.Bool:
                    raw[i] = (byte)(i % 2);
                    break;
                case TensorDatatype.UInt8 or TensorDatatype.Int8:
                    raw[i] = (byte)small;
                    break;
                case TensorDatatype.UInt16 or TensorDatatype.Int16:
                    MemoryMarshal.Cast<byte, short>(raw.AsSpan())[i] = (short)small;
                    break;
                case TensorDatatype.UInt32 or TensorDatatype.Int32:
                    MemoryMarshal.Cast<byte, int>(raw.AsSpan())[i] = small;
                    break;
                case TensorDatatype.UInt64 or TensorDatatype.Int64:
                    MemoryMarshal.Cast<byte, long>(raw.AsSpan())[i] = small;
                    break;
                case TensorDatatype.Fp16:
                    MemoryMarshal.Cast<byte, Half>(raw.AsSpan())[i] = (Half)(small * 0.5f);
                    break;
                case TensorDatatype.Bf16:
                    MemoryMarshal.Cast<byte, ushort>(raw.AsSpan())[i] = ReducedPrecision.ToBFloat16(small * 0.5f);
                    break;
                case TensorDatatype.Fp32:
                    MemoryMarshal.Cast<byte, float>(raw.AsSpan())[i] = small * 0.5f;
                    break;
                case TensorDatatype.Fp64:
                    MemoryMarshal.Cast<byte, double>(raw.AsSpan())[i] = small * 0.5;
                    break;
            }
        }

        return raw;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up model {Model} version {Version}: {Runs} runs, batch sizes {BatchSizes}, slowest {SlowestMs:0.###} ms")]
    private static partial void LogWarmedUp(ILogger logger, string model, string version, int runs, string batchSizes, double slowestMs);
}
