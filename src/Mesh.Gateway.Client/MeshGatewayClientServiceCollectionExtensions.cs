using Grpc.Net.ClientFactory;
using Mesh.Gateway.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="MeshInferenceClient"/> with the gRPC client factory (Grpc.Net.ClientFactory).</summary>
public static class MeshGatewayClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds the sidecar's generated <c>Inference.InferenceClient</c> through <c>AddGrpcClient</c> at <paramref name="address"/>
    /// (for example http://127.0.0.1:50051) and a <see cref="MeshInferenceClient"/> over it. The returned builder takes the
    /// factory's usual configuration: interceptors, handlers, retries (<c>ConfigureChannel</c>).
    /// </summary>
    public static IHttpClientBuilder AddMeshGatewayClient(this IServiceCollection services, Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return services.AddMeshGatewayClient(options => options.Address = address);
    }

    /// <summary>As <see cref="AddMeshGatewayClient(IServiceCollection, Uri)"/>, with the factory's options set by <paramref name="configure"/>.</summary>
    public static IHttpClientBuilder AddMeshGatewayClient(this IServiceCollection services, Action<GrpcClientFactoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddGrpcClient<Mesh.Gateway.V1.Inference.InferenceClient>(configure);
        services.TryAddTransient(static sp => new MeshInferenceClient(sp.GetRequiredService<Mesh.Gateway.V1.Inference.InferenceClient>()));
        return builder;
    }
}
