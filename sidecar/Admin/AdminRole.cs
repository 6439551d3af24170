namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>What an admin credential may do: <see cref="Viewer"/> reads, <see cref="Admin"/> does everything.</summary>
internal enum AdminRole
{
    None = 0,
    Viewer = 1,
    Admin = 2,
}
