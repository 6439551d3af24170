using System.Text;
using Envoy.Config.Core.V3;
using Google.Protobuf;

namespace Mesh.Gateway.Envoy.Http;

/// <summary>Reading and writing Envoy header values.</summary>
/// <remarks>ext_proc: Envoy sends values in raw_value (value empty) and reads only raw_value back (a header with only value
/// becomes empty, both set is rejected), so values are read from raw_value falling back to value, and written to exactly one
/// field. ext_authz reads value only.</remarks>
internal static class EnvoyHeaders
{
    /// <summary>The value of one header entry: raw_value when present, else value.</summary>
    public static string ValueOf(HeaderValue header) =>
        header.RawValue.IsEmpty ? header.Value : Encoding.UTF8.GetString(header.RawValue.Span);

    /// <summary>The app's W3C trace context (<c>traceparent</c>, <c>tracestate</c>) in lower-case request headers; default when
    /// absent or invalid, or when nothing listens to the gateway's spans (nothing is parsed then).</summary>
    public static System.Diagnostics.ActivityContext TraceContext(IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (!Core.Telemetry.GatewayTelemetry.ActivitySource.HasListeners() || !headers.TryGetValue("traceparent", out var traceParent))
        {
            return default;
        }

        _ = System.Diagnostics.ActivityContext.TryParse(traceParent, headers.GetValueOrDefault("tracestate"), isRemote: true, out var context);
        return context;
    }

    /// <summary>Lower-case name → value; repeated names joined with ',' as Envoy does for ext_authz.</summary>
    public static Dictionary<string, string> ToDictionary(HeaderMap? map)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map is null)
        {
            return result;
        }

        foreach (var header in map.Headers)
        {
            var name = header.Key.ToLowerInvariant();
            var value = ValueOf(header);
            result[name] = result.TryGetValue(name, out var existing) ? existing + "," + value : value;
        }

        return result;
    }

    /// <summary>An ext_proc header mutation entry that overwrites (append = false), value in raw_value or value.</summary>
    public static HeaderValueOption ExtProcSet(string name, string value, bool rawValue)
    {
        var header = rawValue
            ? new HeaderValue { Key = name, RawValue = ByteString.CopyFromUtf8(value) }
            : new HeaderValue { Key = name, Value = value };
#pragma warning disable CS0612 // append is deprecated upstream but is the field ext_proc reads; explicit false = overwrite.
        return new HeaderValueOption { Header = header, Append = false };
#pragma warning restore CS0612
    }

    /// <summary>An ext_authz entry that overwrites in every Envoy version: append = false (read first by all) and
    /// append_action = OVERWRITE_IF_EXISTS_OR_ADD (read by versions that honour it); value in value, which ext_authz reads.</summary>
    public static HeaderValueOption AuthzSet(string name, string value)
    {
#pragma warning disable CS0612
        return new HeaderValueOption
        {
            Header = new HeaderValue { Key = name, Value = value },
            Append = false,
            AppendAction = HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd,
        };
#pragma warning restore CS0612
    }
}
