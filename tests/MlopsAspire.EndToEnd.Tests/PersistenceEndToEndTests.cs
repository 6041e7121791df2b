using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlopsAspire.Abstractions;
using MlopsAspire.Training;
using Orleans.Configuration;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>Stopping and starting the whole platform on the same data folder loses nothing.</summary>
public sealed class PersistenceEndToEndTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mlops-e2e-restart-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_restart_keeps_registered_models_and_their_audit_trail()
    {
        IReadOnlyList<AuditEvent> auditBefore;
        await using (var first = await PlatformFixture.StartAsync(_dataDirectory))
        {
            auditBefore = await ReadFraudAuditAsync(first);
            Assert.Contains(auditBefore, e => e.Action == "promote" && e.Version == "1");
            await first.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }

        await using var second = await PlatformFixture.StartAsync(_dataDirectory);
        var auditAfter = await ReadFraudAuditAsync(second);

        // Same events with the same timestamps: the model was recovered, not registered again.
        Assert.Equal(auditBefore, auditAfter);

        using var channel = PlatformFixture.CreateInferenceChannel(second);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = DemoModels.FraudModelName });
        Assert.Equal(["1"], metadata.Versions);
    }

    /// <summary>Reads the audit trail as an Orleans client of the platform's cluster.</summary>
    private static async Task<IReadOnlyList<AuditEvent>> ReadFraudAuditAsync(DistributedApplication app)
    {
        var store = await app.GetConnectionStringAsync("store")
            ?? throw new InvalidOperationException("The AppHost has no 'store' connection string.");
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseRedisClustering(store)
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = "mlops";
                options.ServiceId = "mlops";
            }));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromMinutes(1));
        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            return await grains.GetGrain<IModelGrain>(DemoModels.FraudModelName).GetAuditLogAsync();
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A store process still flushing its files; the temp folder is cleaned up later.
        }

        return Task.CompletedTask;
    }
}
