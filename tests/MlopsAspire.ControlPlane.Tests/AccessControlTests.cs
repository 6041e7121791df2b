using Grpc.Core;
using Mlops.V1;

namespace MlopsAspire.ControlPlane.Tests;

public sealed class AccessControlTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    [Fact]
    public async Task Each_role_may_do_what_it_covers_and_nothing_more()
    {
        var name = ControlPlaneHost.UniqueModelName("acl");
        await host.Client(ControlPlaneHost.OperatorKey).RegisterAsync(name, TestOnnxModels.AddBias(1f));
        await host.Client(ControlPlaneHost.OperatorKey).RegisterAsync(name, TestOnnxModels.AddBias(2f));

        var missing = await Refused(host.Client(null), name);
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Contains("authorization: Bearer", missing.Status.Detail);

        var unknown = await Refused(host.Client("not-a-configured-key"), name);
        Assert.Equal(StatusCode.Unauthenticated, unknown.StatusCode);
        Assert.DoesNotContain("not-a-configured-key", unknown.Status.Detail);

        var reader = host.Client(ControlPlaneHost.ReaderKey);
        Assert.Equal(name, (await reader.GetModelAsync(new GetModelRequest { Name = name })).Name);
        var readerPromote = await Assert.ThrowsAsync<RpcException>(() =>
            reader.PromoteAsync(new PromoteRequest { Name = name, Version = "1" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, readerPromote.StatusCode);
        Assert.Contains("operator", readerPromote.Status.Detail);
        var readerRegister = await Assert.ThrowsAsync<RpcException>(() => reader.RegisterAsync(name, TestOnnxModels.AddBias(3f)));
        Assert.Equal(StatusCode.PermissionDenied, readerRegister.StatusCode);

        var byOperator = await host.Client(ControlPlaneHost.OperatorKey).PromoteAsync(new PromoteRequest { Name = name, Version = "1" });
        Assert.Equal("1", byOperator.Model.ProductionVersion);
        var byAdmin = await host.Client(ControlPlaneHost.AdminKey).PromoteAsync(new PromoteRequest { Name = name, Version = "2" });
        Assert.Equal("2", byAdmin.Model.ProductionVersion);

        var operatorSecurityAudit = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client(ControlPlaneHost.OperatorKey).GetSecurityAuditLogAsync(new GetSecurityAuditLogRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, operatorSecurityAudit.StatusCode);

        var audit = await host.Client(ControlPlaneHost.AdminKey).GetAuditLogAsync(new GetAuditLogRequest { Name = name });
        Assert.Equal(["olly-operator", "ada-admin"], audit.Events.Where(e => e.Action == "promote").Select(e => e.Actor));

        var security = await host.Client(ControlPlaneHost.AdminKey).GetSecurityAuditLogAsync(new GetSecurityAuditLogRequest { Limit = 1000 });
        var refusals = security.Events.Where(e => e.ModelName == name || e.Operation == "RegisterModel" || e.Operation == "GetSecurityAuditLog").ToList();
        Assert.Contains(refusals, e => e is { Caller: "anonymous", Outcome: "unauthenticated", Operation: "GetModel" } && e.ModelName == name);
        Assert.Contains(refusals, e => e.Caller.StartsWith("unknown-key:", StringComparison.Ordinal) && e.Outcome == "unauthenticated");
        Assert.Contains(refusals, e => e is { Caller: "ann-reader", Outcome: "permission-denied", Operation: "Promote" } && e.ModelName == name);
        Assert.Contains(refusals, e => e is { Caller: "ann-reader", Operation: "RegisterModel" });
        Assert.Contains(refusals, e => e is { Caller: "olly-operator", Operation: "GetSecurityAuditLog" });
        Assert.DoesNotContain(security.Events, e => e.Caller.Contains("not-a-configured-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Any_role_learns_whom_its_key_identifies_and_an_unknown_key_learns_nothing()
    {
        var reader = await host.Client(ControlPlaneHost.ReaderKey).GetCallerAsync(new GetCallerRequest());
        var byOperator = await host.Client(ControlPlaneHost.OperatorKey).GetCallerAsync(new GetCallerRequest());
        var admin = await host.Client(ControlPlaneHost.AdminKey).GetCallerAsync(new GetCallerRequest());

        Assert.Equal(("ann-reader", "reader"), (reader.Name, reader.Role));
        Assert.Equal(("olly-operator", "operator"), (byOperator.Name, byOperator.Role));
        Assert.Equal(("ada-admin", "admin"), (admin.Name, admin.Role));
        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client("not-a-configured-key").GetCallerAsync(new GetCallerRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, unknown.StatusCode);
    }

    [Fact]
    public async Task A_malformed_authorization_header_is_unauthenticated()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(host.Address);
        var client = new ModelManagement.ModelManagementClient(channel);
        var headers = new Metadata { { "authorization", ControlPlaneHost.AdminKey } };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.ListModelsAsync(new ListModelsRequest(), headers).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    private static Task<RpcException> Refused(ModelManagement.ModelManagementClient client, string name) =>
        Assert.ThrowsAsync<RpcException>(() => client.GetModelAsync(new GetModelRequest { Name = name }).ResponseAsync);
}
