using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The <c>auth.jwt:</c> section: bearer JWTs signed by a key from a JWKS file or URL.</summary>
public sealed record JwtOptions
{
    /// <summary>The required <c>iss</c>.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Accepted <c>aud</c> values (at least one).</summary>
    public IReadOnlyList<string> Audiences { get; set; } = [];

    /// <summary>A JWKS document on disk.</summary>
    [ConfigurationKeyName("jwks_file")]
    public string? JwksFile { get; set; }

    /// <summary>A JWKS document over HTTP(S).</summary>
    [ConfigurationKeyName("jwks_url")]
    public Uri? JwksUrl { get; set; }

    /// <summary>How long a fetched key set is used before it is fetched again.</summary>
    [ConfigurationKeyName("refresh_seconds")]
    public int RefreshSeconds { get; set; } = 300;

    /// <summary>The claim holding the tenant id.</summary>
    [ConfigurationKeyName("tenant_claim")]
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>Allowed clock skew for exp/nbf.</summary>
    [ConfigurationKeyName("clock_skew_seconds")]
    public int ClockSkewSeconds { get; set; } = 30;
}
