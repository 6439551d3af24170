using System.Text.RegularExpressions;
using Grpc.Core;
using Mesh.Gateway.Testing;
using Microsoft.Playwright;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>The console in headless Chromium (Debian's, driven by Playwright) against two real sidecars sharing one real
/// redis-server, with traffic: the charts draw from live data, the call log filters, a key created in the console authenticates
/// a gRPC call on the other sidecar, and a key revoked in the console is refused there. A screenshot of every page is kept under
/// the test output's <c>artifacts/console/</c>.</summary>
public sealed partial class ConsoleBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-console-").FullName;
    private readonly string _screenshots = Path.Combine(AppContext.BaseDirectory, "artifacts", "console");
    private RedisServerProcess _redis = null!;
    private ConsoleRig _a = null!;
    private ConsoleRig _b = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (tests/run.sh installs it)");
        Directory.CreateDirectory(_screenshots);
        _redis = await RedisServerProcess.StartAsync();
        _a = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "a.jsonl"), _redis.Url, cache: true));
        _b = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "b.jsonl"), _redis.Url));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Console_WithTraffic_ChartsCallLogKeysAcrossTwoSidecarsAndScreenshots()
    {
        // Traffic on sidecar A: 3 calls of team-a (one with an e-mail address the guardrails redact), 2 of team-b (the second
        // answered from A's response cache).
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey));
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey, model: "fast"));
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey, text: "write to jane.doe@example.com"));
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamBKey));
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamBKey));
        await _a.WaitForCallsAsync(5);

        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync(new Uri(_a.AdminAddress, "/console/").ToString());

        // Sign in, by keyboard only.
        await page.Locator("#token").FocusAsync();
        await page.Keyboard.TypeAsync(ConsoleRig.AdminToken);
        await page.Keyboard.PressAsync("Enter");
        await Shot(page, "0-signed-in");

        // Overview: the charts draw from live data (the requests chart by tenant has one line per tenant with points).
        var requests = page.Locator("#chart-requests");
        await Assertions.Expect(requests.Locator("path[data-series='team-a']")).ToHaveCountAsync(1);
        await Assertions.Expect(requests.Locator("path[data-series='team-b']")).ToHaveCountAsync(1);
        Assert.NotEqual("0", await requests.GetAttributeAsync("data-points"));
        Assert.Matches("peak [0-9]", await requests.Locator("svg").GetAttributeAsync("aria-label"));
        await Assertions.Expect(page.Locator("#chart-tokens svg")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#chart-cost svg")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#chart-p99 svg")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#chart-overhead-p50 svg")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#chart-findings path[data-series='team-a']")).ToHaveCountAsync(1);

        // The cache: team-b's repeated call was a hit (1 of 5 calls), with what it saved.
        await Assertions.Expect(page.Locator("#chart-cache-ratio path[data-series='team-b']")).ToHaveCountAsync(1);
        Assert.Equal("1", await page.Locator("#chart-cache-ratio").GetAttributeAsync("data-points"));
        Assert.Equal("1", await page.Locator("#chart-cache-saved").GetAttributeAsync("data-points"));
        await Assertions.Expect(page.Locator("#chart-cache p")).ToHaveTextAsync("20.0 % of calls answered from the cache");
        await page.SelectOptionAsync("#by", "route");
        await Assertions.Expect(page.Locator("#chart-requests path[data-series='fast']")).ToHaveCountAsync(1);
        await Shot(page, "1-overview");

        // Call log: the tenant filter leaves team-b's two calls.
        await page.Locator("#tab-calls").ClickAsync();
        await Assertions.Expect(page.Locator("#calls-table tbody tr")).ToHaveCountAsync(5);
        await page.FillAsync("#f-tenant", "team-b");
        await page.Locator("#calls-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#calls-table tbody tr")).ToHaveCountAsync(2);
        foreach (var tenant in await page.Locator("#calls-table tbody tr td:nth-child(2)").AllTextContentsAsync())
        {
            Assert.Equal("team-b", tenant);
        }

        await page.FillAsync("#f-tenant", string.Empty);
        await page.FillAsync("#f-route", "fast");
        await page.Locator("#calls-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#calls-table tbody tr")).ToHaveCountAsync(1);
        await Shot(page, "2-call-log");

        // Keys: one created in the console on A authenticates a gRPC call on B (same redis-server).
        await page.Locator("#tab-keys").ClickAsync();
        await page.FillAsync("#k-tenant", "team-a");
        await page.FillAsync("#k-name", "from-the-console");
        await page.FillAsync("#k-labels", "team=web");
        await page.FillAsync("#k-rpm", "2");
        await page.Locator("#key-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#secret-box")).ToBeVisibleAsync();
        var secret = await page.Locator("#secret").TextContentAsync();
        Assert.StartsWith("mgw-vk-", secret, StringComparison.Ordinal);
        Assert.Null(await _a.CallAsync(secret!));
        Assert.Null(await EventuallyAsync(() => _b.CallAsync(secret!), static e => e is null));

        // Its own limit (2 a minute, set in the form) is counted across both sidecars: the third call, on B, is refused.
        var limited = await _b.CallAsync(secret!);
        Assert.Equal(StatusCode.ResourceExhausted, limited?.StatusCode);
        Assert.Contains("requests per minute", limited!.Status.Detail, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#keys-table tbody tr", new PageLocatorOptions { HasText = "from-the-console" })).ToContainTextAsync("2 req/min");
        await Shot(page, "3-keys-created");

        // Revoked in the console on A: refused on B.
        var row = page.Locator("#keys-table tbody tr", new PageLocatorOptions { HasText = "from-the-console" });
        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { NameRegex = RevokeButton() }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("revoked");
        var refused = await EventuallyAsync(() => _b.CallAsync(secret!), static e => e is not null);
        Assert.Equal(StatusCode.Unauthenticated, refused?.StatusCode);
        Assert.Contains("revoked", refused!.Status.Detail, StringComparison.Ordinal);
        await Shot(page, "4-keys-revoked");

        // Spend and configuration (secrets masked, version shown).
        await page.Locator("#tab-spend").ClickAsync();
        await page.SelectOptionAsync("#s-by", "tenant");
        await page.Locator("#spend-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#spend-table tbody tr")).ToHaveCountAsync(2);
        await Shot(page, "5-spend");
        await page.Locator("#tab-config").ClickAsync();
        await Assertions.Expect(page.Locator("#config-version")).ToContainTextAsync("version");
        var config = await page.Locator("#config-table").TextContentAsync();
        Assert.DoesNotContain("sha256:", config, StringComparison.Ordinal);
        Assert.Contains("••••••", config, StringComparison.Ordinal);
        await Shot(page, "6-config");

        // Keyboard: the tabs move with the arrow keys.
        await page.Locator("#tab-config").FocusAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(page.Locator("#tab-spend")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(page.Locator("#spend")).ToBeVisibleAsync();

        foreach (var name in (string[])["0-signed-in", "1-overview", "2-call-log", "3-keys-created", "4-keys-revoked", "5-spend", "6-config"])
        {
            Assert.True(new FileInfo(Path.Combine(_screenshots, name + ".png")).Length > 1000, name);
        }
    }

    private async Task Shot(IPage page, string name) => await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, name + ".png"), FullPage = true });

    // The other sidecar sees a change on the store's channel (or its 1 s poll); this waits for it, for up to 10 s.
    private static async Task<RpcException?> EventuallyAsync(Func<Task<RpcException?>> call, Func<RpcException?, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var result = await call();
            if (done(result) || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(50, Ct);
        }
    }

    [GeneratedRegex("^Revoke")]
    private static partial Regex RevokeButton();
}
