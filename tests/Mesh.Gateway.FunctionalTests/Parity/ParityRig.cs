using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using OtlpReceiver = Mesh.Gateway.FunctionalTests.Telemetry.OtlpReceiver;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.VirtualKeys;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>One real sidecar on loopback and one fake upstream for the whole matrix, configured so every door reaches the
/// same upstream under the same tenants and the same guardrail policy; plus what it recorded (spans, metrics, ledger).</summary>
/// <remarks>The matrix's cases run one after another (one test class), so <see cref="Upstream"/>'s answer is set per case.</remarks>
public sealed class ParityRig : IAsyncLifetime
{
    public const string SmallModel = "gpt-4o-mini";
    public const string LargeModel = "gpt-4o";
    public const string TelemetryModel = "gpt-4o-mini-parity";

    /// <summary>A model whose route caches answers (<c>cache.routes</c>, sampled requests too).</summary>
    public const string CacheModel = "gpt-4o-mini-cache";

    /// <summary>The default policy redacts PII, blocks injection and allows the tool <c>get_weather</c> only; tenant
    /// <c>tokenize</c>'s policy tokenizes PII.</summary>
    public const string RedactKey = "mgw-parity-redact";
    public const string TokenizeKey = "mgw-parity-tokenize";

    /// <summary>May use the small model only.</summary>
    public const string NarrowKey = "mgw-parity-narrow";

    /// <summary>Tenant <c>decorated</c>: <see cref="Decorator"/> is prepended to its calls (<c>prompts.decorators</c>).</summary>
    public const string DecoratedKey = "mgw-parity-decorated";

    public const string Decorator = "Reply in the house style of the parity rig.";

    /// <summary>Tenant <c>capture</c>: its prompts and answers are captured (<c>capture.tenants</c>), under the default policy.</summary>
    public const string CaptureKey = "mgw-parity-capture";

    /// <summary>The admin API's token (<c>admin.credentials</c>, also in <c>capture.readers</c>).</summary>
    public const string AdminToken = "mgw-parity-admin-token";

    // What the sidecar emits, as the rig compares it; the published executable's telemetry is read the way a user reads it.
    private static readonly string[] GatewayInstruments =
    [
        "gen_ai.client.token.usage", "gen_ai.client.operation.duration", "gen_ai.client.operation.time_to_first_chunk", "mesh.gateway.overhead.duration",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-parity-").FullName;
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, string? Model)> _measurements = new();
    private ActivityListener? _activities;
    private MeterListener? _meters;
    private OtlpReceiver? _otlp;

    public FakeProviderServer Upstream { get; private set; } = null!;

    public SidecarHost Sidecar { get; private set; } = null!;

    public string LedgerPath => Path.Combine(_dir, "ledger.jsonl");

    /// <summary>A key of a tenant allowed one request a minute, its own per door so the doors do not share the count.</summary>
    public static string LimitedKey(IDoor door) => $"mgw-parity-limited-{Doors.IndexOf(door)}";

    /// <summary>A key of a tenant whose daily budget no call fits in, its own per door.</summary>
    public static string BudgetKey(IDoor door) => $"mgw-parity-budget-{Doors.IndexOf(door)}";

    public async ValueTask InitializeAsync()
    {
        _activities = new ActivityListener
        {
            // ASP.NET Core's request activity is listened to as well: it is what carries a gRPC caller's traceparent.
            ShouldListenTo = static source => source.Name is "Mesh.Gateway" or "Microsoft.AspNetCore",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Mesh.Gateway")
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Mesh.Gateway")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Measured(instrument, tags));
        _meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Measured(instrument, tags));
        _meters.Start();

        Upstream = await FakeProviderServer.StartAsync(TestContext.Current.CancellationToken);
        // The published executable (MESH_SIDECAR_EXECUTABLE) runs in a process of its own, where the listeners above hear
        // nothing: its spans come through its OTLP export and its metrics from the admin listener's /metrics, as a user sees them.
        if (SidecarHost.OutOfProcess)
        {
            _otlp = await OtlpReceiver.StartAsync(TestContext.Current.CancellationToken);
        }

        Sidecar = await SidecarHost.StartAsync(Yaml());
    }

