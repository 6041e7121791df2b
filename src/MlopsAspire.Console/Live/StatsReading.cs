using Mlops.V1;

namespace MlopsAspire.Console.Live;

/// <summary>The statistics of a model's served versions as read at one time.</summary>
public sealed record StatsReading(DateTimeOffset At, ModelStats Stats);
