using Grpc.Core;
using Mlops.V1;
using StackExchange.Redis;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>A flood of refused calls from one caller: it costs little and does not grow the stored trail with every call.</summary>
public sealed class SecurityAuditFloodTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    [Fact]
    public async Task A_thousand_oversized_refusals_do_not_grow_the_stored_audit_with_each_call()
    {
        var anonymous = host.Client(null);
        var oversized = new string('z', 2048);
        await RefuseAsync(anonymous, oversized, 100);
        var afterHundred = await StoredSecurityAuditBytesAsync();

        await RefuseAsync(anonymous, oversized, 900);
        var afterThousand = await StoredSecurityAuditBytesAsync();

        // Recording every one of the last 900 would add at least their names: 900 × 2 KiB.
        Assert.True(afterThousand - afterHundred < 64 * 1024,
            $"the stored security audit grew by {afterThousand - afterHundred:N0} bytes over 900 refusals ({afterHundred:N0} → {afterThousand:N0})");
        Assert.True(afterThousand < 256 * 1024, $"the stored security audit holds {afterThousand:N0} bytes after 1,000 refusals");
    }

    private static async Task RefuseAsync(ModelManagement.ModelManagementClient client, string name, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => client.GetModelAsync(new GetModelRequest { Name = $"{i}-{name}" }).ResponseAsync);
        }
    }

    /// <summary>Bytes of grain state the store holds for the security audit, in whatever keys it is kept.</summary>
    private async Task<long> StoredSecurityAuditBytesAsync()
    {
        await using var store = await ConnectionMultiplexer.ConnectAsync(host.StoreEndpoint);
        var database = store.GetDatabase();
        long bytes = 0;
        foreach (var key in store.GetServer(store.GetEndPoints()[0]).Keys(pattern: "*ecurity*"))
        {
            if (await database.KeyTypeAsync(key) == RedisType.Hash)
            {
                bytes += await database.HashStringLengthAsync(key, "data");
            }
        }

        return bytes;
    }
}
