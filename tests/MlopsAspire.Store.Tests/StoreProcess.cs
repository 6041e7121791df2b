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
    private readonly List<(string Text, TaskCompletionSource Seen)> awaitedLines = [];

    private StoreProcess(Process process) => this.process = process;

    public static async Task<StoreProcess> StartAsync(int port, string dataDirectory, string? password, TimeSpan? shutdownGrace = null)
    {
        var process = Start(port, dataDirectory, password, shutdownGrace);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StoreProcess? started = null;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Garnet listening", StringComparison.Ordinal) == true)
                ready.TrySetResult();
            started?.Seen(line.Data);
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
        started = new StoreProcess(process);
        return started;
    }

    /// <summary>Completes when the executable writes a line containing <paramref name="text"/> (after this call).</summary>
    public Task WaitForOutputAsync(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (awaitedLines)
            awaitedLines.Add((text, seen));
        // A safety net only: the line comes as soon as the executable gets that far.
        return seen.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private void Seen(string? line)
    {
        if (line is null)
            return;
        lock (awaitedLines)
        {
            foreach (var (text, seen) in awaitedLines)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                    seen.TrySetResult();
            }
        }
    }

    public bool HasExited => process.HasExited;

    /// <summary>Sends SIGTERM, as Aspire does, without waiting for the process to exit.</summary>
    public async Task SignalTerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
    }

    /// <summary>Waits for the process to exit (60 s safety net) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode;
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

    private static Process Start(int port, string dataDirectory, string? password, TimeSpan? shutdownGrace = null)
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
        if (shutdownGrace is { } grace)
            start.Environment[EmbeddedGarnetOptions.ShutdownGraceVariable] = ((long)grace.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the store executable.");
    }
}
