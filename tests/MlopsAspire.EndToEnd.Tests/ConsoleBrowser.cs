using Microsoft.Playwright;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Debian's chromium (<c>/usr/bin/chromium</c>, which <c>.ci/run</c> installs) driven by Playwright, headless, on a
/// fresh profile: Playwright's own browsers are never downloaded. Each person signs in in a browser context of their
/// own, so their circuits, like two people's, share nothing.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly Uri _console;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, Uri console) =>
        (_playwright, _browser, _console) = (playwright, browser, console);

    public static async Task<ConsoleBrowser> LaunchAsync(Uri console)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // No sandbox in a container; nothing that reaches out (QUIC, updates, sync, first-run pages).
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            });
            return new ConsoleBrowser(playwright, browser, console);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new page in a context of its own, on the console's sign-in form.</summary>
    public async Task<IPage> OpenAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _console.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        context.SetDefaultTimeout(90_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        return page;
    }

    /// <summary>Signs in with <paramref name="apiKey"/> on a new page; the caller checks what the console answered.</summary>
    public async Task<IPage> SignInAsync(string apiKey)
    {
        var page = await OpenAsync();
        await page.Locator("#api-key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
