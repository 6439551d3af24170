namespace Mesh.Gateway.Core.Routing;

/// <summary>Model list prices the <c>cost</c> strategy falls back on when a target has no price of its own (Tenancy's <c>prices:</c> table).</summary>
public interface IModelPriceLookup
{
    /// <summary>The price of one million input and of one million output tokens of <paramref name="model"/>, when known.</summary>
    bool TryGetPerMillion(string model, out decimal input, out decimal output);
}
