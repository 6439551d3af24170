using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The upstream that served (or is serving) a call.</summary>
/// <param name="Provider">The configured provider name.</param>
/// <param name="Kind">The provider's wire schema.</param>
/// <param name="Model">The upstream model asked for.</param>
/// <param name="IsFallback">True when the target is one of the model's fallbacks.</param>
public sealed record ServedTarget(string Provider, ProviderKind Kind, string Model, bool IsFallback);
