using System.Reflection;
using System.Text;
using Mesh.Gateway.Api.Telemetry;
using Mesh.Gateway.FunctionalTests.Inference;
using Mesh.Gateway.FunctionalTests.Telemetry.Otlp;
using Mesh.Gateway.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Instrumentation.AspNetCore;

namespace Mesh.Gateway.FunctionalTests.Telemetry;

/// <summary>The sidecar's OTLP exporter pointed at a test OTLP/HTTP receiver: what a collector would get from one Generate call.</summary>
[Collection(Host.OtlpProcessWide.Name)]
public sealed class OtlpExportTests
{
    private const string Prompt = "Tell me about the zebra-quokka-7f3a9c treaty";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Generate_OtlpHttpEndpointConfigured_ExportsGenAiSpanUnderTheServerSpanAndMetricsWithoutContent()
    {
        // The SDK listens process-wide and other tests run sidecars in this process too: a model name of this test's own
        // tells its span apart.
        var model = "otlp-" + Guid.NewGuid().ToString("N")[..8];
        await using var receiver = await OtlpReceiver.StartAsync(Ct);
        var sidecar = await InferenceSidecar.StartAsync(
            $"telemetry:\n  otlp_endpoint: '{receiver.Endpoint}'\n  otlp_protocol: http/protobuf\n  service_name: otlp-test\n  metrics_interval_ms: 60000\n"
            + $"providers:\n  - {{ name: mock, kind: mock }}\nmodels:\n  - {{ name: {model}, targets: [ {{ provider: mock, model: mock }} ] }}\n");
        GenerateResponse response;
        try
        {
            response = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask(model, Prompt), cancellationToken: Ct);
        }
        finally
        {
            // Stopping the host flushes the exporters: everything is at the receiver once this returns.
            await sidecar.DisposeAsync();
        }

        var traces = receiver.Exports.Where(static e => e.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        Assert.All(traces, static e => Assert.Equal("application/x-protobuf", e.ContentType));
        var resourceSpans = traces.SelectMany(static e => ExportTraceServiceRequest.Parser.ParseFrom(e.Body).ResourceSpans).ToList();
        var span = Assert.Single(resourceSpans.SelectMany(static r => r.ScopeSpans).SelectMany(static s => s.Spans), s => Attribute(s, "gen_ai.request.model")?.StringValue == model);
        Assert.Equal("chat " + model, span.Name);
        Assert.Equal("chat", Attribute(span, "gen_ai.operation.name")?.StringValue);
        Assert.Equal(SpanKind.Client, span.Kind);
        Assert.Equal("mock", Attribute(span, "gen_ai.provider.name")?.StringValue);
        Assert.Equal(response.ProviderModel, Attribute(span, "gen_ai.response.model")?.StringValue);
        Assert.Equal(response.Usage.InputTokens, Attribute(span, "gen_ai.usage.input_tokens")?.IntValue);
        Assert.Equal(response.Usage.OutputTokens, Attribute(span, "gen_ai.usage.output_tokens")?.IntValue);
        Assert.Null(Attribute(span, "gen_ai.input.messages"));
        Assert.Null(Attribute(span, "gen_ai.output.messages"));
        Assert.Null(Attribute(span, "error.type"));
        Assert.All(resourceSpans, static r => Assert.Equal("otlp-test", r.Resource.Attributes.Single(static a => a.Key == "service.name").Value.StringValue));

        // The ASP.NET Core instrumentation's server span for the gRPC call is the GenAI span's parent, in the same trace.
        var server = Assert.Single(resourceSpans.SelectMany(static r => r.ScopeSpans).SelectMany(static s => s.Spans), s => s.SpanId == span.ParentSpanId);
        Assert.Equal(SpanKind.Server, server.Kind);
        Assert.Equal(span.TraceId, server.TraceId);
        Assert.Equal("/mesh.gateway.v1.Inference/Generate", Attribute(server, "url.path")?.StringValue);

        // gRPC support on: the attributes the instrumentation (1.21, the current RPC conventions) reads from Grpc.AspNetCore's request tags.
        Assert.Equal("grpc", Attribute(server, "rpc.system.name")?.StringValue);
        Assert.Equal("mesh.gateway.v1.Inference/Generate", Attribute(server, "rpc.method")?.StringValue);
        Assert.Equal("OK", Attribute(server, "rpc.response.status_code")?.StringValue);

        var metrics = receiver.Exports.Where(static e => e.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(metrics);
        Assert.Contains(metrics, e => Contains(e.Body, "gen_ai.client.operation.duration") && Contains(e.Body, model));
        Assert.Contains(metrics, static e => Contains(e.Body, "gen_ai.client.token.usage"));
        Assert.Contains(metrics, static e => Contains(e.Body, "http.server.request.duration")); // ASP.NET Core
        Assert.Contains(metrics, static e => Contains(e.Body, "dotnet.gc.collections")); // runtime

        // Neither the prompt nor the completion leaves the sidecar, in any signal.
        Assert.All(receiver.Exports, e =>
        {
            Assert.False(Contains(e.Body, "zebra-quokka-7f3a9c"), $"{e.Path} carries the prompt");
            Assert.False(Contains(e.Body, response.Text), $"{e.Path} carries the completion");
        });
    }

    [Fact]
    public async Task Start_OtlpEndpointConfigured_AspNetCoreInstrumentationHasGrpcSupportOn()
    {
        await using var receiver = await OtlpReceiver.StartAsync(Ct);
        var sidecar = await InferenceSidecar.StartAsync($"telemetry:\n  otlp_endpoint: '{receiver.Endpoint}'\n  otlp_protocol: http/protobuf\n");
        try
        {
            Assert.Equal("true", sidecar.Services.GetRequiredService<IConfiguration>()[TelemetryServiceCollectionExtensions.GrpcInstrumentationSwitch]);

            // The traces pipeline is a provider of its own (it comes and goes with the endpoint, TelemetryExports), reading this
            // configuration: the rpc.* attributes asserted in Generate_OtlpHttpEndpointConfigured_... show the switch in effect.
        }
        finally
        {
            await sidecar.DisposeAsync();
        }
    }

    [Fact]
    public async Task Generate_NoEndpoint_NothingExported()
    {
        await using var receiver = await OtlpReceiver.StartAsync(Ct);
        var sidecar = await InferenceSidecar.StartAsync("telemetry:\n  service_name: otlp-test\n");
        try
        {
            await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("mock", Prompt), cancellationToken: Ct);
        }
        finally
        {
            await sidecar.DisposeAsync();
        }

        Assert.Empty(receiver.Exports);
    }

    private static AnyValue? Attribute(Span span, string key) => span.Attributes.FirstOrDefault(a => a.Key == key)?.Value;

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
