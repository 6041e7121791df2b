namespace MlopsAspire.Training;

/// <summary>Hyperparameters of the FastTree fraud classifier and the seed that makes training reproducible.</summary>
public sealed record FraudTrainingOptions
{
    /// <summary>Seed of ML.NET, the trees and the holdout split.</summary>
    public int Seed { get; init; } = 42;

    public int NumberOfTrees { get; init; } = 100;

    public int NumberOfLeaves { get; init; } = 20;

    public int MinimumExampleCountPerLeaf { get; init; } = 10;

    public double LearningRate { get; init; } = 0.2;

    /// <summary>How lineage names this trainer: the pipeline a retraining run must repeat.</summary>
    public const string Trainer = "mlnet-fasttree";

    /// <summary>The hyperparameters as lineage records them (the seed is recorded on its own).</summary>
    public IReadOnlyDictionary<string, string> ToParameters() => new Dictionary<string, string>
    {
        [nameof(NumberOfTrees)] = NumberOfTrees.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(NumberOfLeaves)] = NumberOfLeaves.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(MinimumExampleCountPerLeaf)] = MinimumExampleCountPerLeaf.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [nameof(LearningRate)] = LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The options a lineage recorded; parameters it lacks keep their defaults. A value that is not a number throws
    /// <see cref="ArgumentException"/> naming it.
    /// </summary>
    public static FraudTrainingOptions FromParameters(IReadOnlyDictionary<string, string>? parameters, int? seed)
    {
        var options = new FraudTrainingOptions();
        if (seed is { } recordedSeed)
        {
            options = options with { Seed = recordedSeed };
        }

        if (parameters is null)
        {
            return options;
        }

        return options with
        {
            NumberOfTrees = Read(parameters, nameof(NumberOfTrees), options.NumberOfTrees),
            NumberOfLeaves = Read(parameters, nameof(NumberOfLeaves), options.NumberOfLeaves),
            MinimumExampleCountPerLeaf = Read(parameters, nameof(MinimumExampleCountPerLeaf), options.MinimumExampleCountPerLeaf),
            LearningRate = parameters.TryGetValue(nameof(LearningRate), out var rate)
                ? double.TryParse(rate, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > 0
                    ? parsed
                    : throw new ArgumentException($"lineage parameter {nameof(LearningRate)} '{rate}' is not a positive number")
                : options.LearningRate,
        };
    }

    private static int Read(IReadOnlyDictionary<string, string> parameters, string name, int fallback) =>
        !parameters.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new ArgumentException($"lineage parameter {name} '{text}' is not a positive integer");
}
