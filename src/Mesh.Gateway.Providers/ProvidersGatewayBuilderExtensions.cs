using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Providers;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the providers feature to the gateway.</summary>
public static class ProvidersGatewayBuilderExtensions
{
    /// <summary>The configured providers (<c>providers:</c>; see <see cref="ProvidersServiceCollectionExtensions.AddMeshProviders"/>).</summary>
    public static IMeshGatewayBuilder AddProviders(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddProviders)))
        {
            builder.Services.AddMeshProviders(builder.Configuration);
        }

        return builder;
    }
}
