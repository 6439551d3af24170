using System.Text.Json.Nodes;

namespace Mesh.Gateway.Providers.Upstream;

/// <summary>
/// What a proxy must change in a request so that it reaches a chosen target instead of the one the app called: the cluster
/// and host to route on, the path, the model in the body, and the target's credentials. Door-neutral: the Envoy door turns it
/// into ext_proc header and body mutations.
/// </summary>
/// <param name="Cluster">The provider's name: the value of <see cref="ClusterHeader"/>, which an Envoy route reads with <c>cluster_header</c>.</param>
/// <param name="Host">The provider's host (and port when not the default): the value of <see cref="HostHeader"/> (<c>host_rewrite_header</c>).</param>
/// <param name="Path">The new <c>:path</c>, query included.</param>
/// <param name="BodyModel">The new value of the body's <c>model</c> field; null when the schema names the model in the path.</param>
/// <param name="SetHeaders">Headers to set (credentials, provider headers, the routing headers).</param>
/// <param name="RemoveHeaders">Headers to remove (the caller's credentials for other schemas).</param>
internal sealed record UpstreamRewrite(
    string Cluster,
    string Host,
    string Path,
    string? BodyModel,
    IReadOnlyList<KeyValuePair<string, string>> SetHeaders,
    IReadOnlyList<string> RemoveHeaders)
{
    /// <summary>The header naming the cluster (the provider) Envoy routes the request to.</summary>
    public const string ClusterHeader = "x-mesh-upstream";

    /// <summary>The header holding the upstream host, for Envoy's <c>host_rewrite_header</c>.</summary>
    public const string HostHeader = "x-mesh-upstream-host";

    /// <summary>Writes <see cref="BodyModel"/> into the request body; false when the schema names the model in the path, or the body already names it.</summary>
    public bool ApplyModel(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (BodyModel is null || (body["model"] is JsonValue current && current.TryGetValue<string>(out var model) && model == BodyModel))
        {
            return false;
        }

        body["model"] = BodyModel;
        return true;
    }
}
