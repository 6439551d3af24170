namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The price of a call, from the configured price of the target that served it.</summary>
public sealed record InferenceCost(string Currency, decimal Input, decimal Output)
{
    public decimal Total => Input + Output;
}
