using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Playwright;

namespace Mesh.Gateway.FunctionalTests.Console;

public sealed partial class ConsoleBrowserTests
{
    [Fact]
    public async Task Console_CallLog_ShowsACallsCaptureOnDemand_ByKeyboard_Redacted()
    {
        var reader = ApiKeyHash.Format(ConsoleRig.AdminToken);
        await using var rig = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "capture.jsonl")) + $"\ncapture:\n  enabled: true\n  readers: [\"{reader}\"]\n");
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, text: "write to jane.doe@example.com today"));
        await rig.WaitForCallsAsync(1);

        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        await page.GotoAsync(new Uri(rig.AdminAddress, "/console/").ToString());
        await page.Locator("#token").FocusAsync();
        await page.Keyboard.TypeAsync(ConsoleRig.AdminToken);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#login")).ToBeHiddenAsync(); // signed in: the overview is selected
        await page.Locator("#tab-calls").ClickAsync();
        await Assertions.Expect(page.Locator("#calls")).ToBeVisibleAsync();

        // The row's Show button, reached and pressed by keyboard, opens the capture under the row; Enter again closes it.
        var show = page.Locator("#calls-table button.capture-toggle");
        await Assertions.Expect(show).ToHaveCountAsync(1);
        await show.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(show).ToHaveAttributeAsync("aria-expanded", "true");
        var texts = page.Locator("#calls-table .capture-text");
        await Assertions.Expect(texts).ToHaveCountAsync(2);
        await Assertions.Expect(texts.Nth(0)).ToContainTextAsync("user: write to");
        await Assertions.Expect(texts.Nth(1)).ToContainTextAsync("Mock reply: write to");
        Assert.DoesNotContain("jane.doe", await page.Locator("#calls-table").InnerTextAsync(), StringComparison.Ordinal);
        await Shot(page, "7-call-capture");

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(texts).ToHaveCountAsync(0);
        await Assertions.Expect(show).ToHaveAttributeAsync("aria-expanded", "false");
    }
}
