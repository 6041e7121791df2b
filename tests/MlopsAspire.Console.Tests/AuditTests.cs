using Bunit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mlops.V1;
using MlopsAspire.Console.Components.Pages;
using MlopsAspire.Console.Live;
using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Console.Tests;

public sealed class AuditTests(ControlPlaneHost host) : ControlPlaneConsoleTest(host)
{
    private static readonly DateTimeOffset Noon = DateTimeOffset.Parse("2026-03-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void The_filter_keeps_events_of_the_actor_action_model_and_time_asked_for_newest_first()
    {
        ModelAuditEvent[] events =
        [
            Event("fraud", "operator", "promote", Noon),
            Event("fraud", "operator", "shadow", Noon.AddMinutes(-5)),
            Event("rain", "operator", "promote", Noon.AddMinutes(5)),
            Event("fraud", "promotion-gate", "promote", Noon.AddMinutes(10)),
        ];

        Assert.Equal([events[3], events[2], events[0], events[1]], new AuditFilter().Apply(events));
        Assert.Equal([events[2], events[0]], new AuditFilter(Actor: "operator", Action: "promote").Apply(events));
        Assert.Equal([events[3], events[0], events[1]], new AuditFilter(Model: "fraud").Apply(events));
        // From inclusive, until exclusive.
        Assert.Equal([events[2], events[0]], new AuditFilter(From: Noon, Until: Noon.AddMinutes(10)).Apply(events));
        Assert.Empty(new AuditFilter(Actor: "oper").Apply(events));
    }

    [Fact]
    public async Task The_audit_page_shows_every_model_and_narrows_to_the_model_and_action_chosen()
    {
        var first = await ConsoleServices.RegisterReadyModelAsync(Host, "audited");
        var second = await ConsoleServices.RegisterReadyModelAsync(Host, "audited");
        await Host.Client(ControlPlaneHost.OperatorKey).PromoteAsync(new PromoteRequest { Name = first, Version = "2", Reason = "first release" });
        await SignInAsync(ControlPlaneHost.ReaderKey);

        var page = Render<Audit>();
        page.WaitForAssertion(() => Assert.Contains(Rows(page), row => row[1] == second), Generous);
        Assert.Contains(Rows(page), row => row[1] == first && row[3] == "promote" && row[6] == "first release");

        // The page may still be rendering what its first read brought in when the filter changes: wait for the
        // filtered table rather than read the one on screen at the instant of the change.
        page.Find("[data-test=filter-model]").Change(first);
        page.WaitForAssertion(() => Assert.All(Rows(page), row => Assert.Equal(first, row[1])), Generous);
        page.Find("[data-test=filter-action]").Change("promote");
        page.WaitForAssertion(() => Assert.Single(Rows(page)), Generous);
        Assert.Equal(["2", "Ready → Production"], Assert.Single(Rows(page))[4..6]);

        // A model's page links here with the model chosen.
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"audit?model={second}");
        var linked = Render<Audit>();
        linked.WaitForAssertion(() => Assert.NotEmpty(Rows(linked)), Generous);
        Assert.All(Rows(linked), row => Assert.Equal(second, row[1]));
    }

    [Fact]
    public async Task A_refresh_reads_again_only_the_trails_whose_model_changed()
    {
        var quiet = await ConsoleServices.RegisterReadyModelAsync(Host, "quiet");
        var busy = await ConsoleServices.RegisterReadyModelAsync(Host, "busy");
        var calls = new CallCountingHandler();
        Services.AddSingleton(GrpcChannel.ForAddress(Host.Address, new GrpcChannelOptions { HttpHandler = calls }));
        var time = (FakeTimeProvider)Services.GetRequiredService<TimeProvider>();
        await SignInAsync(ControlPlaneHost.ReaderKey);

        var page = Render<Audit>();
        page.WaitForAssertion(() => Assert.Contains(Rows(page), row => row[1] == busy), Generous);
        var firstRead = calls.Of(GetAuditLog);
        var firstListing = calls.Of(ListModels);
        Assert.True(firstRead >= 2, $"the first read reads every model's trail ({firstRead} read)");

        // Nothing changed: the refresh lists the models and reads no trail.
        Refresh(page, time);
        Assert.Equal(firstListing + 1, calls.Of(ListModels));
        Assert.Equal(firstRead, calls.Of(GetAuditLog));

        // One model changed: only its trail is read, and its new event shows.
        await Host.Client(ControlPlaneHost.OperatorKey).PromoteAsync(new PromoteRequest { Name = busy, Version = "1", Reason = "now busy" });
        Refresh(page, time);
        Assert.Equal(firstRead + 1, calls.Of(GetAuditLog));
        Assert.Contains(Rows(page), row => row[1] == busy && row[3] == "promote" && row[6] == "now busy");
        Assert.Contains(Rows(page), row => row[1] == quiet);
    }

    private const string ListModels = "/mlops.v1.ModelManagement/ListModels";
    private const string GetAuditLog = "/mlops.v1.ModelManagement/GetAuditLog";

    /// <summary>Lets the page's refresh timer tick once and waits until the page has rendered what it read.</summary>
    private static void Refresh(IRenderedComponent<Audit> page, FakeTimeProvider time)
    {
        var renders = page.RenderCount;
        time.Advance(TimeSpan.FromSeconds(3));
        page.WaitForState(() => page.RenderCount > renders, Generous);
    }

    private static List<string[]> Rows(IRenderedComponent<Audit> page) =>
        [.. page.FindAll("[data-test=audit] tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray())];

    private static ModelAuditEvent Event(string model, string actor, string action, DateTimeOffset at) =>
        new(model, new AuditEvent { Actor = actor, Action = action, At = Timestamp.FromDateTimeOffset(at) });
}
