using System.Text.Json;
using Mesh.Gateway.Testing;
using OpenAI.Chat;

namespace Mesh.Gateway.FunctionalTests.Guard.Tools;

/// <summary>A webhook check in audit mode on the real sidecar: the call is served, the finding is in the ledger.</summary>
public sealed class AuditCheckTests(ToolGuardRig rig) : IClassFixture<ToolGuardRig>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompleteChat_AuditCheckFlags_ServedAndTheFindingIsInTheLedger()
    {
        rig.Upstream.Default = FakeResponse.OpenAIChat("Done.");

        ChatCompletion completion = await rig.OpenAI(ToolGuardRig.AuditedKey).GetChatClient("openai")
            .CompleteChatAsync([new UserChatMessage("Move 900 EUR to jane.roe@example.org's account.")], cancellationToken: Ct);

        Assert.Equal("Done.", completion.Content.Single().Text);
        var hook = Assert.Single(rig.Upstream.Requests, static r => r.PathAndQuery.Contains("/guard-hook", StringComparison.Ordinal));
        using (var body = JsonDocument.Parse(hook.BodyText))
        {
            Assert.Equal("hook", body.RootElement.GetProperty("check").GetString());
            Assert.Equal("audited", body.RootElement.GetProperty("tenant").GetString());
            Assert.Equal("Move 900 EUR to [EMAIL]'s account.", body.RootElement.GetProperty("texts")[0].GetString());
        }

        var record = await UntilAsync(() => rig.LedgerRecords().FirstOrDefault(static r => r.GetProperty("tenant_id").GetString() == "audited"));
        Assert.Equal("ok", record.GetProperty("status").GetString());
        Assert.Contains("check:hook:audit:fraud", record.GetProperty("guardrail_actions").EnumerateArray().Select(static a => a.GetString()));
    }

    private static async Task<JsonElement> UntilAsync(Func<JsonElement> read)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
        while (true)
        {
            var value = read();
            if (value.ValueKind != JsonValueKind.Undefined)
            {
                return value;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the ledger record did not arrive within 30 s");
            await Task.Delay(20, Ct);
        }
    }
}
