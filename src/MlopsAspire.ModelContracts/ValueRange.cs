namespace MlopsAspire.ModelContracts;

/// <summary>An expected range of a column, both ends included.</summary>
public readonly record struct ValueRange(double Minimum, double Maximum)
{
    public bool Contains(double value) => value >= Minimum && value <= Maximum;
}
