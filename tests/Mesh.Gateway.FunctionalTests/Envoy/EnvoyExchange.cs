using Google.Protobuf.WellKnownTypes;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>What the downstream client received, and what reached the upstream, for one request through the fake Envoy.</summary>
public sealed class EnvoyExchange
{
    public int Status { get; set; }

    public Dictionary<string, string> ResponseHeaders { get; } = new(StringComparer.Ordinal);

    public byte[] ResponseBody { get; set; } = [];

    /// <summary>Which filter answered locally (ext_authz or ext_proc), or null when the upstream answered.</summary>
    public string? LocalReplyBy { get; set; }

    public Struct? AuthzMetadata { get; set; }

    public Struct ProcMetadata { get; } = new();

    public int ProcMessages { get; set; }

    /// <summary>Whether ext_proc cleared the route cache with a header mutation (Envoy then picks the route again).</summary>
    public bool ClearedRouteCache { get; set; }

    /// <summary>The cluster picked from <c>x-mesh-upstream</c>, when the route was picked again.</summary>
    public string? Cluster { get; set; }

    /// <summary>The <c>:path</c> sent upstream.</summary>
    public string? UpstreamPath { get; set; }

    /// <summary>The request headers sent upstream (pseudo-headers included), after ext_authz and ext_proc.</summary>
    public Dictionary<string, string> UpstreamHeaders { get; set; } = new(StringComparer.Ordinal);
}
