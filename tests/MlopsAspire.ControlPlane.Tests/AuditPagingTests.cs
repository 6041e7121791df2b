using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mlops.V1;
using MlopsAspire.ControlPlane.Management;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>The audit trails through the management API: paged either way with tokens, and a flood summarised.</summary>
public sealed class AuditPagingTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private ModelManagement.ModelManagementClient Operator => host.Client(ControlPlaneHost.OperatorKey);

    [Fact]
    public async Task A_model_trail_pages_from_the_first_event_on_and_from_the_newest_back()
    {
        var name = ControlPlaneHost.UniqueModelName("paged");
        await Operator.RegisterAsync(name, TestOnnxModels.AddBias(1f));
        await Operator.RegisterAsync(name, TestOnnxModels.AddBias(2f));
        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "2", Reason = "go live" });
        string[] actions = ["register", "validating", "validate", "register", "validating", "validate", "promote"];

        var forward = await PagesAsync(new GetAuditLogRequest { Name = name, PageSize = 3 });
        Assert.Equal([3, 3, 1], forward.Select(page => page.Events.Count));
        Assert.Equal(["3", "6", ""], forward.Select(page => page.NextPageToken));
        Assert.Equal(actions, forward.SelectMany(page => page.Events).Select(e => e.Action));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), forward.SelectMany(page => page.Events).Select(e => e.Sequence));
        Assert.All(forward, page => Assert.Equal(7, page.TotalEvents));

        var backward = await PagesAsync(new GetAuditLogRequest { Name = name, PageSize = 3, NewestFirst = true });
        Assert.Equal(actions.Reverse(), backward.SelectMany(page => page.Events).Select(e => e.Action));
        Assert.Equal(["4", "1", ""], backward.Select(page => page.NextPageToken));
        Assert.Equal("go live", backward[0].Events[0].Reason);
    }

    [Fact]
    public async Task Bad_paging_arguments_are_invalid_and_say_what_is_expected()
    {
        var name = ControlPlaneHost.UniqueModelName("paged");
        await Operator.RegisterAsync(name, TestOnnxModels.AddBias(3f));

        var size = await Assert.ThrowsAsync<RpcException>(() =>
            Operator.GetAuditLogAsync(new GetAuditLogRequest { Name = name, PageSize = 5000 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, size.StatusCode);
        Assert.Contains("page_size", size.Status.Detail);
        Assert.Contains("1000", size.Status.Detail);

        var token = await Assert.ThrowsAsync<RpcException>(() =>
            Operator.GetAuditLogAsync(new GetAuditLogRequest { Name = name, PageToken = "-1; DROP" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, token.StatusCode);
        Assert.Contains("page_token", token.Status.Detail);
        Assert.Contains("next_page_token", token.Status.Detail);
    }

    [Fact]
    public async Task The_security_trail_pages_from_the_newest_back_and_a_flood_beyond_the_allowance_becomes_one_summary()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = Options.Create(new ManagementOptions { RefusalAuditLimit = 5, RefusalAuditInterval = TimeSpan.FromMinutes(1) });
        var refusals = new RefusalAudit(host.Grains, clock, options, NullLogger<RefusalAudit>.Instance);
        await refusals.StartAsync(CancellationToken.None);
        var caller = $"peer 192.0.2.{Random.Shared.Next(1, 250)}";
        var marker = Guid.NewGuid().ToString("N");

        var recorded = 0;
        for (var i = 0; i < 100; i++)
        {
            var refusal = new MlopsAspire.Abstractions.SecurityAuditEvent(
                clock.GetUtcNow(), "anonymous", i % 2 == 0 ? "GetModel" : "Promote", "unauthenticated", "no key", $"{marker}-{i}", caller[5..]);
            recorded += await refusals.RecordAsync(caller, refusal) ? 1 : 0;
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        await refusals.StopAsync(CancellationToken.None);

        Assert.Equal(5, recorded);
        var admin = host.Client(ControlPlaneHost.AdminKey);
        var newest = await admin.GetSecurityAuditLogAsync(new GetSecurityAuditLogRequest { Limit = 4 });
        var summary = newest.Events[0];
        Assert.Equal(("suppressed", caller[5..]), (summary.Outcome, summary.Peer));
        Assert.Contains($"95 more refusals from {caller}", summary.Detail);
        Assert.Contains("Promote ×48, GetModel ×47", summary.Detail);
        Assert.Equal([$"{marker}-4", $"{marker}-3", $"{marker}-2"], newest.Events.Skip(1).Select(e => e.ModelName));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => newest.TotalEvents - 1 - i), newest.Events.Select(e => e.Sequence));

        var older = await admin.GetSecurityAuditLogAsync(new GetSecurityAuditLogRequest { Limit = 4, PageToken = newest.NextPageToken });
        Assert.Equal(newest.Events[^1].Sequence - 1, older.Events[0].Sequence);
        Assert.Equal([$"{marker}-1", $"{marker}-0"], older.Events.Take(2).Select(e => e.ModelName));
    }

    private async Task<List<AuditLog>> PagesAsync(GetAuditLogRequest request)
    {
        var pages = new List<AuditLog>();
        do
        {
            var page = await Operator.GetAuditLogAsync(request);
            pages.Add(page);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0 && pages.Count < 10);

        return pages;
    }
}
