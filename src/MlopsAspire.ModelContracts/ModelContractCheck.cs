namespace MlopsAspire.ModelContracts;

/// <summary>
/// Checks a contract against the model it describes: every input and output it names exists, named features match
/// the input's width, the score and label outputs can be read one value per row, classes match the score columns,
/// and a model to be retrained has the one tabular input the built-in trainers rebuild.
/// </summary>
public static class ModelContractCheck
{
    /// <summary>Throws <see cref="ModelContractException"/> naming the first key that does not fit the model.</summary>
    public static void Against(ModelContract contract, IReadOnlyList<TensorDescription> inputs, IReadOnlyList<TensorDescription> outputs, string source = "config")
    {
        var fields = new JsonFieldReader(source);
        foreach (var input in contract.Inputs)
        {
            var tensor = Find(inputs, input.Name, $"inputs.{input.Name}", "input", fields);
            if (input.Features.Count == 0)
            {
                continue;
            }

            if (tensor.IsText || tensor.Shape.Count is not (1 or 2))
            {
                throw fields.Error($"'inputs.{input.Name}.features' names columns of a tabular input, but {tensor} is not [N, F] numbers");
            }

            if (tensor.ValuesPerRow is { } width && width != input.Features.Count)
            {
                throw fields.Error($"'inputs.{input.Name}.features' names {input.Features.Count} columns, but {tensor} has {width} per row");
            }
        }

        var classes = contract.Outputs.Classes;
        if (contract.Outputs.Score is { } score)
        {
            var tensor = Find(outputs, score.Name, "outputs.score", "output", fields);
            if (tensor.IsText)
            {
                throw fields.Error($"'outputs.score' must name a numeric output; {tensor} holds text");
            }

            var width = tensor.ValuesPerRow;
            if (score.Column is { } column)
            {
                if (tensor.Shape.Count != 2 || (width is { } known && column >= known))
                {
                    throw fields.Error($"'outputs.score.column' is {column}, but {tensor} has {(width is { } w ? $"{w} column(s)" : "no fixed columns")}");
                }
            }
            else if (width is > 1 && contract.Task is not ModelTask.MulticlassClassification)
            {
                throw fields.Error(
                    $"'outputs.score' names {tensor}, which has {width} values per row; say which column is the score, e.g. {{ \"name\": \"{score.Name}\", \"column\": {width - 1} }}");
            }

            if (contract.Task == ModelTask.MulticlassClassification && score.Column is null && classes.Count > 0 && width is { } k && k != classes.Count)
            {
                throw fields.Error($"'outputs.classes' names {classes.Count} classes, but the score output {tensor} has {k} columns");
            }
        }

        if (contract.Outputs.Label is { } label)
        {
            var tensor = Find(outputs, label, "outputs.label", "output", fields);
            if (tensor.ValuesPerRow is > 1)
            {
                throw fields.Error($"'outputs.label' must name an output with one label per row; {tensor} has {tensor.ValuesPerRow}");
            }

            if (tensor.IsText && classes.Count == 0)
            {
                throw fields.Error($"'outputs.label' names {tensor}, which holds class names: list them in 'outputs.classes' so labels can be compared");
            }
        }

        if (contract.Training is { } training)
        {
            var input = contract.Inputs[0];
            if (inputs.Count != 1 || inputs[0].Name != input.Name || inputs[0].Datatype != "FP32" || inputs[0].Shape.Count != 2)
            {
                throw fields.Error(
                    $"'training' retrains models with one FP32 [N, F] input; this model has {string.Join("; ", inputs)}");
            }

            if (contract.Outputs.Score is null && contract.Outputs.Label is null)
            {
                throw fields.Error("'training' needs 'outputs.score' (or 'outputs.label'): a retrained candidate must give the same outputs as its parent");
            }

            if (training.Trainer != TrainerNames.Command && outputs.Any(output => output.IsText))
            {
                throw fields.Error($"'training.trainer' {training.Trainer} cannot rebuild text outputs ({string.Join("; ", outputs.Where(output => output.IsText))}); use the command trainer");
            }
        }
    }

    private static TensorDescription Find(IReadOnlyList<TensorDescription> tensors, string name, string key, string kind, JsonFieldReader fields) =>
        tensors.FirstOrDefault(tensor => tensor.Name == name)
        ?? throw fields.Error($"'{key}' names {kind} '{name}', which the model does not have; its {kind}s are {string.Join("; ", tensors)}");
}
