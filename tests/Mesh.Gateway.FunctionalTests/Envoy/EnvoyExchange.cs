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
}
