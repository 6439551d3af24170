using System.Diagnostics;
using Mesh.Gateway.FunctionalTests.Telemetry.Otlp;

namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>A gateway span as the matrix reads it: an <see cref="Activity"/> of the in-process sidecar, or a span of the
/// published executable's OTLP export (the same names, kind, status and attributes).</summary>
public sealed record ParitySpan(string DisplayName, ActivityKind Kind, ActivityStatusCode Status, IReadOnlyDictionary<string, object?> Tags)
{
    private const string GatewaySource = "Mesh.Gateway";

    /// <summary>The attribute's value (string, long, double or bool), or null.</summary>
    public object? GetTagItem(string key) => Tags.GetValueOrDefault(key);

    internal static ParitySpan From(Activity activity) => new(
        activity.DisplayName,
        activity.Kind,
        activity.Status,
        activity.TagObjects.GroupBy(static t => t.Key).ToDictionary(static g => g.Key, static g => g.Last().Value, StringComparer.Ordinal));

    /// <summary>The gateway's spans of <paramref name="trace"/> in the OTLP/HTTP trace exports received so far.</summary>
    internal static IEnumerable<ParitySpan> From(IEnumerable<(string Path, string ContentType, byte[] Body)> exports, ActivityTraceId trace)
    {
        var traceId = Convert.FromHexString(trace.ToHexString());
        foreach (var export in exports.Where(static e => e.Path == "/v1/traces"))
        {
            foreach (var scope in ExportTraceServiceRequest.Parser.ParseFrom(export.Body).ResourceSpans.SelectMany(static r => r.ScopeSpans))
            {
                if (scope.Scope?.Name != GatewaySource)
                {
                    continue;
                }

                foreach (var span in scope.Spans.Where(s => s.TraceId.Span.SequenceEqual(traceId)))
                {
                    yield return new ParitySpan(
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
                        span.Attributes.GroupBy(static a => a.Key).ToDictionary(static g => g.Key, static g => Value(g.Last().Value), StringComparer.Ordinal));
                }
            }
        }
    }

    private static object? Value(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        _ => null,
    };
}
