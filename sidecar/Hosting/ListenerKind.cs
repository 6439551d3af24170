namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>Which of the sidecar's listeners a connection arrived on.</summary>
internal enum ListenerKind
{
    /// <summary>gRPC over HTTP/2 (cleartext with prior knowledge).</summary>
    Grpc,

    /// <summary>The admin HTTP/1.1 listener (health, readiness).</summary>
    Admin,

    /// <summary>The Envoy door (ext_authz, ext_proc): HTTP/2, reachable by the authenticated proxy only.</summary>
    Envoy,

    /// <summary>The HTTP door (OpenAI- and Anthropic-compatible REST): HTTP/1.1.</summary>
    Http,
    /// <summary>The probes listener (<c>listen.probes</c>): <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>, nothing else.</summary>
    Probes,
}
