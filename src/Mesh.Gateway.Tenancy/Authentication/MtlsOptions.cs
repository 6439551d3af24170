using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The <c>auth.mtls:</c> section: the peer certificate identity Envoy reports.</summary>
public sealed record MtlsOptions
{
    /// <summary>Accept a peer identity (source.principal) as a credential.</summary>
    public bool Enabled { get; set; }

    /// <summary>Also read <c>x-forwarded-client-cert</c>; only safe when Envoy sanitises it (forward_client_cert_details SANITIZE_SET / APPEND_FORWARD).</summary>
    [ConfigurationKeyName("trust_xfcc")]
    public bool TrustForwardedClientCert { get; set; }
}
