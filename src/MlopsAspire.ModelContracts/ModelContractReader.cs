using System.Globalization;
using System.Text.Json;

namespace MlopsAspire.ModelContracts;

/// <summary>
/// Reads the contract keys of a config document:
/// <code>
/// {
///   "task": "binary-classification",            // or multiclass-classification, regression, other
///   "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"],
///                      "ranges": { "wind": [0, 200] }, "categories": { "station": [1, 2, 3] } } },
///   "outputs": { "score": "p",                  // or { "name": "probabilities", "column": 1 }
///                "label": "label", "classes": ["dry", "rain"] },
///   "feedback": { "labels": "binary" },          // or class-name, class-index, numeric
///   "training": { "trainer": "mlnet-lightgbm", "label": "rain", "parameters": { "NumberOfLeaves": 31 } }
///                                               // or { "trainer": "command", "command": "my-trainer", ... }
/// }
/// </code>
/// Every key is optional; unknown keys and values that contradict each other are refused by name. The serving keys of
/// the same document (max_batch_size, dynamic_batching, ...) are the serving parser's; this reader skips them.
/// </summary>
public static class ModelContractReader
{
    public const int MaxFeatures = 4096;
    public const int MaxClasses = 1000;
    private const int MaxParameters = 64;
    private const int MaxCategories = 1000;

    /// <summary>The document's top-level keys that belong to the contract.</summary>
    public static IReadOnlyList<string> RootKeys { get; } = ["task", "inputs", "outputs", "feedback", "training"];

    private static readonly Dictionary<string, ModelTask> Tasks = new(StringComparer.Ordinal)
    {
        ["binary-classification"] = ModelTask.BinaryClassification,
        ["multiclass-classification"] = ModelTask.MulticlassClassification,
        ["regression"] = ModelTask.Regression,
        ["other"] = ModelTask.Other,
    };

    private static readonly Dictionary<string, LabelEncoding> Encodings = new(StringComparer.Ordinal)
    {
        ["binary"] = LabelEncoding.Binary,
        ["class-name"] = LabelEncoding.ClassName,
        ["class-index"] = LabelEncoding.ClassIndex,
        ["numeric"] = LabelEncoding.Numeric,
    };

    /// <summary>The document's name of a task, e.g. "binary-classification".</summary>
    public static string NameOf(ModelTask task) => Tasks.First(pair => pair.Value == task).Key;

    /// <summary>The document's name of a label encoding, e.g. "class-name".</summary>
    public static string NameOf(LabelEncoding encoding) => Encodings.First(pair => pair.Value == encoding).Key;

