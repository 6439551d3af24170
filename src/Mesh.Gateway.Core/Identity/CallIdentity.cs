namespace Mesh.Gateway.Core.Identity;

/// <summary>Who is calling: the tenant and key authentication resolved. The one identity every policy reads (access,
/// limits, guardrails, the usage ledger), whichever door the call came through.</summary>
/// <remarks>
/// Carried in one place per door: <c>InferenceContext.Identity</c> on the pipeline (set by the authentication step or by
/// the door), the ext_proc session on the Envoy door (from ext_authz's dynamic metadata <see cref="MetadataTenant"/> /
/// <see cref="MetadataKeyId"/>, or its own authentication). A null identity means the gateway runs without tenants.
/// </remarks>
/// <param name="TenantId">The tenant id (<c>tenants[].id</c>).</param>
/// <param name="KeyId">The key within the tenant: <c>key-</c> plus the first 12 hex digits of the API key's SHA-256 (never
/// the key), the JWT subject, or the mTLS principal; null when the method gives none.</param>
/// <param name="Method">How the caller proved it: <see cref="ApiKey"/>, <see cref="Jwt"/>, <see cref="Mtls"/> or <see cref="Trusted"/>.</param>
public sealed record CallIdentity(string TenantId, string? KeyId, string Method)
{
    /// <summary>No labels.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    /// <summary>The tenant's labels (<c>tenants[].labels</c>, with <c>tier</c> from <c>tenants[].tier</c>), which routing rules match on.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = NoLabels;

    public const string ApiKey = "api_key";
    public const string Jwt = "jwt";
    public const string Mtls = "mtls";

    /// <summary>Vouched for by an earlier hop (ext_authz metadata or the tenant header it set), not authenticated here.</summary>
    public const string Trusted = "trusted";

    /// <summary>The ext_authz dynamic-metadata key (namespace <c>envoy.filters.http.ext_authz</c>) holding the tenant id.</summary>
    public const string MetadataTenant = "tenant";

    /// <summary>The ext_authz dynamic-metadata key holding the key id.</summary>
    public const string MetadataKeyId = "key_id";

    /// <summary>The ext_authz dynamic-metadata key holding the method.</summary>
    public const string MetadataMethod = "auth_method";
}
