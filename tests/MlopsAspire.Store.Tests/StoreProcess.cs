using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MlopsAspire.Store.Tests;

/// <summary>The MlopsAspire.Store executable (copied next to the tests) as a child process, as the AppHost runs it.</summary>
internal sealed class StoreProcess : IDisposable
{
    /// <summary>The password the tests give the executable (GARNET_PASSWORD), as the AppHost gives its generated one.</summary>
    public const string Password = "store-tests-password-0123456789abcdef";

    private readonly Process process;

    private StoreProcess(Process process) => this.process = process;

    public static async Task<StoreProcess> StartAsync(int port, string dataDirectory, string? password)
    {
        var process = Start(port, dataDirectory, password);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Garnet listening", StringComparison.Ordinal) == true)
                ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))) != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The store executable did not report listening on port {port}.");
        }
        return new StoreProcess(process);
    }

    /// <summary>Runs the executable until it exits by itself; returns its exit code and what it wrote to stderr.</summary>
    public static async Task<(int ExitCode, string Error)> RunToExitAsync(int port, string dataDirectory, string? password)
    {
        using var process = Start(port, dataDirectory, password);
        var error = new StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (error)
                error.AppendLine(line.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The store executable kept running on port {port}.");
        }
        lock (error)
            return (process.ExitCode, error.ToString());
    }

    /// <summary>Sends SIGTERM, as Aspire does, and returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill!.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode;
    }

    public void Kill()
    {
        process.Kill();
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill();
        process.Dispose();
    }

    private static Process Start(int port, string dataDirectory, string? password)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MlopsAspire.Store.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        start.Environment[EmbeddedGarnetOptions.PortVariable] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment[EmbeddedGarnetOptions.DataDirectoryVariable] = dataDirectory;
        // Never inherit one from the environment the tests run in.
        start.Environment.Remove(EmbeddedGarnetOptions.PasswordVariable);
        if (password is not null)
            start.Environment[EmbeddedGarnetOptions.PasswordVariable] = password;
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the store executable.");
    }
}
