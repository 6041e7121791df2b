using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol.Rest;

/// <summary>A REST inference request and which of its outputs go back as binary tensor data.</summary>
internal sealed record RestInferenceRequest(InferenceRequest Request, Func<string, bool> IsBinaryOutput);
