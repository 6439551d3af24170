namespace Mesh.Gateway.Tenancy.Budgets;

/// <summary>US dollars per million tokens: input, input read from the provider's cache, output.</summary>
public sealed record ModelPrice(decimal Input, decimal CachedInput, decimal Output);
