namespace Mlops.V1;

/// <summary>The size limit of a feedback call, part of the contract both ends keep.</summary>
public sealed partial class FeedbackRequest
{
    /// <summary>The most items one SendFeedback call carries: a server refuses more; a client sends more in several calls.</summary>
    public const int MaxItems = 10_000;
}
