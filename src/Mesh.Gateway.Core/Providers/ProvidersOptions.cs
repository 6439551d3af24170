namespace Mesh.Gateway.Core.Providers;

/// <summary>The YAML <c>providers:</c> section.</summary>
public sealed class ProvidersOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "providers";

    public IReadOnlyList<ProviderOptions> Providers { get; init; } = [];
}
