using System.Runtime.InteropServices;

namespace MlopsAspire.ControlPlane.Validation;

/// <summary>
/// How to start the validation sandbox: <c>dotnet MlopsAspire.ValidationSandbox.dll</c> with the same .NET host that
/// runs the control plane (found from the runtime's own folder, so it works under <c>dotnet run</c>, an apphost, a
/// test runner or a container alike), or the sandbox's apphost where there is no shared host (a self-contained
/// publish).
/// </summary>
public sealed record SandboxCommand(string FileName, IReadOnlyList<string> LeadingArguments)
{
    public const string AssemblyName = "MlopsAspire.ValidationSandbox";

    public static SandboxCommand Locate(string? sandboxPath)
    {
        var assembly = string.IsNullOrWhiteSpace(sandboxPath)
            ? Path.Combine(AppContext.BaseDirectory, AssemblyName + ".dll")
            : Path.GetFullPath(sandboxPath);
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException(
                $"The validation sandbox {assembly} is missing; it is built beside the control plane (Validation:SandboxPath overrides where it is looked for).");
        }

        if (DotnetHost() is { } host)
        {
            return new SandboxCommand(host, [assembly]);
        }

        var appHost = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        return File.Exists(appHost)
            ? new SandboxCommand(appHost, [])
            : throw new InvalidOperationException($"Found no .NET host to run the validation sandbox {assembly} with, and no apphost beside it.");
    }

    /// <summary>The runtime lives in <c>&lt;dotnet root&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;/</c>; the host sits at the root.</summary>
    private static string? DotnetHost()
    {
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : null;
    }
}
