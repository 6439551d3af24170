namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The result of an API key lookup: the owning tenant (null when unknown) and whether the key is revoked.</summary>
internal readonly record struct ApiKeyMatch(string? TenantId, bool Revoked);
