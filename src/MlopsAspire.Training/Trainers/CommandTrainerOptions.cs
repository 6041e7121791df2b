namespace MlopsAspire.Training.Trainers;

/// <summary>
/// A command an administrator allow-listed for the <c>command</c> trainer (worker configuration
/// <c>Training:Commands:NAME</c>): the program, its arguments with placeholders, and how long it may run. A model's
/// config names the command; it never carries a command line.
/// </summary>
/// <remarks>
/// Placeholders in <see cref="Arguments"/>: <c>{data}</c> the training CSV (header: feature names, then the label
/// column), <c>{parent}</c> the parent's ONNX file, <c>{output}</c> where the command writes the candidate's ONNX file,
/// <c>{label}</c> the label column's name, <c>{task}</c> the task (binary-classification, ...), <c>{parameters}</c> a
/// JSON file of the config's <c>training.parameters</c>, <c>{work}</c> the run's folder.
/// </remarks>
public sealed class CommandTrainerOptions
{
    public static IReadOnlyList<string> Placeholders { get; } = ["{data}", "{parent}", "{output}", "{label}", "{task}", "{parameters}", "{work}"];

    /// <summary>The program to run: an absolute path, or a name looked up on PATH.</summary>
    public string Executable { get; set; } = "";

    /// <summary>Its arguments, one per entry (no shell parsing), with placeholders.</summary>
    public List<string> Arguments { get; set; } = [];

    /// <summary>How long it may run before its process tree is killed and the run fails.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Throws naming the command and the first bad value, so a misconfigured worker stops at start-up.</summary>
    public void Validate(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            throw new InvalidOperationException($"Training:Commands has a command named '{name}'; names are 1 to 64 characters");
        }

        if (string.IsNullOrWhiteSpace(Executable))
        {
            throw new InvalidOperationException($"Training:Commands:{name}:Executable is empty");
        }

        if (TimeLimit <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Training:Commands:{name}:TimeLimit must be positive; got {TimeLimit}");
        }

        foreach (var argument in Arguments)
        {
            var unknown = System.Text.RegularExpressions.Regex.Matches(argument, @"\{[a-z]+\}")
                .Select(match => match.Value)
                .FirstOrDefault(placeholder => !Placeholders.Contains(placeholder));
            if (unknown is not null)
            {
                throw new InvalidOperationException(
                    $"Training:Commands:{name}:Arguments has the unknown placeholder {unknown}; placeholders are {string.Join(", ", Placeholders)}");
            }
        }

        if (!Arguments.Any(argument => argument.Contains("{output}", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"Training:Commands:{name}:Arguments must pass {{output}}: the path the command writes its ONNX model to");
        }
    }
}
