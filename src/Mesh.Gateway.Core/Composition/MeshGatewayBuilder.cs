using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Core.Composition;

internal sealed class MeshGatewayBuilder(IServiceCollection services, IConfiguration configuration, MeshGatewayComposition composition) : IMeshGatewayBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = configuration;

    public bool TryAddFeature(string feature)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(feature);
        return composition.Features.Add(feature);
    }

    public void Requires(string feature, string required)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(feature);
        ArgumentException.ThrowIfNullOrWhiteSpace(required);
        composition.Requirements.Add((feature, required));
    }
}
