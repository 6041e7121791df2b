namespace MlopsAspire.LoadTest.Workloads;

/// <summary>How input tensors travel: raw_input_contents (what Triton clients send) or typed contents.</summary>
public enum TensorEncoding
{
    Raw,
    Typed,
}
