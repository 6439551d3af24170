namespace Mesh.Gateway.Core.Providers;

/// <summary>Where a call goes: a configured provider name and the provider's model (or Azure deployment) id.</summary>
public sealed record ProviderTarget(string Provider, string Model);
