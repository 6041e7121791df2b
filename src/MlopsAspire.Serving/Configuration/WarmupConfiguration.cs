
namespace MlopsAspire.Serving.Configuration;

/// <summary>The <c>warmup</c> section: each batch size is run <see cref="Runs"/> times before the version is ready.</summary>
public sealed record WarmupConfiguration
{
    public IReadOnlyList<int> BatchSizes { get; init; } = [1];

    public int Runs { get; init; } = 1;
}
