using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MlopsAspire.Console.Platform;
using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Console.Tests;

/// <summary>A bUnit context whose console services talk to the test class's real in-process control plane.</summary>
public abstract class ControlPlaneConsoleTest : BunitContext, IClassFixture<ControlPlaneHost>
{
    /// <summary>A safety net for what the pages read from the control plane, never a pause.</summary>
    protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    protected ControlPlaneConsoleTest(ControlPlaneHost host)
    {
        Host = host;
        this.UseControlPlane(host);
    }

    protected ControlPlaneHost Host { get; }

    /// <summary>Signs this context's session in, as the sign-in form would.</summary>
    protected async Task SignInAsync(string key) =>
        Assert.Null(await Services.GetRequiredService<ConsoleSession>().SignInAsync(key, CancellationToken.None));
}
