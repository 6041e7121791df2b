namespace MlopsAspire.Serving;

/// <summary>How much ONNX Runtime rewrites the graph when it creates a session.</summary>
public enum GraphOptimization
{
    Disable,
    Basic,
    Extended,
    All,
}
