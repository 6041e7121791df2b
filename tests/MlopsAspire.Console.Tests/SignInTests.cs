using Bunit;
using Microsoft.AspNetCore.Components;
using MlopsAspire.Console.Components.Layout;
using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Console.Tests;

public sealed class SignInTests : BunitContext, IClassFixture<ControlPlaneHost>
{
    private static readonly RenderFragment Page = builder => builder.AddMarkupContent(0, "<p id=\"page\">the models</p>");

    public SignInTests(ControlPlaneHost host) => this.UseControlPlane(host);

    [Fact]
    public void A_key_the_control_plane_does_not_know_is_refused_with_a_clear_message_and_shows_nothing()
    {
        var layout = Render<MainLayout>(parameters => parameters.Add(l => l.Body, Page));

        layout.Find("#api-key").Change("not-a-configured-key");
        layout.Find("form").Submit();

        layout.WaitForAssertion(() => Assert.Equal(
            "This API key is not known to the control plane: check it and try again.",
            layout.Find("[data-test=sign-in-refusal]").TextContent), TimeSpan.FromSeconds(30));
        Assert.Empty(layout.FindAll("#page"));
    }

    [Fact]
    public void An_empty_key_is_refused_before_anything_is_asked()
    {
        var layout = Render<MainLayout>(parameters => parameters.Add(l => l.Body, Page));

        layout.Find("form").Submit();

        Assert.StartsWith("Enter an API key", layout.Find("[data-test=sign-in-refusal]").TextContent, StringComparison.Ordinal);
        Assert.Empty(layout.FindAll("#page"));
    }

    [Fact]
    public void A_known_key_signs_in_with_the_role_the_control_plane_gives_it_and_the_key_never_reaches_the_page()
    {
        var layout = Render<MainLayout>(parameters => parameters.Add(l => l.Body, Page));

        layout.Find("#api-key").Change(ControlPlaneHost.ReaderKey);
        layout.Find("form").Submit();

        layout.WaitForAssertion(() => Assert.NotEmpty(layout.FindAll("#page")), TimeSpan.FromSeconds(30));
        Assert.Equal("ann-reader · reader", layout.Find("[data-test=caller]").TextContent);
        Assert.DoesNotContain(ControlPlaneHost.ReaderKey, layout.Markup, StringComparison.Ordinal);
        Assert.Empty(layout.FindAll("a[href=security]"));
    }

    [Fact]
    public void An_admin_also_sees_the_security_audit()
    {
        var layout = Render<MainLayout>(parameters => parameters.Add(l => l.Body, Page));

        layout.Find("#api-key").Change(ControlPlaneHost.AdminKey);
        layout.Find("form").Submit();

        layout.WaitForAssertion(() => Assert.Equal("ada-admin · admin", layout.Find("[data-test=caller]").TextContent), TimeSpan.FromSeconds(30));
        Assert.Single(layout.FindAll("a[href=security]"));
    }
}
