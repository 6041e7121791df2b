using Microsoft.Extensions.Options;

namespace MlopsAspire.Console.Platform;

/// <summary>Refuses to start with an address that is not an http(s) URL or a refresh interval below a second.</summary>
public sealed class ConsoleOptionsValidation : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Uri.TryCreate(options.ControlPlaneAddress, UriKind.Absolute, out var address)
            || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Console:ControlPlaneAddress must be an http:// or https:// URL; got '{options.ControlPlaneAddress}'.");
        }

        if (options.RefreshInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Console:RefreshInterval must be at least 00:00:01; got {options.RefreshInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
