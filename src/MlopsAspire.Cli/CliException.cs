namespace MlopsAspire.Cli;

/// <summary>A failure the user can fix, with the one line that tells them how.</summary>
public sealed class CliException(string message) : Exception(message);
