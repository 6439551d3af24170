using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Mesh.Gateway.Client;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Client;

/// <summary>
/// Mesh.Gateway.Client beside Grpc.Net.Client in one application (this project references both directly; the two once
/// clashed with CS0433 over Grpc.Core.Metadata), registered with the gRPC client factory, against a real sidecar.
/// </summary>
public sealed class ClientFactoryTests(SidecarFixture sidecar) : IClassFixture<SidecarFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddMeshGatewayClient_FromTheFactory_ListsModelsAndChats()
    {
        var services = new ServiceCollection();
        services.AddMeshGatewayClient(new Uri(sidecar.Host.GrpcTarget));
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<MeshInferenceClient>();
        var models = await client.ListModelsAsync(Ct);
        var reply = await client.AsIChatClient("mock").GetResponseAsync("Say hello.", cancellationToken: Ct);

        Assert.Contains(models.Models, m => m.Name == "mock");
        Assert.False(string.IsNullOrEmpty(reply.Text));
    }

    [Fact]
    public async Task AddMeshGatewayClient_FactoryInterceptorAndGrpcNetClientChannel_BothReachTheSidecar()
    {
        var seen = new List<string>();
        var services = new ServiceCollection();
        services.AddMeshGatewayClient(new Uri(sidecar.Host.GrpcTarget)).AddInterceptor(() => new RecordingInterceptor(seen));
        await using var provider = services.BuildServiceProvider();
        using var channel = GrpcChannel.ForAddress(sidecar.Host.GrpcTarget);

        await provider.GetRequiredService<MeshInferenceClient>().ListModelsAsync(Ct);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);

        Assert.Equal(["/mesh.gateway.v1.Inference/ListModels"], seen);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    private sealed class RecordingInterceptor(List<string> seen) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            seen.Add(context.Method.FullName);
            return continuation(request, context);
        }
    }
}
