using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Alerts;

/// <summary>The live metrics of a span of labelled rows; metrics of another task than the version's are NaN.</summary>
public sealed record OutcomeMetrics(long Rows, double Accuracy, double Auc, double LogLoss, double MacroF1, double MeanAbsoluteError, double RootMeanSquaredError)
{
    public static OutcomeMetrics Of(OutcomeStatistics outcomes) => new(
        outcomes.Count,
        outcomes.Accuracy,
        outcomes.Auc,
        outcomes.LogLoss,
        outcomes.MacroF1,
        outcomes.MeanAbsoluteError,
        outcomes.RootMeanSquaredError);

    /// <summary>The task's metrics, named and formatted, e.g. "accuracy 91.20%, AUC 0.954".</summary>
    public string Describe(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => $"accuracy {Accuracy:P2}, AUC {Auc:F3}",
        ModelTask.MulticlassClassification => $"accuracy {Accuracy:P2}, macro-F1 {MacroF1:F3}",
        ModelTask.Regression => $"MAE {MeanAbsoluteError:G4}, RMSE {RootMeanSquaredError:G4}",
        _ => $"{Rows} labelled rows",
    };
}
