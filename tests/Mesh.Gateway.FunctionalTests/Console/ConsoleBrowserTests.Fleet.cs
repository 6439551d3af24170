using Grpc.Core;
using Microsoft.Playwright;

namespace Mesh.Gateway.FunctionalTests.Console;

public sealed partial class ConsoleBrowserTests
{
    [Fact]
    public async Task Console_FleetOverview_DrawsBothSidecarsCalls_KeyLimitEditedThereIsEnforcedOnTheOther()
    {
        await using var fa = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "fleet-a.jsonl"), _redis.Url, ledgerStream: "mesh:console-fleet"));
        await using var fb = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "fleet-b.jsonl"), _redis.Url, ledgerStream: "mesh:console-fleet"));
        Assert.Null(await fa.CallAsync(ConsoleRig.TeamAKey));
        Assert.Null(await fa.CallAsync(ConsoleRig.TeamAKey, model: "fast"));
        Assert.Null(await fb.CallAsync(ConsoleRig.TeamBKey));
        await fb.WaitForCallsAsync(3);

        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        await page.GotoAsync(new Uri(fb.AdminAddress, "/console/").ToString());
        await page.Locator("#token").FocusAsync();
        await page.Keyboard.TypeAsync(ConsoleRig.AdminToken);
        await page.Keyboard.PressAsync("Enter");

        // B's overview draws the fleet's calls: team-a's came through A only.
        await Assertions.Expect(page.Locator("#overview-title")).ToHaveTextAsync("The fleet, live");
        await Assertions.Expect(page.Locator("#overview-source")).ToContainTextAsync("fleet: redis-stream:mesh:console-fleet");
        var requests = page.Locator("#chart-requests");
        await Assertions.Expect(requests.Locator("path[data-series='team-a']")).ToHaveCountAsync(1);
        await Assertions.Expect(requests.Locator("path[data-series='team-b']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#chart-p99 path[data-series='team-a']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#chart-overhead-p50 figcaption")).ToContainTextAsync("(this sidecar)");
        await Shot(page, "8-fleet-overview");

        // A key used once on A; its limit set to 1 a minute in B's console: A refuses its next call once it has the change.
        var (id, secret) = await fb.CreateKeyAsync("team-a", "edited-in-the-console");
        Assert.Null(await EventuallyAsync(() => fa.CallAsync(secret), static e => e is null));
        await page.Locator("#tab-keys").ClickAsync();
        var row = page.Locator("#keys-table tbody tr", new PageLocatorOptions { HasText = "edited-in-the-console" });
        await Assertions.Expect(row).ToContainTextAsync("(tenant's)");
        var edit = row.Locator("button.edit-limits");
        await edit.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(edit).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(page.Locator($"#edit-rpm-{id}")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("1");
        await page.FillAsync($"#edit-day_usd-{id}", "50");
        await Shot(page, "9-key-limits-form");
        await page.Locator(".key-edit button[type=submit]").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("1 req/min");
        await Assertions.Expect(row).ToContainTextAsync("$50/day");
        await Shot(page, "9-key-limits-saved");

        var refused = await EventuallyAsync(() => fa.CallAsync(secret), static e => e is not null);
        Assert.Equal(StatusCode.ResourceExhausted, refused?.StatusCode);
        Assert.Contains($"requests per minute (tenant:team-a/key:{id})", refused!.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_Viewer_SeesChartsAndCallLog_NoKeyManagement()
    {
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey));
        await _a.WaitForCallsAsync(1);

        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        await page.GotoAsync(new Uri(_a.AdminAddress, "/console/").ToString());
        await page.Locator("#token").FocusAsync();
        await page.Keyboard.TypeAsync(ConsoleRig.ViewerToken);
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#role")).ToHaveTextAsync("Signed in as a viewer (read-only)");
        await Assertions.Expect(page.Locator("#tab-keys")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#chart-requests path[data-series='team-a']")).ToHaveCountAsync(1);
        await page.Locator("#tab-calls").ClickAsync();
        await Assertions.Expect(page.Locator("#calls-table tbody tr")).ToHaveCountAsync(1);

        // The arrow keys skip the tab a viewer is not offered: Call log → Spend.
        await page.Locator("#tab-calls").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.Locator("#tab-spend")).ToHaveAttributeAsync("aria-selected", "true");
        await Shot(page, "10-viewer");

        // Opened at #keys anyway (a bookmark, same tab so still signed in): the overview instead, no new sign-in.
        await page.EvaluateAsync("location.hash = 'keys'");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#overview")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#login")).ToBeHiddenAsync();
    }
}
