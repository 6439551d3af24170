using System.Net;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>Declares that its tests run alone: a sidecar exporting over OTLP runs the OpenTelemetry SDK's listeners in this
/// process for as long as it lives (HttpClient and ASP.NET Core instrumentation), which other tests' in-process clients and
/// activity listeners would see.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OtlpProcessWide
{
    public const string Name = "OTLP export, process-wide";
}

/// <summary><c>POST /admin/reload</c> of <c>telemetry:</c> on a real sidecar started from a file: the OTLP endpoint and protocol
/// apply live; the service name and the metrics interval are named as keys needing a restart.</summary>
[Collection(OtlpProcessWide.Name)]
public sealed class TelemetryReloadTests : IDisposable
{
    private const string Base = "listen: { grpc: 127.0.0.1:0, admin: 127.0.0.1:0 }\nlogging: { level: warning }\n"
        + "providers: [ { name: p0, kind: mock } ]\nmodels: [ { name: chat, targets: [ { provider: p0, model: m1 } ] } ]\n";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mesh-telemetry-reload-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ConfigPath => Path.Combine(_directory.FullName, "sidecar.yaml");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Reload_TelemetryEndpointAddedMovedRemoved_SpansGoToTheEndpointInForce()
    {
        // The SDK listens process-wide and other tests run sidecars in this process too: model names of this test's own tell
        // its spans apart.
        var tag = "tel-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await Telemetry.OtlpReceiver.StartAsync(Ct);
        await using var second = await Telemetry.OtlpReceiver.StartAsync(Ct);
        var models = Base.Replace("models: [ { name: chat, targets: [ { provider: p0, model: m1 } ] } ]",
            $"models: [ {{ name: {tag}-a, targets: [ {{ provider: p0, model: m1 }} ] }}, {{ name: {tag}-b, targets: [ {{ provider: p0, model: m1 }} ] }}, {{ name: {tag}-c, targets: [ {{ provider: p0, model: m1 }} ] }}, {{ name: {tag}-d, targets: [ {{ provider: p0, model: m1 }} ] }} ]",
            StringComparison.Ordinal);
        string FileText(Uri? endpoint) => models + (endpoint is null
            ? "telemetry: { otlp_protocol: http/protobuf, service_name: reload-test }\n"
            : $"telemetry: {{ otlp_endpoint: '{endpoint}', otlp_protocol: http/protobuf, service_name: reload-test }}\n");
        var sidecar = await StartAsync(FileText(null));
        try
        {
            var client = new V1.Inference.InferenceClient(sidecar.Channel);

            // Started with no endpoint: the call's span goes nowhere.
            await client.GenerateAsync(Inference.InferenceSidecar.Ask(tag + "-a"), cancellationToken: Ct);

            // Endpoint added: the next call's span reaches it (from the next batch: the SDK sends every 5 s).
            await ReloadToAsync(sidecar, FileText(first.Endpoint));
            await client.GenerateAsync(Inference.InferenceSidecar.Ask(tag + "-b"), cancellationToken: Ct);
            await WaitForSpanAsync(first, tag + "-b");

            // Moved: the next call's span reaches the new receiver and not the old.
            await ReloadToAsync(sidecar, FileText(second.Endpoint));
            await client.GenerateAsync(Inference.InferenceSidecar.Ask(tag + "-c"), cancellationToken: Ct);
            await WaitForSpanAsync(second, tag + "-c");

            // Removed: nothing more is sent.
            await ReloadToAsync(sidecar, FileText(null));
            await client.GenerateAsync(Inference.InferenceSidecar.Ask(tag + "-d"), cancellationToken: Ct);
        }
        finally
        {
            // Stopping the host flushes what is still batched.
            await sidecar.DisposeAsync();
        }

        Assert.False(HasSpan(first, tag + "-a") || HasSpan(second, tag + "-a"), "a span from before any endpoint was exported");
        Assert.False(HasSpan(first, tag + "-c"), "the old receiver got a span after the move");
        Assert.False(HasSpan(second, tag + "-b"), "the new receiver got a span from before the move");
        Assert.False(HasSpan(first, tag + "-d") || HasSpan(second, tag + "-d"), "a span was exported after the endpoint was removed");
        Assert.Equal(1, GenAiSpans(first, tag + "-b")); // sent once: the exporter behind the swap sends nothing of its own

        // Metrics follow the same endpoint: removing it flushed the call on the second receiver's watch there, and nothing
        // recorded after it was sent anywhere.
        Assert.Contains(second.Exports, e => e.Path == "/v1/metrics" && Contains(e.Body, tag + "-c"));
        Assert.DoesNotContain(first.Exports.Concat(second.Exports), e => e.Path == "/v1/metrics" && Contains(e.Body, tag + "-d"));
        Assert.Equal(1, GenAiSpans(second, tag + "-c"));

        // The resource still names the service (the OTLP exporter behind the swap carries the pipeline's resource).
        var resources = second.Exports.Where(static e => e.Path == "/v1/traces")
            .SelectMany(static e => Telemetry.Otlp.ExportTraceServiceRequest.Parser.ParseFrom(e.Body).ResourceSpans).ToList();
        Assert.NotEmpty(resources);
        Assert.All(resources, static r => Assert.Equal("reload-test", r.Resource.Attributes.Single(static a => a.Key == "service.name").Value.StringValue));
    }

