using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace MlopsAspire.Grains.Storage;

public static class GrainStorageRegistration
{
    /// <summary>
    /// Makes the model storage provider (<see cref="GrainStorageNames.Models"/>) write state with
    /// <see cref="GrainStateJsonSerializer"/>. Storage providers look for a serializer keyed by their own name
    /// before the silo-wide default, so this applies however the provider itself is configured.
    /// </summary>
    public static IServiceCollection AddModelStateSerializer(this IServiceCollection services) =>
        services.AddKeyedSingleton<IGrainStorageSerializer>(
            GrainStorageNames.Models,
            (provider, _) => new GrainStateJsonSerializer(provider));
}
