namespace MlopsAspire.ModelContracts;

/// <summary>The trainers a <c>training.trainer</c> key may name, and the tasks each built-in one trains.</summary>
public static class TrainerNames
{
    /// <summary>ML.NET FastTree (gradient-boosted trees): binary classification and regression.</summary>
    public const string FastTree = "mlnet-fasttree";

    /// <summary>ML.NET LightGBM: binary, multiclass and regression.</summary>
    public const string LightGbm = "mlnet-lightgbm";

    /// <summary>ML.NET L-BFGS logistic regression (binary) or maximum entropy (multiclass).</summary>
    public const string LogisticRegression = "mlnet-logistic-regression";

    /// <summary>ML.NET SDCA: logistic regression (binary), maximum entropy (multiclass) or linear regression.</summary>
    public const string Sdca = "mlnet-sdca";

    /// <summary>A command the training worker's administrator allow-listed by name (<c>training.command</c>).</summary>
    public const string Command = "command";

    /// <summary>Built-in trainers and the tasks each can train.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ModelTask>> BuiltIn { get; } = new Dictionary<string, IReadOnlyList<ModelTask>>
    {
        [FastTree] = [ModelTask.BinaryClassification, ModelTask.Regression],
        [LightGbm] = [ModelTask.BinaryClassification, ModelTask.MulticlassClassification, ModelTask.Regression],
        [LogisticRegression] = [ModelTask.BinaryClassification, ModelTask.MulticlassClassification],
        [Sdca] = [ModelTask.BinaryClassification, ModelTask.MulticlassClassification, ModelTask.Regression],
    };

    /// <summary>Every name a config may use.</summary>
    public static IReadOnlyList<string> All { get; } = [.. BuiltIn.Keys, Command];
}
