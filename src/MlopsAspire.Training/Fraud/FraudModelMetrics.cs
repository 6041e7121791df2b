namespace MlopsAspire.Training;

/// <summary>Binary classification quality of a fraud model on <see cref="Rows"/> labelled rows.</summary>
/// <param name="Auc">Area under the ROC curve.</param>
/// <param name="Accuracy">Share of rows whose predicted label (probability at least 0.5) is right.</param>
/// <param name="LogLoss">Mean negative log-likelihood of the calibrated probabilities.</param>
/// <param name="F1">Harmonic mean of precision and recall for the fraud class.</param>
/// <param name="Rows">Number of rows evaluated.</param>
public sealed record FraudModelMetrics(double Auc, double Accuracy, double LogLoss, double F1, int Rows);
