using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mlops.V1;
using MlopsAspire.ControlPlane.Tests;
using MlopsAspire.Inference.Tests;

namespace MlopsAspire.Console.Tests;

/// <summary>The console's own services in a bUnit context, pointed at a real in-process control plane.</summary>
internal static class ConsoleServices
{
    public static FakeTimeProvider UseControlPlane(this BunitContext context, ControlPlaneHost host)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Console:ControlPlaneAddress"] = host.Address })
            .Build();
        context.Services.AddConsole(configuration);
        // The refresh timer only ticks when a test says so.
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        context.Services.AddSingleton<TimeProvider>(time);
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        return time;
    }

    /// <summary>A model with two versions that passed validation (Ready), named after <paramref name="prefix"/>.</summary>
    public static async Task<string> RegisterReadyModelAsync(ControlPlaneHost host, string prefix)
    {
        var name = ControlPlaneHost.UniqueModelName(prefix);
        var client = host.Client(ControlPlaneHost.OperatorKey);
        await client.RegisterAsync(name, TestOnnxModels.AddBias(1f));
        await client.RegisterAsync(name, TestOnnxModels.AddBias(2f));
        await Eventually.Until(async () =>
            (await client.GetModelAsync(new GetModelRequest { Name = name })).Versions.All(v => v.State == ModelVersionState.Ready),
            $"both versions of {name} validated");
        return name;
    }
}
