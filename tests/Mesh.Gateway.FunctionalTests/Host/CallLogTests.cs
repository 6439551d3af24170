using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>Every call on the gRPC door writes one Information line (tenant, key id, route, provider, status, tokens,
/// latency_ms; never the prompt or the key), refusals included, with an RFC 3339 timestamp in JSON logs.</summary>
public sealed class CallLogTests
{
    private const string Key = "sk-mesh-call-log-test-key";
    private const string Prompt = "the secret plan is banana-7431";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GrpcCall_AnsweredAndRefused_OneInfoLineEachWithoutContent()
    {
        var yaml = $"logging: {{ level: information, format: json }}\ntenants:\n  - id: team-a\n    api_keys: [\"{ApiKeyHash.Format(Key)}\"]\n    models: [\"*\"]\n";
        await using var sidecar = await SidecarProcess.StartAsync(yaml);
        var client = new V1.Inference.InferenceClient(sidecar.Channel);

        await client.GenerateAsync(Inference.InferenceSidecar.Ask("mock", Prompt), new Metadata { { "x-api-key", Key } }, cancellationToken: Ct);
        await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GenerateAsync(Inference.InferenceSidecar.Ask("mock", Prompt), new Metadata { { "x-api-key", "wrong" } }, cancellationToken: Ct));

        var calls = await WaitForCallLinesAsync(sidecar, 2);
        var answered = calls.Single(static c => c.GetProperty("State").GetProperty("status").GetString() == "OK");
        var refused = calls.Single(static c => c.GetProperty("State").GetProperty("status").GetString() != "OK");
        Assert.Equal("Information", answered.GetProperty("LogLevel").GetString());
        Assert.Equal("Information", refused.GetProperty("LogLevel").GetString());
        var state = answered.GetProperty("State");
        Assert.Equal("grpc", state.GetProperty("door").GetString());
        Assert.Equal("team-a", state.GetProperty("tenant").GetString());
        Assert.NotEqual("-", state.GetProperty("key_id").GetString());
        Assert.Equal("mock", state.GetProperty("route").GetString());
        Assert.Equal("mock", state.GetProperty("provider").GetString());
        Assert.True(state.GetProperty("input_tokens").GetInt64() > 0);
        Assert.True(state.GetProperty("latency_ms").GetDouble() > 0);
        Assert.True(DateTimeOffset.TryParseExact(answered.GetProperty("Timestamp").GetString(), "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _));
        Assert.DoesNotContain("banana-7431", sidecar.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, sidecar.Output, StringComparison.Ordinal);
    }

    // The HTTP door runs the same pipeline as the gRPC door; its line names its own door (it said grpc).
    [Fact]
    public async Task HttpDoorCall_AnsweredAndRefused_OneInfoLineEachNamingTheHttpDoor()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var yaml = $"logging: {{ level: information, format: json }}\ntenants:\n  - id: team-a\n    api_keys: [\"{ApiKeyHash.Format(Key)}\"]\n    models: [\"*\"]\n";
        await using var sidecar = await SidecarProcess.StartAsync(yaml, ["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--http", $"127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        foreach (var key in (string[])[Key, "wrong"])
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/completions", UriKind.Relative))
            {
                Content = new StringContent($"{{\"model\":\"mock\",\"messages\":[{{\"role\":\"user\",\"content\":\"{Prompt}\"}}]}}", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request, Ct);
            Assert.Equal(key == Key ? System.Net.HttpStatusCode.OK : System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var calls = await WaitForCallLinesAsync(sidecar, 2);
        Assert.All(calls, static c => Assert.Equal("Information", c.GetProperty("LogLevel").GetString()));
        Assert.All(calls, static c => Assert.Equal("http", c.GetProperty("State").GetProperty("door").GetString()));
        var answered = calls.Single(static c => c.GetProperty("State").GetProperty("status").GetString() == "OK");
        Assert.Equal("team-a", answered.GetProperty("State").GetProperty("tenant").GetString());
        Assert.DoesNotContain("banana-7431", sidecar.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, sidecar.Output, StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> WaitForCallLinesAsync(SidecarProcess sidecar, int count)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var calls = sidecar.Output.Split('\n')
                .Where(static l => l.StartsWith('{') && l.Contains("\"EventId\":3900", StringComparison.Ordinal))
                .Select(static l => JsonDocument.Parse(l).RootElement.Clone())
                .ToList();
            if (calls.Count >= count || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.True(calls.Count == count, sidecar.Output);
                return calls;
            }

            await Task.Delay(100, Ct);
        }
    }
}
