using System.Globalization;
using Microsoft.Extensions.Logging;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Writes the platform's logs (every resource's, as the AppHost forwards them) to one file, so a failed end-to-end
/// run can be read afterwards. Used only when MLOPS_E2E_LOG_DIRECTORY names a folder.
/// </summary>
internal sealed class LogFileProvider(string path) : ILoggerProvider
{
    public const string DirectoryVariable = "MLOPS_E2E_LOG_DIRECTORY";

    private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    private readonly Lock _gate = new();

    /// <summary>Adds the provider when the variable is set: one file per platform started.</summary>
    public static void AddIfRequested(ILoggingBuilder logging)
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is not { Length: > 0 } directory)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"platform-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}.log");
        logging.AddProvider(new LogFileProvider(file));
        logging.AddFilter<LogFileProvider>((category, level) =>
            level >= LogLevel.Information && category?.Contains(".Resources.", StringComparison.Ordinal) == true);
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose() => _writer.Dispose();

    private void Write(string line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    private sealed class FileLogger(LogFileProvider provider, string source) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write($"{DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {source} {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
