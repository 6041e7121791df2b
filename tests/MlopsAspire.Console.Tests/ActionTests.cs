using Bunit;
using Mlops.V1;
using MlopsAspire.Console.Components.Models;
using MlopsAspire.Console.Components.Pages;
using MlopsAspire.Console.Live;
using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Console.Tests;

public sealed class ActionTests(ControlPlaneHost host) : ControlPlaneConsoleTest(host)
{
    [Fact]
    public async Task A_reader_sees_every_action_disabled_and_an_operator_enabled()
    {
        var name = await ConsoleServices.RegisterReadyModelAsync(Host, "roles");
        var model = await Host.Client(ControlPlaneHost.ReaderKey).GetModelAsync(new GetModelRequest { Name = name });

        await SignInAsync(ControlPlaneHost.ReaderKey);
        var asReader = Render<VersionTable>(parameters => parameters.Add(t => t.Model, model));
        var readerButtons = asReader.FindAll("button[data-action]");

        Assert.Equal(8, readerButtons.Count);
        Assert.All(readerButtons, button => Assert.True(button.HasAttribute("disabled")));
        Assert.All(readerButtons, button => Assert.Equal("needs the operator role", button.GetAttribute("title")));

        await SignInAsync(ControlPlaneHost.OperatorKey);
        var asOperator = Render<VersionTable>(parameters => parameters.Add(t => t.Model, model));
        Assert.All(asOperator.FindAll("button[data-action]"), button => Assert.False(button.HasAttribute("disabled")));
    }

    [Fact]
    public async Task A_forged_action_from_a_reader_is_refused_by_the_control_plane_and_changes_nothing()
    {
        var name = await ConsoleServices.RegisterReadyModelAsync(Host, "forged");
        var model = await Host.Client(ControlPlaneHost.ReaderKey).GetModelAsync(new GetModelRequest { Name = name });
        await SignInAsync(ControlPlaneHost.ReaderKey);

        // What a reader would get by re-enabling a disabled button in the browser: the console still asks the API.
        var panel = Panel(model, LifecycleAction.Promote, "1");
        panel.Find("[data-test=reason]").Input("forged");
        panel.Find("[data-test=confirm-action]").Click();

        panel.WaitForAssertion(() => Assert.Equal(
            "Not allowed: Promote needs the operator role; key 'ann-reader' has reader.",
            panel.Find("[data-test=action-outcome]").TextContent), Generous);
        Assert.Equal("", (await Host.Client(ControlPlaneHost.ReaderKey).GetModelAsync(new GetModelRequest { Name = name })).ProductionVersion);
    }

    [Fact]
    public async Task An_action_on_a_model_changed_meanwhile_is_refused_as_a_conflict_and_succeeds_once_read_again()
    {
        var name = await ConsoleServices.RegisterReadyModelAsync(Host, "conflict");
        var stale = await Host.Client(ControlPlaneHost.ReaderKey).GetModelAsync(new GetModelRequest { Name = name });
        await Host.Client(ControlPlaneHost.AdminKey).PromoteAsync(new PromoteRequest { Name = name, Version = "2", Reason = "someone else" });
        await SignInAsync(ControlPlaneHost.OperatorKey);

        var panel = Panel(stale, LifecycleAction.Promote, "1");
        panel.Find("[data-test=reason]").Input("ship it");
        Assert.Equal("Promote version 1 of " + name + " to production?", panel.Find("[data-test=confirm] p").TextContent);
        panel.Find("[data-test=confirm-action]").Click();

        panel.WaitForAssertion(() => Assert.StartsWith(
            "Someone else changed this model first, so nothing was done",
            panel.Find("[data-test=action-outcome]").TextContent, StringComparison.Ordinal), Generous);
        Assert.Equal("2", (await Host.Client(ControlPlaneHost.ReaderKey).GetModelAsync(new GetModelRequest { Name = name })).ProductionVersion);

        var fresh = await Host.Client(ControlPlaneHost.ReaderKey).GetModelAsync(new GetModelRequest { Name = name });
        panel.Render(parameters => parameters.Add(p => p.Model, fresh).Add(p => p.Pending, new PendingAction(LifecycleAction.Promote, "1")));
        panel.Find("[data-test=reason]").Input("ship it");
        panel.Find("[data-test=confirm-action]").Click();

        panel.WaitForAssertion(() => Assert.StartsWith(
            "Version 1 is in production (revision ",
            panel.Find("[data-test=action-outcome]").TextContent, StringComparison.Ordinal), Generous);
        Assert.Equal("1", (await Host.Client(ControlPlaneHost.ReaderKey).GetModelAsync(new GetModelRequest { Name = name })).ProductionVersion);
        var audit = await Host.Client(ControlPlaneHost.ReaderKey).GetAuditLogAsync(new GetAuditLogRequest { Name = name });
        Assert.Contains(audit.Events, e => e is { Action: "promote", Actor: "olly-operator", Reason: "ship it" });
    }

