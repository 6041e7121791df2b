namespace MlopsAspire.LoadTest.Scheduling;

public enum ArrivalKind
{
    Constant,
    Poisson,
    Ramp,
}
