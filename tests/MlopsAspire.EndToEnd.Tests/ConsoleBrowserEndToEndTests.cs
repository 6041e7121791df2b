using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Google.Protobuf;
using Grpc.Core;
using Mlops.V1;
using Microsoft.Playwright;
using MlopsAspire.Training;
using static Microsoft.Playwright.Assertions;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// The operator console in a real browser against the platform as `dotnet run` starts it, while fraud serves traffic:
/// what a reader and an operator see and may do, a shadow watched and promoted, and a key the platform does not know.
/// The pages refresh on their own; every wait is for what the page shows, with a generous timeout as a safety net.
/// Screenshots of the pages go to docs/images/ of the repository, for README.
/// </summary>
[Collection(DashboardPlatformCollection.Name)]
public sealed class ConsoleBrowserEndToEndTests(DashboardPlatformFixture platform) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;
    private FraudLoad _traffic = null!;

    public async Task InitializeAsync()
    {
        // Live pages refresh from the server every few seconds: a generous safety net for each wait, never a pause.
        SetDefaultExpectTimeout(90_000);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await platform.App.ResourceNotifications.WaitForResourceHealthyAsync("console", timeout.Token);
        _browser = await ConsoleBrowser.LaunchAsync(platform.App.GetEndpoint("console", "http"));
        _traffic = new FraudLoad(platform.Inference, DashboardPlatformFixture.InferenceKey);
    }

    public async Task DisposeAsync()
    {
        await _traffic.DisposeAsync();
        await _browser.DisposeAsync();
    }

    [Fact]
    public async Task A_key_the_platform_does_not_know_is_refused_and_nothing_is_shown()
    {
        var page = await _browser.SignInAsync("e2e-nobody-key-0123456789abcdef0123");

        await Expect(page.Locator("[data-test=sign-in-refusal]")).ToHaveTextAsync("This API key is not known to the control plane: check it and try again.");
        await Expect(page.Locator("[data-test=caller]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-test=models-grid]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_reader_sees_fraud_with_live_numbers_and_every_action_disabled_and_the_API_refuses_a_forged_one()
    {
        var page = await _browser.SignInAsync(PlatformFixture.ReaderKey);
        await Expect(page.Locator("[data-test=caller]")).ToHaveTextAsync("reader · reader");

        // The grid's rate is the console's reading of the monitoring API: it moves off zero once traffic is counted.
        await Expect(ModelRow(page, DemoModels.FraudModelName).Locator("[data-test=rate]")).Not.ToHaveTextAsync("0");

        await page.Locator("a[data-test=model-link]", new() { HasTextString = DemoModels.FraudModelName }).ClickAsync();
        await Expect(page.Locator("[data-test=routes]")).ToContainTextAsync("production v1");
        var actions = page.Locator("button[data-action]");
        await Expect(actions.First).ToBeVisibleAsync();
        foreach (var action in await actions.AllAsync())
        {
            await Expect(action).ToBeDisabledAsync();
            await Expect(action).ToHaveAttributeAsync("title", "needs the operator role");
        }

        // The buttons are a courtesy: the API decides. The reader's key, sent as the console would send it, is refused.
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.ReaderKey));
        var forged = await Assert.ThrowsAsync<RpcException>(() => management.PromoteAsync(
            new PromoteRequest { Name = DemoModels.FraudModelName, Version = "1", Reason = "forged from the console" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, forged.StatusCode);
    }

    [Fact]
    public async Task An_operator_shadows_a_registered_version_watches_it_agree_promotes_it_and_sees_the_history_and_audit()
    {
        var candidate = await RegisterFraudCandidateAsync();
        var page = await _browser.SignInAsync(PlatformFixture.OperatorKey);
        await Expect(page.Locator("[data-test=caller]")).ToHaveTextAsync("operator · operator");
        await Expect(ModelRow(page, DemoModels.FraudModelName).Locator("[data-test=rate]")).Not.ToHaveTextAsync("0");
        await ScreenshotAsync(page.Locator("main"), "console-models.png");

        await page.Locator("a[data-test=model-link]", new() { HasTextString = DemoModels.FraudModelName }).ClickAsync();
        var version = page.Locator($"[data-test=versions] tr[data-version='{candidate}']");
        await Expect(version).ToContainTextAsync("ready");

        // Shadow at sample rate 1: every production request is copied to the candidate.
        await version.Locator("button[data-action=shadow]").ClickAsync();
        await page.Locator("[data-test=sample-rate]").FillAsync("1");
        await page.Locator("[data-test=reason]").FillAsync("compare on live traffic");
        await page.Locator("[data-test=confirm-action]").ClickAsync();
        await Expect(page.Locator("[data-test=action-outcome]")).ToContainTextAsync($"Version {candidate} is a shadow at sample rate 1");
        await Expect(page.Locator("[data-test=routes]")).ToContainTextAsync($"shadow v{candidate} at 1");

        // Agreement appears once the replicas have compared shadowed requests; drift once a window of production is judged.
        await Expect(page.Locator("[data-test=chart-agreement] .legend li")).ToHaveTextAsync($"v{candidate}");
        // Two readings of agreement draw a line.
        await Expect(page.Locator("[data-test=chart-agreement] polyline.series")).ToHaveAttributeAsync("points", new Regex(@"^\S+ \S+"));
        await Expect(page.Locator("[data-test=drift-heatmap] rect.cell").First).ToBeVisibleAsync();
        // Production's predictions over the last minute against the profile built from its first production rows.
        await Expect(page.Locator("[data-test=chart-predictions] rect.bar").First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-test=chart-predictions] polyline.reference-step")).ToHaveCountAsync(1);
        // The shadow began while the page was open: each time chart marks it.
        await Expect(page.Locator("[data-test=chart-agreement] line.marker.lifecycle title").First).ToContainTextAsync($"v{candidate} shadow by");
        await Expect(page.Locator("[data-test=chart-p99] line.marker.lifecycle title").First).ToContainTextAsync($"v{candidate} shadow by");
        await ScreenshotAsync(page.Locator(".charts"), "console-live-charts.png");
        await ScreenshotAsync(page.Locator("[data-test=drift-heatmap]"), "console-drift-heatmap.png");

        await version.Locator("button[data-action=promote]").ClickAsync();
        await Expect(page.Locator("[data-test=confirm-action]")).ToBeDisabledAsync();
        await page.Locator("[data-test=reason]").FillAsync("the shadow agreed");
        await page.Locator("[data-test=confirm-action]").ClickAsync();
        await Expect(page.Locator("[data-test=action-outcome]")).ToContainTextAsync($"Version {candidate} is in production");

        await Expect(page.Locator("[data-test=routes]")).ToContainTextAsync($"production v{candidate}");
        await Expect(version).ToContainTextAsync("production");
        var timeline = page.Locator("[data-test=timeline] li");
        await Expect(timeline.First).ToContainTextAsync($"v{candidate} from");
        await Expect(timeline.First).ToContainTextAsync("until now — promote by operator: the shadow agreed");
        await Expect(timeline.Nth(1)).ToContainTextAsync("v1 from");
        await Expect(timeline.Nth(1)).Not.ToContainTextAsync("until now");
        // Who, what, which version, the move and why; after the time it happened.
        await Expect(page.Locator("[data-test=audit] tbody tr").First.Locator("td:nth-child(n+2)"))
            .ToHaveTextAsync(["operator", "promote", candidate, "Shadow → Production", "the shadow agreed"]);
        await Expect(page.Locator("[data-test=audit] tbody tr", new() { HasTextString = "compare on live traffic" })).ToContainTextAsync("shadow");
    }

    private static ILocator ModelRow(IPage page, string model) =>
        page.Locator("[data-test=models-grid] tr", new() { Has = page.Locator("a[data-test=model-link]", new() { HasTextString = model }) });

    /// <summary>Fraud trained on another seed, uploaded through the management API as an operator would.</summary>
    private async Task<string> RegisterFraudCandidateAsync()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var onnx = DemoModels.TrainFraud(seed: 43).OnnxModel;
        using var upload = management.RegisterModel();
        await upload.RequestStream.WriteAsync(new RegisterModelRequest
        {
            Metadata = new RegisterModelMetadata { Name = DemoModels.FraudModelName, Description = "retrained with seed 43", Size = onnx.Length },
        });
        for (var offset = 0; offset < onnx.Length; offset += 32 * 1024)
        {
            await upload.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = ByteString.CopyFrom(onnx, offset, Math.Min(32 * 1024, onnx.Length - offset)) });
        }

        await upload.RequestStream.CompleteAsync();
        return (await upload).Version.Version;
    }

    /// <summary>
    /// Takes a screenshot of the element, and writes it into docs/images/ (README's pictures) when
    /// <c>MLOPS_UPDATE_SCREENSHOTS=1</c> and the tests run from a checkout: live numbers differ on every run, so an
    /// ordinary run leaves the committed pictures alone.
    /// </summary>
    private static async Task ScreenshotAsync(ILocator what, string name)
    {
        var bytes = await what.ScreenshotAsync();
        Assert.NotEmpty(bytes);
        if (Environment.GetEnvironmentVariable("MLOPS_UPDATE_SCREENSHOTS") != "1")
        {
            return;
        }

        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MlopsAspire.sln")))
        {
            folder = folder.Parent;
        }

        if (folder is not null)
        {
            var images = Directory.CreateDirectory(Path.Combine(folder.FullName, "docs", "images"));
            await File.WriteAllBytesAsync(Path.Combine(images.FullName, name), bytes);
        }
    }
}
