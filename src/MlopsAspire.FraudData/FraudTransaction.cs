namespace MlopsAspire.FraudData;

/// <summary>One labelled transaction: <see cref="FraudFeatures.Count"/> features in <see cref="FraudFeatures.Names"/> order.</summary>
public sealed record FraudTransaction(float[] Features, bool IsFraud);
