using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Envoy.Service.ExtProc.V3;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Routing.Health;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Envoy.Routing;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>Routing on the Envoy door (docs/0021): when the model is a route of <c>models:</c>, the request phase picks the
/// target and tells Envoy where to send the request; the response phases report how the target did.</summary>
internal sealed partial class ExtProcSession
{
    private EnvoyRoute? _route;

    /// <summary>The target this request was routed to, if its model is a route (tests, diagnostics).</summary>
    public EnvoyRoute? Route => _route;

    /// <summary>Picks the target of <paramref name="model"/> when it is a configured route; an error when no target speaks the app's schema.</summary>
    private GatewayError? PickRoute(string model, bool streaming, bool canRewrite)
    {
        if (_deps.Router is not { } router || !canRewrite || string.IsNullOrEmpty(model))
        {
            return null;
        }

        IReadOnlyDictionary<string, string> headers = _requestHeaders ?? CallIdentityLabels.None;
        var request = new RouteRequest
        {
            TenantId = _identity?.TenantId,
            KeyId = _identity?.KeyId,
            TenantLabels = _tenant?.RoutingLabels() ?? CallIdentityLabels.None,
            Headers = headers,
            IsStreaming = streaming,
        };
        _route = router.Route(_api!, headers.GetValueOrDefault(":path") ?? string.Empty, model, request, out var error);
        return error;
    }

    /// <summary>Writes the chosen target into Envoy's answer: the headers Envoy routes on, the path, the credentials, the body's model.</summary>
    private byte[]? ApplyRoute(CommonResponse common, byte[]? body)
    {
        if (_route is not { } route)
        {
            return body;
        }

        var rewrite = route.Rewrite;
        common.HeaderMutation ??= new HeaderMutation();
        foreach (var (name, value) in rewrite.SetHeaders)
        {
            common.HeaderMutation.SetHeaders.Add(EnvoyHeaders.ExtProcSet(name, value, _deps.Options.WriteRawValue));
        }

        common.HeaderMutation.SetHeaders.Add(EnvoyHeaders.ExtProcSet(":path", rewrite.Path, _deps.Options.WriteRawValue));
        IReadOnlyDictionary<string, string> sent = _requestHeaders ?? CallIdentityLabels.None;
        common.HeaderMutation.RemoveHeaders.AddRange(rewrite.RemoveHeaders.Where(sent.ContainsKey));

        // The route changed: Envoy picks it again from the new headers (the route's cluster_header).
        common.ClearRouteCache = true;
        if (rewrite.BodyModel is null)
        {
            return body;
        }

        var node = JsonNode.Parse(body ?? _requestBody!.WrittenSpan.ToArray());
        if (node is not JsonObject root || !rewrite.ApplyModel(root))
        {
            return body;
        }

        var buffer = new ArrayBufferWriter<byte>(body?.Length ?? _requestBody!.WrittenCount);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            root.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Counts the routed attempt out: by the upstream status once the response ended, neutral when it never came.</summary>
    private void EndRoute(bool responded) =>
        _route?.Attempt.End(responded && _status > 0 ? TargetAttempt.FromHttpStatus(_status) : AttemptOutcome.Neutral);

    private static class CallIdentityLabels
    {
        public static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();
    }
}
