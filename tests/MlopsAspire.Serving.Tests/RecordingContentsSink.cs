namespace MlopsAspire.Serving.Tests;

/// <summary>Collects typed contents as boxed values so tests can compare them with what was sent.</summary>
internal sealed class RecordingContentsSink : ITypedContentsSink
{
    public List<object> Values { get; } = [];

    public string? Kind { get; private set; }

    public void AddBools(ReadOnlySpan<bool> values) => Record("bool", values);

    public void AddInt32s(ReadOnlySpan<int> values) => Record("int", values);

    public void AddInt64s(ReadOnlySpan<long> values) => Record("int64", values);

    public void AddUInt32s(ReadOnlySpan<uint> values) => Record("uint", values);

    public void AddUInt64s(ReadOnlySpan<ulong> values) => Record("uint64", values);

    public void AddFloats(ReadOnlySpan<float> values) => Record("fp32", values);

    public void AddDoubles(ReadOnlySpan<double> values) => Record("fp64", values);

    public void AddBytes(ReadOnlySpan<byte> element)
    {
        Kind = "bytes";
        Values.Add(Convert.ToHexString(element));
    }

    private void Record<T>(string kind, ReadOnlySpan<T> values)
    {
        Kind = kind;
        foreach (var value in values)
        {
            Values.Add(value!);
        }
    }
}
