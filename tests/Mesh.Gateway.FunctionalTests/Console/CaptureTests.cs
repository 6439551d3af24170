using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mesh.Gateway.Sidecar.Capture;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>Opt-in capture of prompts and answers, as an operator reads it through the admin API of a real sidecar: off by default
/// (nothing kept, 404); on, a call whose prompt holds an email is kept with the email redacted by the guardrails (pii redact),
/// readable by a credential in <c>capture.readers</c> and 403 for another admin credential; the call log says which calls have one.</summary>
public sealed class CaptureTests : IDisposable
{
    private const string OtherAdminToken = "other-admin-token-for-tests-98765";
    private const string Email = "alice.smith@example.com";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-capture-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task CaptureOff_ByDefault_NothingKeptAndTheEndpoint404()
    {
        await using var rig = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "ledger.jsonl")));

        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, text: "Write to " + Email));
        var (id, captured) = await NewestCallAsync(rig);

        Assert.False(captured);
        Assert.Equal(0, rig.Host.Services.GetRequiredService<CaptureStore>().Count);
        using var response = await rig.Admin.GetAsync(new Uri($"/admin/v1/calls/{id}/capture", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("capture is off", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaptureOn_PromptWithAnEmail_KeptRedactedForAReader_403ForAnotherAdmin()
    {
        await using var rig = await ConsoleRig.StartAsync(CaptureYaml("enabled: true"));

        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, text: "Write to " + Email + " about the invoice"));
        var (id, captured) = await NewestCallAsync(rig);
        Assert.True(captured);

        // The reader (the rig's admin token) sees the prompt as it went upstream and the answer the caller got: no email in either.
        using var read = await rig.Admin.GetAsync(new Uri($"/admin/v1/calls/{id}/capture", UriKind.Relative), Ct);
        var body = await read.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var json = JsonDocument.Parse(body);
        var prompt = json.RootElement.GetProperty("prompt").GetString()!;
        var answer = json.RootElement.GetProperty("answer").GetString()!;
        Assert.Equal(id, json.RootElement.GetProperty("call_id").GetString());
        Assert.Equal("team-a", json.RootElement.GetProperty("tenant").GetString());
        Assert.Contains("user: Write to ", prompt, StringComparison.Ordinal);
        Assert.Contains("about the invoice", prompt, StringComparison.Ordinal);
        Assert.StartsWith("Mock reply: Write to ", answer, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, body, StringComparison.Ordinal);
        Assert.DoesNotContain("alice.smith", body, StringComparison.Ordinal);
        Assert.DoesNotContain(ConsoleRig.TeamAKey, body, StringComparison.Ordinal);

        // Another admin credential: the admin API is open to it, captures are not.
        using var other = new HttpClient { BaseAddress = rig.AdminAddress };
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OtherAdminToken);
        using var calls = await other.GetAsync(new Uri("/admin/v1/calls", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, calls.StatusCode);
        using var refused = await other.GetAsync(new Uri($"/admin/v1/calls/{id}/capture", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("Mock reply", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // A call id that was never captured.
        using var missing = await rig.Admin.GetAsync(new Uri("/admin/v1/calls/no-such-call/capture", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task CaptureOn_HttpDoorStreamedCall_AnswerAsStreamedToTheCaller_EmailRedacted()
    {
        await using var rig = await ConsoleRig.StartAsync(CaptureYaml("enabled: true"));
        using var http = new HttpClient { BaseAddress = rig.Host.HttpAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConsoleRig.TeamAKey);
        var request = "{\"model\":\"chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Mail " + Email + " the plan\"}]}";

        using var response = await http.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(request, System.Text.Encoding.UTF8, "application/json"), Ct);
        var sse = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data: [DONE]", sse, StringComparison.Ordinal);
        var (id, captured) = await NewestCallAsync(rig);
        Assert.True(captured);

        using var json = JsonDocument.Parse(await rig.Admin.GetStringAsync(new Uri($"/admin/v1/calls/{id}/capture", UriKind.Relative), Ct));
        var capture = json.RootElement;
        Assert.Equal("http", capture.GetProperty("door").GetString());
        Assert.Equal("ok", capture.GetProperty("status").GetString());
        Assert.Contains("user: Mail ", capture.GetProperty("prompt").GetString()!, StringComparison.Ordinal);
        var answer = capture.GetProperty("answer").GetString()!;
        Assert.StartsWith("Mock reply: Mail ", answer, StringComparison.Ordinal);
        Assert.EndsWith(" the plan", answer, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, capture.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaptureOn_Tokenized_CallerGetsTheEmailBack_CaptureKeepsThePlaceholder()
    {
        await using var rig = await ConsoleRig.StartAsync(CaptureYaml("enabled: true").Replace("pii: { action: redact }", "pii: { action: tokenize }", StringComparison.Ordinal));
        var client = new V1.Inference.InferenceClient(rig.Host.Channel);

        var reply = await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat", "Write to " + Email), new global::Grpc.Core.Metadata { { "authorization", "Bearer " + ConsoleRig.TeamAKey } }, cancellationToken: Ct);
        Assert.Contains(Email, reply.ToString(), StringComparison.Ordinal); // the caller's answer has the original back
        var (id, _) = await NewestCallAsync(rig);

        var body = await rig.Admin.GetStringAsync(new Uri($"/admin/v1/calls/{id}/capture", UriKind.Relative), Ct);
        using var json = JsonDocument.Parse(body);
        Assert.Contains("[EMAIL_1]", json.RootElement.GetProperty("prompt").GetString()!, StringComparison.Ordinal);
        Assert.Contains("[EMAIL_1]", json.RootElement.GetProperty("answer").GetString()!, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaptureOn_MaxEntriesTwo_TheOldestCallsCaptureIsEvicted()
    {
        await using var rig = await ConsoleRig.StartAsync(CaptureYaml("enabled: true\n  store: { max_entries: 2 }"));

        foreach (var text in (string[])["first", "second", "third"])
        {
            Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, text: text));
        }

        await rig.WaitForCallsAsync(3);
        using var json = JsonDocument.Parse(await rig.Admin.GetStringAsync(new Uri("/admin/v1/calls?limit=3", UriKind.Relative), Ct));
        var calls = json.RootElement.GetProperty("calls"); // newest first
        Assert.Equal([true, true, false], calls.EnumerateArray().Select(static c => c.GetProperty("captured").GetBoolean()).ToArray());
        using var evicted = await rig.Admin.GetAsync(new Uri($"/admin/v1/calls/{calls[2].GetProperty("request_id").GetString()}/capture", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, evicted.StatusCode);
        var newest = await rig.Admin.GetStringAsync(new Uri($"/admin/v1/calls/{calls[0].GetProperty("request_id").GetString()}/capture", UriKind.Relative), Ct);
        Assert.Contains("user: third", newest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaptureOn_OtherTenantsOnly_ThisTenantsCallNotKept()
    {
        await using var rig = await ConsoleRig.StartAsync(CaptureYaml("enabled: true\n  tenants: [team-b]"));

        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, text: "Say hello"));
        var (id, captured) = await NewestCallAsync(rig);

        Assert.False(captured);
        using var response = await rig.Admin.GetAsync(new Uri($"/admin/v1/calls/{id}/capture", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CaptureOn_AViewerCredential_ReadsOnlyWhenInReaders(bool viewerIsReader)
    {
        var yaml = ConsoleRig.Yaml(Path.Combine(_dir, "ledger.jsonl"))
            + $"\ncapture:\n  enabled: true\n  readers: [\"{ApiKeyHash.Format(viewerIsReader ? ConsoleRig.ViewerToken : ConsoleRig.AdminToken)}\"]\n";
        await using var rig = await ConsoleRig.StartAsync(yaml);
        Assert.Null(await rig.CallAsync(ConsoleRig.TeamAKey, text: "Say hello"));
        var (id, _) = await NewestCallAsync(rig);
        using var viewer = new HttpClient { BaseAddress = rig.AdminAddress };
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConsoleRig.ViewerToken);

        using var response = await viewer.GetAsync(new Uri($"/admin/v1/calls/{id}/capture", UriKind.Relative), Ct);

        Assert.Equal(viewerIsReader ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(viewerIsReader, body.Contains("Mock reply", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CaptureInRedis_WithoutStoreRedis_TheStartStopsNamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ConsoleRig.StartAsync(CaptureYaml("enabled: true\n  store: { kind: redis }")));

        Assert.Contains("capture.store.kind: redis keeps captures in store.redis, which is not set", error.Message, StringComparison.Ordinal);
    }

    private string CaptureYaml(string settings)
    {
        var adminHash = ApiKeyHash.Format(ConsoleRig.AdminToken);
        var yaml = ConsoleRig.Yaml(Path.Combine(_dir, "ledger.jsonl"))
            .Replace($"credentials: [\"{adminHash}\"]", $"credentials: [\"{adminHash}\", \"{ApiKeyHash.Format(OtherAdminToken)}\"]", StringComparison.Ordinal);
        return yaml + $"\ncapture:\n  {settings}\n  readers: [\"{adminHash}\"]\n  retention: 1h\n";
    }

    private static async Task<(string Id, bool Captured)> NewestCallAsync(ConsoleRig rig)
    {
        await rig.WaitForCallsAsync(1);
        using var json = JsonDocument.Parse(await rig.Admin.GetStringAsync(new Uri("/admin/v1/calls?limit=1", UriKind.Relative), Ct));
        var call = json.RootElement.GetProperty("calls")[0];
        return (call.GetProperty("request_id").GetString()!, call.GetProperty("captured").GetBoolean());
    }
}
