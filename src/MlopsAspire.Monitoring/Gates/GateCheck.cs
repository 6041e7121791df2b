namespace MlopsAspire.Monitoring.Gates;

/// <summary>One check of a gate: what was measured, the limit, and whether it passed (or was skipped for lack of data).</summary>
public sealed record GateCheck(string Name, bool Passed, bool Skipped, double Actual, double Limit, string Detail);
