
namespace MlopsAspire.Monitoring.Alerts;

/// <summary>What one closed window held, as alerting sees it.</summary>
/// <param name="Rows">Rows served in the window.</param>
/// <param name="Values">Input values profiled (rows × features).</param>
/// <param name="OutOfRangeChecked">Whether the version declares ranges or categories, so out-of-range values are the client's fault.</param>
public sealed record WindowQuality(long Rows, long Values, long NonFiniteInputs, long OutOfRangeInputs, bool OutOfRangeChecked);
