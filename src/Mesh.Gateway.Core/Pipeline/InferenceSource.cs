namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Which door a call came through.</summary>
public enum InferenceSource
{
    /// <summary>The typed gRPC API (mesh.gateway.v1.Inference).</summary>
    Api,

    /// <summary>The mesh proxy (Envoy ext_proc) on a call the application makes to a provider itself.</summary>
    Envoy,

    /// <summary>The HTTP door (OpenAI- and Anthropic-compatible REST on <c>listen.http</c>).</summary>
    Http,
}
