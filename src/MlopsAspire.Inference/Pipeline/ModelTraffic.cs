using System.Collections.Immutable;
using MlopsAspire.Abstractions;

namespace MlopsAspire.Inference.Pipeline;

/// <summary>A model's canary (null: none) and shadows.</summary>
public sealed record ModelTraffic(CanaryRoute? Canary, ImmutableArray<ShadowRoute> Shadows);
