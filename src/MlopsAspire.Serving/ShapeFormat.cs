namespace MlopsAspire.Serving;

/// <summary>Formats shapes the way error messages show them: <c>[-1,10]</c>.</summary>
public static class ShapeFormat
{
    public static string Format(IReadOnlyList<long> shape) => "[" + string.Join(',', shape) + "]";
}
