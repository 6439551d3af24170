using System.Net;
using Mesh.Gateway.Core.Telemetry;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary><c>/metrics</c> on the probes listener: the Prometheus text format, read by a strict parser, with the GenAI names and
/// labels that never carry a tenant, key or user.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-metrics-").FullName;
    private ConsoleRig _rig = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _rig = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "ledger.jsonl")));

    public async ValueTask DisposeAsync()
    {
        await _rig.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Metrics_AfterCalls_StrictPrometheusTextWithGenAiNamesAndBoundedLabels()
    {
        Assert.Null(await _rig.CallAsync(ConsoleRig.TeamAKey));
        Assert.Null(await _rig.CallAsync(ConsoleRig.TeamBKey, text: "mail me at jane.doe@example.com"));
        Assert.NotNull(await _rig.CallAsync("not-a-key"));

        using var response = await _rig.Probes.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var families = PrometheusText.Parse(text);

        // The OTel → Prometheus rule: dots become underscores, the unit "s" becomes the _seconds suffix, {token} adds none.
        Assert.Equal("histogram", families[Prometheus(GenAiMetricNames.ClientOperationDuration, "seconds")].Type);
        Assert.Equal("histogram", families[Prometheus(GenAiMetricNames.ClientTokenUsage, null)].Type);
        Assert.Equal("histogram", families[Prometheus(GenAiMetricNames.GatewayOverhead, "seconds")].Type);
        var findings = families.Values.Single(static f => f.Name.StartsWith("mesh_guardrails_findings", StringComparison.Ordinal) || f.Name.Contains("guardrail", StringComparison.Ordinal));
        Assert.Equal("counter", findings.Type);
        Assert.Contains(findings.Samples, static s => s.Labels.TryGetValue("type", out var t) && t.Contains("email", StringComparison.OrdinalIgnoreCase));

        var tokens = families[Prometheus(GenAiMetricNames.ClientTokenUsage, null)];
        Assert.Contains(tokens.Samples, static s => s.Labels.GetValueOrDefault("gen_ai_token_type") == "input");
        Assert.Contains(tokens.Samples, static s => s.Labels.GetValueOrDefault("gen_ai_token_type") == "output");
        var duration = families[Prometheus(GenAiMetricNames.ClientOperationDuration, "seconds")];
        // The meter is the process's: other tests' sidecars in this process record on it too, so at least this test's two calls.
        Assert.True(duration.Samples.Where(static s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Sum(static s => s.Value) >= 2);
        Assert.Contains(duration.Samples, static s => s.Labels.GetValueOrDefault("gen_ai_provider_name") == "mock" && s.Labels.GetValueOrDefault("gen_ai_request_model") == "chat");

        // Bounded cardinality: every label is one of a fixed set, and no value is a tenant or key id.
        string[] allowed =
        [
            "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model", "gen_ai_token_type",
            "error_type", "type", "action", "direction", "le", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url",
            "mesh_gateway_target", "mesh_gateway_target_state", "mesh_gateway_latency_kind", "outcome", "service_name", "telemetry_sdk_language", "telemetry_sdk_name", "telemetry_sdk_version", "job", "instance",
        ];
        foreach (var sample in families.Values.Where(static f => !f.Name.StartsWith("dotnet_", StringComparison.Ordinal)).SelectMany(static f => f.Samples))
        {
            Assert.All(sample.Labels, label =>
            {
                Assert.Contains(label.Key, allowed);
                Assert.DoesNotContain("team-", label.Value, StringComparison.Ordinal);
                Assert.DoesNotContain("key-", label.Value, StringComparison.Ordinal);
            });
        }
    }

    [Fact]
    public async Task Metrics_ShowWhatTheSidecarCostsItsPod_MemoryCpuAndGcFromTheRuntimeMeter()
    {
        Assert.Null(await _rig.CallAsync(ConsoleRig.TeamAKey));

        using var response = await _rig.Probes.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        var families = PrometheusText.Parse(await response.Content.ReadAsStringAsync(Ct));

        var workingSet = Assert.Single(families["dotnet_process_memory_working_set_bytes"].Samples);
        Assert.InRange(workingSet.Value, 1024 * 1024, 64.0 * 1024 * 1024 * 1024);
        var cpu = families["dotnet_process_cpu_time_seconds_total"];
        Assert.Equal("counter", cpu.Type);
        Assert.True(cpu.Samples.Sum(static s => s.Value) > 0);
        Assert.Contains(cpu.Samples, static s => s.Labels.GetValueOrDefault("cpu_mode") == "user");
        Assert.Contains(families.Keys, static name => name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        // The runtime's labels are its own small fixed sets (generation, cpu mode, exception type), never a caller's.
        foreach (var sample in families.Values.Where(static f => f.Name.StartsWith("dotnet_", StringComparison.Ordinal)).SelectMany(static f => f.Samples))
        {
            Assert.All(sample.Labels.Keys, static key => Assert.Contains(key, RuntimeLabels));
        }
    }

    [Theory]
    [InlineData("/healthz", HttpStatusCode.OK)]
    [InlineData("/readyz", HttpStatusCode.OK)]
    [InlineData("/metrics", HttpStatusCode.OK)]
    [InlineData("/console/", HttpStatusCode.NotFound)]
    [InlineData("/admin/v1/keys", HttpStatusCode.NotFound)]
    [InlineData("/admin/v1/config", HttpStatusCode.NotFound)]
    public async Task ProbesListener_ServesProbesAndMetricsOnly(string path, HttpStatusCode expected)
    {
        using var response = await _rig.Probes.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/healthz")]
    public async Task AdminListener_WithAProbesListener_DoesNotServeProbes(string path)
    {
        using var response = await _rig.Admin.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static readonly string[] RuntimeLabels =
        ["gc_heap_generation", "cpu_mode", "error_type", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url", "le", "job", "instance"];

    private static string Prometheus(string otelName, string? unitSuffix) =>
        otelName.Replace('.', '_') + (unitSuffix is null ? string.Empty : "_" + unitSuffix);
}
