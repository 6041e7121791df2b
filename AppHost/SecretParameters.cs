namespace MlopsAspire.AppHost;

/// <summary>Secrets the AppHost makes up itself, so `dotnet run` needs no setup and nothing secret is checked in.</summary>
internal static class SecretParameters
{
    /// <summary>
    /// A secret parameter with a generated value of 32 letters and digits (safe inside connection strings and
    /// headers), persisted in the AppHost's user secrets (<c>Parameters:{name}</c>) so it survives restarts. Set
    /// <c>Parameters:{name}</c> yourself to choose it; the dashboard shows it on demand after login.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
}
