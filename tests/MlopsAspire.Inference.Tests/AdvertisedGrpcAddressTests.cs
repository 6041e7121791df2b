using Microsoft.Extensions.Configuration;
using MlopsAspire.Inference.Protocol.Grpc;

namespace MlopsAspire.Inference.Tests;

/// <summary>The address a replica reports for clients that call it directly, from its configuration.</summary>
public sealed class AdvertisedGrpcAddressTests
{
    private const string HostName = "inference-7";

    [Theory]
    [InlineData("http://localhost:41234", "http://localhost:41234")]
    [InlineData("http://127.0.0.1:8001/", "http://127.0.0.1:8001")]
    [InlineData("https://[::1]:8443", "https://[::1]:8443")]
    [InlineData("http://0.0.0.0:8001", "http://inference-7:8001")]
    [InlineData("http://[::]:8001", "http://inference-7:8001")]
    [InlineData("http://*:8001", "http://inference-7:8001")]
    [InlineData("http://+:8001", "http://inference-7:8001")]
    public void The_bound_grpc_url_is_reported_with_a_wildcard_host_as_the_machines_name(string bound, string expected) =>
        Assert.Equal(expected, Resolve(bound, advertised: null).Url);

    [Theory]
    [InlineData("http://localhost:0")]
    [InlineData("http://localhost")]
    [InlineData("localhost:8001")]
    public void A_bound_url_without_a_fixed_port_reports_no_address(string bound) =>
        Assert.Null(Resolve(bound, advertised: null).Url);

    [Fact]
    public void Without_a_grpc_endpoint_there_is_no_address() =>
        Assert.Null(Resolve(bound: null, advertised: null).Url);

    [Fact]
    public void The_configured_address_wins_over_the_bound_one() =>
        Assert.Equal("http://10.1.2.3:8001", Resolve("http://+:8001", advertised: "http://10.1.2.3:8001/").Url);

    [Theory]
    [InlineData("http://10.1.2.3:8001", "http://10.1.2.3:8001")]
    [InlineData("http://fd00::1:8001", "http://[fd00::1]:8001")]
    [InlineData("https://fd00:10:244:0:0:0:0:7:8443/", "https://[fd00:10:244::7]:8443")]
    [InlineData("http://[fd00::1]:8001", "http://[fd00::1]:8001")]
    [InlineData("http://inference-0.inference.mlops.svc:8001", "http://inference-0.inference.mlops.svc:8001")]
    [InlineData("http://0.0.0.0:8001", "http://inference-7:8001")]
    [InlineData("http://[::]:8001", "http://inference-7:8001")]
    [InlineData("http://:::8001", "http://inference-7:8001")]
    public void A_configured_address_composed_from_a_pod_IP_of_either_family_is_reported_as_a_url(string advertised, string expected) =>
        Assert.Equal(expected, Resolve("http://+:8001", advertised).Url);

    [Theory]
    [InlineData("10.1.2.3:8001")]
    [InlineData("fd00::1:8001")]
    [InlineData("http://fd00::1")]
    [InlineData("grpc://10.1.2.3:8001")]
    [InlineData("http://10.1.2.3:8001/inference")]
    public void A_configured_address_that_is_not_a_base_url_stops_the_replica_naming_the_setting(string advertised)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Resolve("http://+:8001", advertised));
        Assert.Contains(AdvertisedGrpcAddress.ConfigurationKey, refused.Message);
        Assert.Contains(advertised, refused.Message);
    }

    private static AdvertisedGrpcAddress Resolve(string? bound, string? advertised) =>
        AdvertisedGrpcAddress.Resolve(
            new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [AdvertisedGrpcAddress.BoundUrlKey] = bound,
                    [AdvertisedGrpcAddress.ConfigurationKey] = advertised,
                })
                .Build(),
            HostName);
}
