using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tenancy.Limits;

namespace Mesh.Gateway.Tenancy.Budgets;

/// <summary>The price table in force (<c>prices:</c>, swapped whole on a reload), for the router's <c>cost</c> strategy.</summary>
internal sealed class CurrentPrices(MeshLimiter limiter) : IModelPriceLookup
{
    public bool TryGetPerMillion(string model, out decimal input, out decimal output) =>
        limiter.Prices.TryGetPerMillion(model, out input, out output);
}
