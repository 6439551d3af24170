namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>A presented secret that is one of the virtual keys (current, or previous within its overlap), and its state now.</summary>
internal readonly record struct VirtualKeyMatch(VirtualKey Key, bool Revoked, bool Expired);
