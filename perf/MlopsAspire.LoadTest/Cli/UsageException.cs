namespace MlopsAspire.LoadTest.Cli;

/// <summary>A command line the load generator cannot run; the message says what to change.</summary>
public sealed class UsageException(string message) : Exception(message);