    [Fact]
    public async Task The_confirmation_needs_a_reason()
    {
        var name = await ConsoleServices.RegisterReadyModelAsync(Host, "reason");
        var model = await Host.Client(ControlPlaneHost.ReaderKey).GetModelAsync(new GetModelRequest { Name = name });
        await SignInAsync(ControlPlaneHost.OperatorKey);

        var panel = Panel(model, LifecycleAction.Retire, "1");

        Assert.True(panel.Find("[data-test=confirm-action]").HasAttribute("disabled"));
        panel.Find("[data-test=reason]").Input("superseded");
        Assert.False(panel.Find("[data-test=confirm-action]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task The_models_page_lists_every_model_with_its_production_version_and_the_model_page_its_history()
    {
        var name = await ConsoleServices.RegisterReadyModelAsync(Host, "listed");
        await Host.Client(ControlPlaneHost.OperatorKey).PromoteAsync(new PromoteRequest { Name = name, Version = "2", Reason = "first release" });
        await SignInAsync(ControlPlaneHost.ReaderKey);

        var models = Render<Models>();
        models.WaitForAssertion(() => Assert.Contains(models.FindAll("[data-test=model-link]"), a => a.TextContent == name), Generous);
        var row = models.FindAll("tr").Single(tr => tr.QuerySelector("[data-test=model-link]")?.TextContent == name);
        Assert.Contains(row.QuerySelectorAll("td"), td => td.TextContent.Trim() == "2");

        var page = Render<ModelDetail>(parameters => parameters.Add(p => p.Name, name));
        page.WaitForAssertion(() => Assert.Contains("v2", page.Find("[data-test=timeline]").TextContent, StringComparison.Ordinal), Generous);
        Assert.Contains("promote by olly-operator: first release", page.Find("[data-test=timeline]").TextContent, StringComparison.Ordinal);
        // Eight line charts, the drift heatmap, and the prediction distribution (which says it has none yet).
        Assert.Equal(10, page.FindAll("figure.chart").Count);
        Assert.Contains("needs a reference profile", page.Find("[data-test=chart-predictions]").TextContent, StringComparison.Ordinal);
        // A version registered without a config: the page says what monitoring and retraining cannot do for it.
        var limits = page.Find("[data-test=monitoring-limits]").TextContent;
        Assert.Contains("v2 (production)", limits, StringComparison.Ordinal);
        Assert.Contains("retraining needs a 'training' section", limits, StringComparison.Ordinal);
        // The retraining policy shows even before any run.
        Assert.Contains("cool-down", page.Find("[data-test=retraining-policy]").TextContent, StringComparison.Ordinal);
        Assert.Contains("No retraining runs yet.", page.Markup, StringComparison.Ordinal);
    }

    private IRenderedComponent<ActionPanel> Panel(Model model, LifecycleAction action, string version) =>
        Render<ActionPanel>(parameters => parameters.Add(p => p.Model, model).Add(p => p.Pending, new PendingAction(action, version)));
}
