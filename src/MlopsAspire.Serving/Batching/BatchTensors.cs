using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlopsAspire.Serving.Batching;

/// <summary>
/// Concatenates the inputs of batched requests along the first dimension into pooled buffers, and splits a
/// batch's outputs back into each request's rows in pooled buffers. Plain span copies: batchable models have
/// no BYTES tensors.
/// </summary>
internal static class BatchTensors
{
    /// <summary>The outputs any request of the batch asked for, in signature order.</summary>
    public static IReadOnlyList<string> UnionOfOutputs(ModelSignature signature, List<QueuedRequest> batch)
    {
        var first = batch[0].Request.OutputNames;
        var same = true;
        for (var i = 1; i < batch.Count && same; i++)
        {
            var names = batch[i].Request.OutputNames;
            same = ReferenceEquals(names, first) || names.SequenceEqual(first, StringComparer.Ordinal);
        }

        if (same)
        {
            return first;
        }

        var union = new List<string>(signature.Outputs.Count);
        foreach (var output in signature.Outputs)
        {
            foreach (var entry in batch)
            {
                if (DynamicBatcher.IndexOf(entry.Request.OutputNames, output.Name, 0) >= 0)
                {
                    union.Add(output.Name);
                    break;
                }
            }
        }

        return union;
    }

    public static PreparedInputs Concatenate(ModelSignature signature, List<QueuedRequest> batch, int rows)
    {
        var prepared = new PreparedInputs(signature.Inputs.Count);
        try
        {
            for (var input = 0; input < signature.Inputs.Count; input++)
            {
                var spec = signature.Inputs[input];
                var first = batch[0].Request.Inputs;
                var firstShape = first.Shapes[DynamicBatcher.IndexOf(first.Names, spec.Name, input)];
                var shape = (long[])firstShape.Clone();
                shape[0] = rows;

                var total = 0;
                foreach (var entry in batch)
                {
                    var inputs = entry.Request.Inputs;
                    total += inputs.RawBytes(DynamicBatcher.IndexOf(inputs.Names, spec.Name, input)).Length;
                }

                var buffer = TensorBuffers.Rent(total);
                prepared.Keep(buffer);
                var offset = 0;
                foreach (var entry in batch)
                {
                    var inputs = entry.Request.Inputs;
                    var source = inputs.RawBytes(DynamicBatcher.IndexOf(inputs.Names, spec.Name, input));
                    source.CopyTo(buffer.AsSpan(offset));
                    offset += source.Length;
                }

                var pin = buffer.AsMemory().Pin();
                prepared.Keep(pin);
                unsafe
                {
                    prepared.Add(spec.Name, shape, spec.Datatype.ToOnnx(), (nint)pin.Pointer, total);
                }
            }

            return prepared;
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Each request's rows of each output it asked for, in its order, copied into pooled buffers. Throws when an
    /// output is not batched along dim 0.
    /// </summary>
    public static unsafe ExecutionOutputs[] Split(OnnxModel model, IReadOnlyList<OrtValue> values, IReadOnlyList<string> outputNames, List<QueuedRequest> batch, int rows)
    {
        // Each output's type, shape and memory, looked up once per batch: every lookup is several native calls.
        var rowBytes = new int[values.Count];
        var elementTypes = new TensorElementType[values.Count];
        var shapes = new long[values.Count][];
        var addresses = new nint[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var typeAndShape = values[i].GetTensorTypeAndShape();
            shapes[i] = typeAndShape.Shape;
            elementTypes[i] = typeAndShape.ElementDataType;
            if (shapes[i].Length == 0 || shapes[i][0] != rows)
            {
                throw new InferenceException(
                    InferenceErrorKind.Internal,
                    $"model '{model.Name}' version '{model.Version}' returned output '{outputNames[i]}' with shape {ShapeFormat.Format(shapes[i])} for a batch of {rows} rows; it does not batch along the first dimension, so configure max_batch_size 0");
            }

            var raw = values[i].GetTensorMutableRawData();
            addresses[i] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw));
            rowBytes[i] = raw.Length / rows;
        }

        var results = new ExecutionOutputs[batch.Count];
        var created = 0;
        try
        {
            var rowOffset = 0;
            for (var r = 0; r < batch.Count; r++)
            {
                var request = batch[r].Request;
                var requestRows = batch[r].Rows;
                var slices = new BatchSlice[request.OutputNames.Count];
                results[r] = new ExecutionOutputs(slices);
                created++;
                for (var o = 0; o < slices.Length; o++)
                {
                    var index = DynamicBatcher.IndexOf(outputNames, request.OutputNames[o], o);
                    var length = requestRows * rowBytes[index];
                    var buffer = TensorBuffers.Rent(length);
                    new ReadOnlySpan<byte>((byte*)addresses[index] + ((long)rowOffset * rowBytes[index]), length).CopyTo(buffer);
                    var shape = (long[])shapes[index].Clone();
                    shape[0] = requestRows;
                    // Set once filled: disposing a partly built result returns only the buffers it holds.
                    slices[o] = new BatchSlice(elementTypes[index], shape, buffer, length);
                }

                rowOffset += requestRows;
            }

            return results;
        }
        catch
        {
            for (var r = 0; r < created; r++)
            {
                results[r].Dispose();
            }

            throw;
        }
    }
}
