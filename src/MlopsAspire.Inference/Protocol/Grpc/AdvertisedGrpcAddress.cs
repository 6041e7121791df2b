using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MlopsAspire.Inference.Protocol.Grpc;

/// <summary>
/// Where clients reach this replica's Open Inference gRPC service directly (<c>http://host:port</c>), as the replica
/// reports it to the control plane with its load states, so that clients may call the replicas round-robin instead of
/// one proxy in front of them. <see cref="Url"/> is null when the replica cannot know it.
/// </summary>
public sealed record AdvertisedGrpcAddress(string? Url)
{
    /// <summary>The address to report as is; for a replica whose bound address is not the one clients reach (Kubernetes: the pod IP).</summary>
    public const string ConfigurationKey = "Inference:AdvertisedGrpcAddress";

    /// <summary>The URL Kestrel's <c>grpc</c> endpoint binds to (the orchestrator sets it per replica).</summary>
    public const string BoundUrlKey = "Kestrel:Endpoints:grpc:Url";

    /// <summary>
    /// <see cref="ConfigurationKey"/> when set (an IPv6 host bracketed if it is not, see <see cref="BracketBareIPv6Host"/>),
    /// else the bound URL of the <c>grpc</c> endpoint. A wildcard host, bound or configured (<c>0.0.0.0</c>,
    /// <c>[::]</c>, <c>*</c>, <c>+</c>), listens on every interface, so it is reported as
    /// <paramref name="hostName"/>, the name other machines know this one by: loopback would only serve clients on this
    /// machine and send every other client to itself. Where host names do not resolve (Kubernetes pods), set
    /// <see cref="ConfigurationKey"/>. A port of 0 is chosen by the system at bind time, after configuration is read,
    /// so such a replica reports no address and its clients use the shared one.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="ConfigurationKey"/> is not an http:// or https:// URL.</exception>
    public static AdvertisedGrpcAddress Resolve(IConfiguration configuration, string hostName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(hostName);
        if (configuration[ConfigurationKey] is { Length: > 0 } advertised)
        {
            if (!Uri.TryCreate(BracketBareIPv6Host(advertised), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                throw new InvalidOperationException(
                    $"{ConfigurationKey} must be the URL clients reach this replica's gRPC endpoint at, e.g. http://10.0.0.7:8001 or http://[fd00::7]:8001; got '{advertised}'");
            }

            return new AdvertisedGrpcAddress(IsWildcard(uri.Host)
                ? $"{uri.Scheme}://{hostName}:{uri.Port.ToString(CultureInfo.InvariantCulture)}"
                : uri.GetLeftPart(UriPartial.Authority));
        }

        return new AdvertisedGrpcAddress(configuration[BoundUrlKey] is { Length: > 0 } bound ? FromBoundUrl(bound, hostName) : null);
    }

    /// <summary>Kestrel's URL form (<c>scheme://host:port</c>, host possibly a wildcard that <see cref="Uri"/> refuses).</summary>
    private static string? FromBoundUrl(string bound, string hostName)
    {
        var schemeEnd = bound.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return null;
        }

        var scheme = bound[..schemeEnd].ToLowerInvariant();
        var authority = bound[(schemeEnd + 3)..].TrimEnd('/');
        var portStart = authority.LastIndexOf(':');
        if (portStart <= 0 || authority.EndsWith(']') || !int.TryParse(authority[(portStart + 1)..], out var port) || port is <= 0 or > 65535)
        {
            return null;
        }

        var host = authority[..portStart];
        if (IsWildcard(host))
        {
            host = hostName;
        }

        return $"{scheme}://{host}:{port}";
    }

    private static bool IsWildcard(string host) => host is "0.0.0.0" or "[::]" or "*" or "+";

    /// <summary>
    /// <c>http://fd00::1:8001</c> as <c>http://[fd00::1]:8001</c>: a URL composed from an IP that may be IPv6, as
    /// <c>http://$(POD_IP):8001</c> is in Kubernetes on an IPv6 or dual-stack cluster. In an unbracketed host with
    /// colons the last one starts the port, the only reading such a composed URL has; anything else is left as is.
    /// </summary>
    internal static string BracketBareIPv6Host(string url)
    {
        var authorityStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
        if (authorityStart < 3)
        {
            return url;
        }

        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = authorityEnd < 0 ? url[authorityStart..] : url[authorityStart..authorityEnd];
        var portStart = authority.LastIndexOf(':');
        if (authority.Contains('[') || authority.Contains('@') || portStart < 0 || authority.IndexOf(':') == portStart
            || !IPAddress.TryParse(authority[..portStart], out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return url;
        }

        return $"{url[..authorityStart]}[{authority[..portStart]}]{authority[portStart..]}{(authorityEnd < 0 ? "" : url[authorityEnd..])}";
    }
}
