using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Tenancy.Limits;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds tenants and limits to the gateway.</summary>
public static class TenancyGatewayBuilderExtensions
{
    /// <summary>Tenants, keys, JWT and mTLS (<c>tenants:</c>, <c>auth:</c>) and the pipeline's authentication step.</summary>
    public static IMeshGatewayBuilder AddTenancy(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddTenancy)))
        {
            builder.Services.AddMeshTenancy(builder.Configuration);
        }

        return builder;
    }

    /// <summary>Rate limits, budgets and the usage ledger (<c>store:</c>, <c>prices:</c>, <c>limits:</c>, <c>ledger:</c>, each
    /// tenant's <c>limits:</c> and <c>budget:</c>) for both doors. Needs <c>AddTenancy()</c>: limits apply per tenant.</summary>
    public static IMeshGatewayBuilder AddLimits(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddLimits)))
        {
            builder.Requires(nameof(AddLimits), nameof(AddTenancy));
            builder.Services.AddMeshLimits(builder.Configuration);
        }

        return builder;
    }
}
