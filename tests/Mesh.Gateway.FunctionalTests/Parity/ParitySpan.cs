using Google.Protobuf;
using System.Diagnostics;
using Mesh.Gateway.FunctionalTests.Telemetry.Otlp;

namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>A gateway span as the matrix reads it: an <see cref="Activity"/> of the in-process sidecar, or a span of the
/// published executable's OTLP export (the same names, kind, status and attributes).</summary>
public sealed record ParitySpan(string DisplayName, ActivityKind Kind, ActivityStatusCode Status, IReadOnlyDictionary<string, object?> Tags)
{
    private const string GatewaySource = "Mesh.Gateway";

    /// <summary>The parent's span id (default for a root span).</summary>
    public ActivitySpanId ParentSpanId { get; init; }

    /// <summary>The parent span when it was recorded too (the server's own request span), else null.</summary>
    public ParitySpan? Parent { get; init; }

    /// <summary>The attribute's value (string, long, double or bool), or null.</summary>
    public object? GetTagItem(string key) => Tags.GetValueOrDefault(key);

    internal static ParitySpan From(Activity activity) => new(
        activity.DisplayName,
        activity.Kind,
        activity.Status,
        activity.TagObjects.GroupBy(static t => t.Key).ToDictionary(static g => g.Key, static g => g.Last().Value, StringComparer.Ordinal))
    {
        ParentSpanId = activity.ParentSpanId,
        Parent = activity.Parent is { } parent ? From(parent) : null,
    };

    /// <summary>The gateway's spans of <paramref name="trace"/> in the OTLP/HTTP trace exports received so far.</summary>
    internal static IEnumerable<ParitySpan> From(IEnumerable<(string Path, string ContentType, byte[] Body)> exports, ActivityTraceId trace)
    {
        var traceId = Convert.FromHexString(trace.ToHexString());
        // Every span of the trace, of any instrumentation (the server's own request span is a gateway span's parent).
        var spans = exports.Where(static e => e.Path == "/v1/traces")
            .SelectMany(static e => ExportTraceServiceRequest.Parser.ParseFrom(e.Body).ResourceSpans.SelectMany(static r => r.ScopeSpans))
            .SelectMany(static scope => scope.Spans.Select(span => (Scope: scope.Scope?.Name, Span: span)))
            .Where(s => s.Span.TraceId.Span.SequenceEqual(traceId))
            .ToList();
        var byId = new Dictionary<ByteString, Span>();
        foreach (var (_, span) in spans)
        {
            byId.TryAdd(span.SpanId, span);
        }

        return spans.Where(static s => s.Scope == GatewaySource).Select(s => Make(s.Span, byId)).ToList();
    }

    private static ParitySpan Make(Span span, Dictionary<ByteString, Span> byId) => new(
        span.Name,
        span.Kind switch
        {
            SpanKind.Client => ActivityKind.Client,
            SpanKind.Server => ActivityKind.Server,
            SpanKind.Producer => ActivityKind.Producer,
            SpanKind.Consumer => ActivityKind.Consumer,
            _ => ActivityKind.Internal,
        },
        span.Status?.Code switch
        {
            1 => ActivityStatusCode.Ok,
            2 => ActivityStatusCode.Error,
            _ => ActivityStatusCode.Unset,
        },
        span.Attributes.GroupBy(static a => a.Key).ToDictionary(static g => g.Key, static g => Value(g.Last().Value), StringComparer.Ordinal))
    {
        ParentSpanId = span.ParentSpanId.IsEmpty ? default : ActivitySpanId.CreateFromBytes(span.ParentSpanId.Span),
        Parent = !span.ParentSpanId.IsEmpty && byId.TryGetValue(span.ParentSpanId, out var parent) ? Make(parent, byId) : null,
    };

    private static object? Value(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        _ => null,
    };
}