    /// <summary>
    /// The contract of a document that was validated when its version was registered; null or blank is
    /// <see cref="ModelContract.None"/>. Serving keys are skipped, not checked.
    /// </summary>
    public static ModelContract Parse(string? json, string source = "config")
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return ModelContract.None;
        }

        using var document = ParseDocument(json, source);
        return Read(document.RootElement, new JsonFieldReader(source));
    }

    /// <summary>Parses a config document with the options every reader of it uses (comments and trailing commas allowed).</summary>
    public static JsonDocument ParseDocument(string json, string source)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
        }
        catch (JsonException exception)
        {
            throw new ModelContractException($"{source}: not valid JSON: {exception.Message}");
        }
    }

    /// <summary>Reads the contract keys of <paramref name="root"/> (an object); other keys are left to their own reader.</summary>
    public static ModelContract Read(JsonElement root, JsonFieldReader fields)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw fields.Fail("(root)", "must be an object", JsonFieldReader.Describe(root));
        }

        var contract = ModelContract.None;
        foreach (var property in root.EnumerateObject())
        {
            contract = property.Name switch
            {
                "task" => contract with { Task = Tasks[fields.Choice(property.Value, "task", Tasks.Keys)] },
                "inputs" => contract with { Inputs = ReadInputs(property.Value, fields) },
                "outputs" => contract with { Outputs = ReadOutputs(property.Value, fields) },
                "feedback" => contract with { FeedbackLabels = ReadFeedback(property.Value, fields) },
                "training" => contract with { Training = ReadTraining(property.Value, fields) },
                _ => contract,
            };
        }

        CheckConsistency(contract, fields);
        return contract;
    }

    private static List<InputContract> ReadInputs(JsonElement element, JsonFieldReader fields)
    {
        var inputs = new List<InputContract>();
        fields.ForEachEntry(element, "inputs.", (name, value) =>
        {
            var path = $"inputs.{name}";
            var input = new InputContract(name);
            fields.ForEachField(value, path + ".", ["features", "ranges", "categories"], (key, item) =>
            {
                input = key switch
                {
                    "features" => input with { Features = fields.DistinctStrings(item, $"{path}.features", MaxFeatures) },
                    "ranges" => input with { Ranges = ReadRanges(item, $"{path}.ranges", fields) },
                    _ => input with { Categories = ReadCategories(item, $"{path}.categories", fields) },
                };
            });

            foreach (var column in input.Ranges.Keys.Concat(input.Categories.Keys))
            {
                if (input.Features.Count > 0 && !input.Features.Contains(column, StringComparer.Ordinal))
                {
                    throw fields.Error($"'{path}' gives a range or categories for '{column}', which is not one of its features ({string.Join(", ", input.Features)})");
                }

                if (input.Features.Count == 0)
                {
                    throw fields.Error($"'{path}' gives ranges or categories but no 'features' to say which columns they are");
                }
            }

            inputs.Add(input);
        });
        return inputs;
    }

    private static Dictionary<string, ValueRange> ReadRanges(JsonElement element, string path, JsonFieldReader fields)
    {
        var ranges = new Dictionary<string, ValueRange>(StringComparer.Ordinal);
        fields.ForEachEntry(element, path + ".", (column, value) =>
        {
            var bounds = fields.Numbers(value, $"{path}.{column}", 2, 2);
            ranges[column] = bounds[0] <= bounds[1]
                ? new ValueRange(bounds[0], bounds[1])
                : throw fields.Fail($"{path}.{column}", "must be [minimum, maximum] with minimum ≤ maximum", $"[{bounds[0]}, {bounds[1]}]");
        });
        return ranges;
    }

    private static Dictionary<string, IReadOnlyList<double>> ReadCategories(JsonElement element, string path, JsonFieldReader fields)
    {
        var categories = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);
        fields.ForEachEntry(element, path + ".", (column, value) =>
            categories[column] = fields.Numbers(value, $"{path}.{column}", 1, MaxCategories).Distinct().Order().ToList());
        return categories;
    }

    private static OutputRoles ReadOutputs(JsonElement element, JsonFieldReader fields)
    {
        var outputs = OutputRoles.None;
        fields.ForEachField(element, "outputs.", ["score", "label", "classes"], (key, value) =>
        {
            outputs = key switch
            {
                "score" => outputs with { Score = ReadScore(value, fields) },
                "label" => outputs with { Label = fields.Text(value, "outputs.label") },
                _ => outputs with { Classes = fields.DistinctStrings(value, "outputs.classes", MaxClasses) },
            };
        });
        return outputs;
    }

    private static ScoreOutput ReadScore(JsonElement value, JsonFieldReader fields)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return new ScoreOutput(fields.Text(value, "outputs.score"));
        }

        string? name = null;
        int? column = null;
        fields.ForEachField(value, "outputs.score.", ["name", "column"], (key, item) =>
        {
            if (key == "name")
            {
                name = fields.Text(item, "outputs.score.name");
            }
            else
            {
                column = fields.WholeNumber(item, "outputs.score.column", 0, MaxClasses);
            }
        });
        return name is null
            ? throw fields.Fail("outputs.score", "must be an output's name or { \"name\": ..., \"column\": ... }", "an object without a name")
            : new ScoreOutput(name, column);
    }

    private static LabelEncoding ReadFeedback(JsonElement element, JsonFieldReader fields)
    {
        LabelEncoding? labels = null;
        fields.ForEachField(element, "feedback.", ["labels"], (_, value) => labels = Encodings[fields.Choice(value, "feedback.labels", Encodings.Keys)]);
        return labels ?? throw fields.Fail("feedback", "must say how labels are read: { \"labels\": \"binary\" | \"class-name\" | \"class-index\" | \"numeric\" }", "an empty object");
    }

    private static TrainingContract ReadTraining(JsonElement element, JsonFieldReader fields)
    {
        string? trainer = null, label = null, command = null;
        Dictionary<string, string>? parameters = null;
        fields.ForEachField(element, "training.", ["trainer", "label", "command", "parameters"], (key, value) =>
        {
            switch (key)
            {
                case "trainer":
                    trainer = fields.Choice(value, "training.trainer", TrainerNames.All);
                    break;
                case "label":
                    label = fields.Text(value, "training.label");
                    break;
                case "command":
                    command = fields.Text(value, "training.command", 64);
                    break;
                default:
                    parameters = ReadParameters(value, fields);
                    break;
            }
        });

        if (trainer is null)
        {
            throw fields.Fail("training.trainer", $"is required: one of {string.Join(", ", TrainerNames.All)}", "nothing");
        }

        if ((trainer == TrainerNames.Command) != (command is not null))
        {
            throw trainer == TrainerNames.Command
                ? fields.Fail("training.command", "must name the allow-listed command the 'command' trainer runs", "nothing")
                : fields.Error($"'training.command' is only for the '{TrainerNames.Command}' trainer, not '{trainer}'");
        }

        return new TrainingContract(trainer)
        {
            Label = label ?? "label",
            Command = command,
            Parameters = parameters ?? new Dictionary<string, string>(),
        };
    }

    private static Dictionary<string, string> ReadParameters(JsonElement element, JsonFieldReader fields)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        fields.ForEachEntry(element, "training.parameters.", (name, value) =>
        {
            if (parameters.Count >= MaxParameters)
            {
                throw fields.Fail("training.parameters", $"must hold at most {MaxParameters} parameters", "more");
            }

            parameters[name] = value.ValueKind switch
            {
                JsonValueKind.String => fields.Text(value, $"training.parameters.{name}"),
                JsonValueKind.Number => fields.Number(value, $"training.parameters.{name}").ToString("R", CultureInfo.InvariantCulture),
                JsonValueKind.True or JsonValueKind.False => fields.Bool(value, $"training.parameters.{name}") ? "true" : "false",
                _ => throw fields.Fail($"training.parameters.{name}", "must be a string, number or true/false", JsonFieldReader.Describe(value)),
            };
        });
        return parameters;
    }

    /// <summary>What the keys say about each other, before any model is looked at.</summary>
    private static void CheckConsistency(ModelContract contract, JsonFieldReader fields)
    {
        var classes = contract.Outputs.Classes;
        if (contract.Task == ModelTask.BinaryClassification && classes.Count is not (0 or 2))
        {
            throw fields.Fail("outputs.classes", "must name exactly 2 classes (negative, positive) for binary-classification", $"{classes.Count} names");
        }

        if (contract.Task is ModelTask.Regression or ModelTask.Other && classes.Count > 0)
        {
            throw fields.Error($"'outputs.classes' names classes, but the task is {NameOf(contract.Task.Value)}");
        }

        if (contract.FeedbackLabels is { } labels)
        {
            var allowed = contract.Task switch
            {
                ModelTask.BinaryClassification => [LabelEncoding.Binary, LabelEncoding.ClassName, LabelEncoding.ClassIndex],
                ModelTask.MulticlassClassification => [LabelEncoding.ClassName, LabelEncoding.ClassIndex],
                ModelTask.Regression => [LabelEncoding.Numeric],
                _ => Array.Empty<LabelEncoding>(),
            };
            if (!allowed.Contains(labels))
            {
                throw contract.Task is null or ModelTask.Other
                    ? fields.Error("'feedback.labels' needs a 'task' with labels: binary-classification, multiclass-classification or regression")
                    : fields.Fail("feedback.labels", $"must be one of {string.Join(", ", allowed.Select(NameOf))} for {NameOf(contract.Task.Value)}", $"\"{NameOf(labels)}\"");
            }

            if (labels == LabelEncoding.ClassName && classes.Count == 0)
            {
                throw fields.Error("'feedback.labels' is class-name, but 'outputs.classes' names no classes");
            }
        }

        if (contract.Training is { } training)
        {
            if (contract.Task is not (ModelTask.BinaryClassification or ModelTask.MulticlassClassification or ModelTask.Regression))
            {
                throw fields.Error("'training' needs a 'task' the platform can retrain: binary-classification, multiclass-classification or regression");
            }

            if (TrainerNames.BuiltIn.TryGetValue(training.Trainer, out var tasks) && !tasks.Contains(contract.Task.Value))
            {
                throw fields.Fail("training.trainer", $"'{training.Trainer}' cannot train {NameOf(contract.Task.Value)}; trainers that can: {string.Join(", ", TrainerNames.BuiltIn.Where(pair => pair.Value.Contains(contract.Task.Value)).Select(pair => pair.Key).Append(TrainerNames.Command))}", $"\"{training.Trainer}\"");
            }

            if (contract.Inputs.Count != 1 || contract.Inputs[0].Features.Count == 0)
            {
                throw fields.Error("'training' needs 'inputs' to name exactly one tabular input and its 'features': they are the columns of the training data");
            }
        }
    }
}
