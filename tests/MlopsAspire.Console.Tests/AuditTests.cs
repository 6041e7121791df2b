using Bunit;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
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

        page.Find("[data-test=filter-model]").Change(first);
        Assert.All(Rows(page), row => Assert.Equal(first, row[1]));
        page.Find("[data-test=filter-action]").Change("promote");
        var promotion = Assert.Single(Rows(page));
        Assert.Equal(["2", "Ready → Production"], promotion[4..6]);

        // A model's page links here with the model chosen.
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"audit?model={second}");
        var linked = Render<Audit>();
        linked.WaitForAssertion(() => Assert.NotEmpty(Rows(linked)), Generous);
        Assert.All(Rows(linked), row => Assert.Equal(second, row[1]));
    }

    private static List<string[]> Rows(IRenderedComponent<Audit> page) =>
        [.. page.FindAll("[data-test=audit] tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray())];

    private static ModelAuditEvent Event(string model, string actor, string action, DateTimeOffset at) =>
        new(model, new AuditEvent { Actor = actor, Action = action, At = Timestamp.FromDateTimeOffset(at) });
}