    public async ValueTask DisposeAsync()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        if (Sidecar is not null)
        {
            await Sidecar.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        if (_otlp is not null)
        {
            await _otlp.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Creates a virtual key through the admin API (<c>POST /admin/v1/keys</c>); returns its id and secret.</summary>
    public async Task<(string Id, string Secret)> CreateVirtualKeyAsync(VirtualKeyRequest request)
    {
        var body = new JsonObject { ["tenant"] = request.TenantId };
        if (request.Limits is { } limits)
        {
            body["limits"] = new JsonObject { ["requests_per_minute"] = limits.RequestsPerMinute, ["tokens_per_minute"] = limits.TokensPerMinute };
        }

        if (request.Budget is { } budget)
        {
            body["budget"] = new JsonObject { ["per_day_usd"] = budget.PerDayUsd, ["per_month_usd"] = budget.PerMonthUsd };
        }

        using var post = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/keys") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Sidecar.AdminClient.SendAsync(post, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST /admin/v1/keys: {(int)response.StatusCode} {text}");
        var issued = JsonDocument.Parse(text).RootElement;
        return (issued.GetProperty("key").GetProperty("id").GetString()!, issued.GetProperty("secret").GetString()!);
    }

    /// <summary>A call's captured prompt and answer through the admin API (<c>GET /admin/v1/calls/{id}/capture</c>); null when 404.</summary>
    public async Task<JsonElement?> CaptureAsync(string requestId)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/admin/v1/calls/{Uri.EscapeDataString(requestId)}/capture");
        get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Sidecar.AdminClient.SendAsync(get, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.True(response.IsSuccessStatusCode, $"GET capture: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The gateway spans of one trace.</summary>
    public IReadOnlyList<ParitySpan> Spans(ActivityTraceId trace) => _otlp is null
        ? [.. _spans.Where(a => a.TraceId == trace).Select(ParitySpan.From)]
        : [.. ParitySpan.From(_otlp.Exports, trace)];

    /// <summary>The names of the gateway instruments recorded for <paramref name="model"/>.</summary>
    public IReadOnlySet<string> InstrumentsFor(string model) => _otlp is null
        ? _measurements.Where(m => m.Model == model).Select(static m => m.Instrument).ToHashSet(StringComparer.Ordinal)
        : ScrapedInstruments(model);

    // The admin listener's /metrics (Prometheus text): an instrument "a.b.c" is a family "a_b_c[_unit][_bucket|_sum|_count|_total]".
    private HashSet<string> ScrapedInstruments(string model)
    {
        var text = Sidecar.AdminClient.GetStringAsync("/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        var label = $"gen_ai_request_model=\"{model}\"";
        var families = text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#' && line.Contains(label, StringComparison.Ordinal))
            .Select(static line => line[..line.IndexOf('{', StringComparison.Ordinal)])
            .ToList();
        return GatewayInstruments.Where(i => families.Any(f => f.StartsWith(i.Replace('.', '_'), StringComparison.Ordinal))).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The ledger's records so far.</summary>
    public IReadOnlyList<JsonElement> LedgerRecords()
    {
        if (!File.Exists(LedgerPath))
        {
            return [];
        }

        using var stream = new FileStream(LedgerPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var records = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                records.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return records;
    }

    private void Measured(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? model = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "gen_ai.request.model")
            {
                model = tag.Value as string;
            }
        }

        _measurements.Enqueue((instrument.Name, model));
    }

    // Spans and metrics leave the published executable through its OTLP export (flushed every 5 s by the SDK's batch).
    private string Telemetry() => _otlp is null ? string.Empty : $$"""
        telemetry:
              otlp_endpoint: '{{_otlp.Endpoint}}'
              otlp_protocol: http/protobuf
        """;

    private string Yaml()
    {
        var limited = string.Concat(Doors.All.Select(static d => $$"""
              - id: limited-{{Doors.IndexOf(d)}}
                api_keys: ["{{ApiKeyHash.Format(LimitedKey(d))}}"]
                models: ["*"]
                limits:
                  requests_per_minute: 1
              - id: budget-{{Doors.IndexOf(d)}}
                api_keys: ["{{ApiKeyHash.Format(BudgetKey(d))}}"]
                models: ["*"]
                budget:
                  per_day_usd: 0.000001

            """));
        return $$"""
            tenants:
              - id: redact
                api_keys: ["{{ApiKeyHash.Format(RedactKey)}}"]
                models: ["*"]
              - id: tokenize
                api_keys: ["{{ApiKeyHash.Format(TokenizeKey)}}"]
                models: ["*"]
              - id: narrow
                api_keys: ["{{ApiKeyHash.Format(NarrowKey)}}"]
                models: [gpt-4o-mini, claude-3-5-haiku-latest, gemini-2.0-flash]
              - id: decorated
                api_keys: ["{{ApiKeyHash.Format(DecoratedKey)}}"]
                models: ["*"]
              - id: capture
                api_keys: ["{{ApiKeyHash.Format(CaptureKey)}}"]
                models: ["*"]
            {{limited}}
            providers:
              - { name: openai, kind: openai, api_key: sk-upstream, base_url: '{{Upstream.BaseUrl}}v1' }
              - { name: anthropic, kind: anthropic, api_key: ak-upstream }
              - { name: gemini, kind: gemini, api_key: gk-upstream }
            models:
              - { name: {{SmallModel}}, targets: [ { provider: openai, model: {{SmallModel}} } ] }
              - { name: {{LargeModel}}, targets: [ { provider: openai, model: {{LargeModel}} } ] }
              - { name: {{TelemetryModel}}, targets: [ { provider: openai, model: {{TelemetryModel}} } ] }
              - { name: {{CacheModel}}, targets: [ { provider: openai, model: {{CacheModel}} } ] }
            prices:
              gpt-4o-mini: { input: 1000, output: 1000 }
              claude-3-5-haiku-latest: { input: 1000, output: 1000 }
              gemini-2.0-flash: { input: 1000, output: 1000 }
              {{CacheModel}}: { input: 1000, output: 1000 }
              claude-3-5-haiku-cache: { input: 1000, output: 1000 }
              gemini-2.0-flash-cache: { input: 1000, output: 1000 }
            cache:
              routes:
                {{CacheModel}}: { ttl_seconds: 300, cache_sampled: true }
                claude-3-5-haiku-cache: { ttl_seconds: 300, cache_sampled: true }
                gemini-2.0-flash-cache: { ttl_seconds: 300, cache_sampled: true }
            capture:
              enabled: true
              tenants: [capture]
              readers: ["{{ApiKeyHash.Format("parity-capture-reader")}}", "{{ApiKeyHash.Format(AdminToken)}}"]
            admin:
              credentials: ["{{ApiKeyHash.Format(AdminToken)}}"]
            {{Telemetry()}}
            guardrails:
              pii: { action: redact }
              tools: { allow: [get_weather] }
              policies:
                tokenizing:
                  pii: { action: tokenize }
              tenants:
                tokenize: { policy: tokenizing }
            ledger:
              path: {{LedgerPath}}
            prompts:
              decorators:
                - { tenants: [decorated], content: "{{Decorator}}" }
            """;
    }
}
