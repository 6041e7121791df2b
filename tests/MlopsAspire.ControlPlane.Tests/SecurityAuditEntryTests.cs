using Grpc.Core;
using Mlops.V1;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// The security audit under an attacker with no key: what a refused call leaves behind is bounded in size and
/// cannot forge lines.
/// </summary>
public sealed class SecurityAuditEntryTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    [Fact]
    public async Task A_refused_call_naming_a_one_mebibyte_model_is_audited_with_the_name_truncated()
    {
        var name = "huge-" + Guid.NewGuid().ToString("N") + new string('x', 1024 * 1024);

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client(null).GetModelAsync(new GetModelRequest { Name = name }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        var audited = Assert.Single(await SecurityAuditAsync(), e => e.ModelName.StartsWith(name[..37], StringComparison.Ordinal));
        Assert.InRange(audited.ModelName.Length, 37, 256);
        Assert.Contains("more characters", audited.ModelName);
    }

    [Fact]
    public async Task Line_breaks_in_a_refused_model_name_are_escaped_so_no_audit_or_log_line_can_be_forged()
    {
        var marker = Guid.NewGuid().ToString("N");
        var name = $"{marker}\r\n2026-01-01T00:00:00Z info: Promoted fraud version 9 by admin\u0007";

        await Assert.ThrowsAsync<RpcException>(() => host.Client(null).GetModelAsync(new GetModelRequest { Name = name }).ResponseAsync);

        var audited = Assert.Single(await SecurityAuditAsync(), e => e.ModelName.StartsWith(marker, StringComparison.Ordinal));
        Assert.DoesNotContain(audited.ModelName, char.IsControl);
        Assert.Equal($"{marker}\\r\\n2026-01-01T00:00:00Z info: Promoted fraud version 9 by admin\\u0007", audited.ModelName);
    }

    [Fact]
    public async Task A_refused_monitoring_call_records_the_model_it_named()
    {
        var name = ControlPlaneHost.UniqueModelName("watched");

        await Assert.ThrowsAsync<RpcException>(() =>
            host.MonitoringClient(null).GetStatsAsync(new GetStatsRequest { ModelName = name }).ResponseAsync);

        Assert.Contains(await SecurityAuditAsync(), e => e is { Operation: "GetStats", Outcome: "unauthenticated" } && e.ModelName == name);
    }

    private async Task<IReadOnlyList<Mlops.V1.SecurityAuditEvent>> SecurityAuditAsync() =>
        (await host.Client(ControlPlaneHost.AdminKey).GetSecurityAuditLogAsync(new GetSecurityAuditLogRequest { Limit = 1000 })).Events;
}
