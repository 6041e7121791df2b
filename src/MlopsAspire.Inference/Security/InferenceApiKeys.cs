using Microsoft.Extensions.Options;
using MlopsAspire.ServiceDefaults;

namespace MlopsAspire.Inference.Security;

/// <summary>
/// The inference API keys (<see cref="InferenceOptions.ApiKeys"/>). With none configured every caller is admitted;
/// otherwise a request must present one of them as <c>authorization: Bearer &lt;key&gt;</c>. Keys are held as SHA-256
/// digests and every one is compared, in constant time, on every check, so timing reveals neither a key nor which matched.
/// </summary>
public sealed partial class InferenceApiKeys
{
    public const string MissingKeyMessage =
        "This inference server requires an API key: send the header 'authorization: Bearer <key>'.";

    public const string UnknownKeyMessage = "The API key is not known to this inference server.";

    private const string BearerPrefix = "Bearer ";

    private readonly ApiKeyDigests<string> _keys;

    public InferenceApiKeys(IOptions<InferenceOptions> options, ILogger<InferenceApiKeys> logger)
    {
        _keys = new(options.Value.ApiKeys.Select(named => (named.Value, named.Key)));
        if (_keys.Count == 0)
        {
            LogOpen(logger);
        }
    }

    /// <summary>Whether callers must present a key.</summary>
    public bool Required => _keys.Count > 0;

    /// <summary>
    /// Checks an <c>authorization</c> header value: null when the caller is admitted, otherwise the reason it is not.
    /// </summary>
    public string? Refusal(string? authorization)
    {
        if (!Required)
        {
            return null;
        }

        if (authorization is null
            || !authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrWhiteSpace(authorization[BearerPrefix.Length..]))
        {
            return MissingKeyMessage;
        }

        var known = _keys.Find(authorization[BearerPrefix.Length..]) is not null;
        return known ? null : UnknownKeyMessage;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No inference API keys are configured; inference is open to every caller.")]
    private static partial void LogOpen(ILogger logger);
}
