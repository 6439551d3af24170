namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>What a request presents: its headers (lower-case names) and the peer identity the proxy saw.</summary>
/// <param name="Headers">Request headers, lower-case names.</param>
/// <param name="PeerPrincipal">The TLS peer's identity as the proxy reports it (URI SAN, DNS SAN or subject), if any.</param>
/// <param name="FromAuthenticatedProxy">True only when the request reached the sidecar through the authenticated proxy (the
/// Envoy door): the peer principal and <c>x-forwarded-client-cert</c> are read only then, since any other caller can write them.</param>
public sealed record CallerCredentials(IReadOnlyDictionary<string, string> Headers, string? PeerPrincipal = null, bool FromAuthenticatedProxy = false);
