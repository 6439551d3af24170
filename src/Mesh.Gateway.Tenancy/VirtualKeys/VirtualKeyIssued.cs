namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>A key just created or rotated: the stored key and its secret, which is shown this once and never stored.</summary>
public sealed record VirtualKeyIssued(VirtualKey Key, string Secret);
