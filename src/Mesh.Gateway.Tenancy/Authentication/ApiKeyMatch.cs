namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The result of an API key lookup: the owning tenant (null when unknown), whether the key is revoked, and its key id.</summary>
internal readonly record struct ApiKeyMatch(string? TenantId, bool Revoked, string? KeyId = null);
