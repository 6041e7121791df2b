using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Serving.Batching;

/// <summary>Runs a session on inputs (the model's <see cref="OnnxModel.Run"/>; replaceable in tests).</summary>
internal delegate IDisposableReadOnlyCollection<OrtValue> SessionRunner(PreparedInputs inputs, IReadOnlyList<string> outputNames);
