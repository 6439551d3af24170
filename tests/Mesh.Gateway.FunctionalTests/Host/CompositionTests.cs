using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Gateway.Api.Guard;
using Mesh.Gateway.Api.Inference;
using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>The sidecar's composition: cross-cutting gRPC concerns are interceptors registered once, each where it belongs.</summary>
public sealed class CompositionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEnumerable<Type> InterceptorsOf<TService>(IServiceProvider services)
        where TService : class =>
        services.GetRequiredService<IOptions<GrpcServiceOptions<TService>>>().Value.Interceptors.Select(static i => i.Type);

    // Each interceptor is an async layer and a DI activation per call (docs/0024): the app services read their callers through
    // ApiCaller where they need them, and only the shared interceptor (GatewayHost) runs on every call.
    [Fact]
    public async Task Sidecar_AppAndEnvoyServices_AddNoInterceptorOfTheirOwn()
    {
        await using var sidecar = await SidecarHost.StartAsync();

        Assert.Empty(InterceptorsOf<InferenceService>(sidecar.Services));
        Assert.Empty(InterceptorsOf<GuardService>(sidecar.Services));
        Assert.Empty(InterceptorsOf<ExtAuthzService>(sidecar.Services));
        Assert.Empty(InterceptorsOf<ExtProcService>(sidecar.Services));
    }

    [Fact]
    public async Task JsonLogs_LineWrittenDuringACall_CarriesMethodAndCallIdNeverTheKey()
    {
        const string Yaml = """
            logging:
              format: json
            providers:
              - { name: down, kind: openai, base_url: "http://127.0.0.1:1", api_key: sk-upstream-not-logged }
            models:
              - { name: chat, targets: [ { provider: down, model: gpt-4o-mini } ], retry: { max_retries: 0 } }
            """;
        await using var sidecar = await SidecarProcess.StartAsync(Yaml);
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcTarget);
        var client = new Mesh.Gateway.V1.Inference.InferenceClient(channel);
        var request = new GenerateRequest
        {
            Model = "chat",
            Messages = { new V1.Message { Role = Role.User, Content = { new ContentPart { Text = "a prompt that is never logged" } } } },
        };

        await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(request, new Metadata { { "authorization", "Bearer mgw-app-key-not-logged" } }, cancellationToken: Ct).ResponseAsync);
        for (var i = 0; i < 300 && !sidecar.Output.Contains("\"EventId\":3001", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, Ct);
        }

        var line = sidecar.Output.Split('\n').Single(static l => l.Contains("\"EventId\":3001", StringComparison.Ordinal));
        Assert.Contains("\"GrpcMethod\":\"/mesh.gateway.v1.Inference/Generate\"", line, StringComparison.Ordinal);
        Assert.Contains("\"CallId\":\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not-logged", sidecar.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("never logged", sidecar.Output, StringComparison.Ordinal);
    }
}
