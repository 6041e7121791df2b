using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace MlopsAspire.LogisticRegressionTrainer;

/// <summary>
/// The command line: <c>DATA_CSV PARENT_ONNX OUTPUT_ONNX [--label NAME] [--iterations N] [--learning-rate R]</c>.
/// Exit code 0 with the model written, 2 with the reason on stderr when the arguments, the data or the parent do not
/// fit a logistic regression of one probability per row.
/// </summary>
public static class TrainingCommand
{
    public static int Run(string[] args, TextWriter error)
    {
        try
        {
            if (args.Length < 3)
            {
                throw new UsageException("usage: DATA_CSV PARENT_ONNX OUTPUT_ONNX [--label NAME] [--iterations N] [--learning-rate R]");
            }

            var label = Option(args, "--label") ?? "label";
            var iterations = int.Parse(Option(args, "--iterations") ?? "300", CultureInfo.InvariantCulture);
            var learningRate = double.Parse(Option(args, "--learning-rate") ?? "0.5", CultureInfo.InvariantCulture);
            var parent = ModelProto.Parser.ParseFrom(File.ReadAllBytes(args[1]));
            var (features, labels, names) = TrainingCsv.Read(args[0], label);
            var model = LogisticRegression.Fit(features, labels, iterations, learningRate);
            File.WriteAllBytes(args[2], LinearOnnxModel.Write(model, parent, names.Count).ToByteArray());
            error.WriteLine($"fitted {names.Count} weights on {labels.Length} rows in {iterations} iterations");
            return 0;
        }
        catch (Exception exception) when (exception is UsageException or IOException or FormatException or InvalidProtocolBufferException)
        {
            error.WriteLine(exception.Message);
            return 2;
        }
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}

/// <summary>The input cannot be trained on; the message says why.</summary>
public sealed class UsageException(string message) : Exception(message);