    [Fact]
    public async Task Reload_TelemetryServiceNameAndMetricsInterval_NamedAsKeysNeedingRestart()
    {
        await using var sidecar = await StartAsync(Base + "telemetry: { service_name: a, metrics_interval_ms: 15000 }\n");
        await File.WriteAllTextAsync(ConfigPath, Base + "telemetry: { service_name: b, metrics_interval_ms: 15000 }\n", Ct);

        var (status, body) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var restart = body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray().Select(static e => e.GetString()!).ToList();
        Assert.Equal(["telemetry.service_name"], restart.Select(static r => r.Split(' ')[0]));

        await File.WriteAllTextAsync(ConfigPath, Base + "telemetry: { service_name: b, metrics_interval_ms: 30000 }\n", Ct);
        (status, body) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        restart = [.. body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray().Select(static e => e.GetString()!)];
        Assert.Equal(["telemetry.metrics_interval_ms"], restart.Select(static r => r.Split(' ')[0]));
    }

    private async Task ReloadToAsync(SidecarHost sidecar, string yaml)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml, Ct);
        var (status, body) = await PostReloadAsync(sidecar);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("result").GetString());
        Assert.Empty(body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray());
    }

    private static async Task WaitForSpanAsync(Telemetry.OtlpReceiver receiver, string model)
    {
        for (var waited = 0; !HasSpan(receiver, model); waited += 100)
        {
            Assert.True(waited < 30_000, $"no span for {model} reached {receiver.Endpoint} in 30 s");
            await Task.Delay(100, Ct);
        }
    }

    private static int GenAiSpans(Telemetry.OtlpReceiver receiver, string model) =>
        receiver.Exports.Where(static e => e.Path == "/v1/traces")
            .SelectMany(static e => Telemetry.Otlp.ExportTraceServiceRequest.Parser.ParseFrom(e.Body).ResourceSpans)
            .SelectMany(static r => r.ScopeSpans).SelectMany(static s => s.Spans)
            .Count(s => s.Attributes.Any(a => a.Key == "gen_ai.request.model" && a.Value.StringValue == model));

    private static bool HasSpan(Telemetry.OtlpReceiver receiver, string model) =>
        receiver.Exports.Any(e => e.Path == "/v1/traces" && Contains(e.Body, model));

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;

    private async Task<SidecarHost> StartAsync(string yaml)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml, Ct);
        return await SidecarHost.StartAsync(string.Empty, null, null, static _ => null,
            options => options with { ConfigYaml = null, ConfigPath = ConfigPath, ReloadOnChange = false, GrpcAddress = null, AdminAddress = null });
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostReloadAsync(SidecarHost sidecar)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/reload", UriKind.Relative));
        using var response = await sidecar.AdminClient.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : JsonSerializer.SerializeToElement(text));
    }
}
