using Mesh.Gateway.Tenancy.VirtualKeys;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The result of an API key lookup: the owning tenant (null when unknown), whether the key is revoked, and its key id;
/// for a virtual key, the key (its models) and whether it has expired.</summary>
internal readonly record struct ApiKeyMatch(string? TenantId, bool Revoked, string? KeyId = null, VirtualKey? Virtual = null, bool Expired = false);
