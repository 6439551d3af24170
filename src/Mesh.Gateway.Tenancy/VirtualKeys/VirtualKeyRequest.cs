namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>What the admin API asks for when it creates a key.</summary>
public sealed record VirtualKeyRequest
{
    public string TenantId { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    public IReadOnlyList<string> Models { get; init; } = [];

    public DateTimeOffset? ExpiresAt { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public VirtualKeyLimits? Limits { get; init; }

    public VirtualKeyBudget? Budget { get; init; }
}
