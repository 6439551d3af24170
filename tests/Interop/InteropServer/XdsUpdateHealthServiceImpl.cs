using Grpc.Core;
using Grpc.Testing;
using Grpc.HealthCheck;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Gateway.InteropServer;

/// <summary>Lets a client flip the health of <c>grpc.testing.TestService</c>, so health Watch tests can see a change.</summary>
internal sealed class XdsUpdateHealthServiceImpl(HealthServiceImpl health) : XdsUpdateHealthService.XdsUpdateHealthServiceBase
{
    public const string WatchedService = "grpc.testing.TestService";

    public override Task<Empty> SetServing(Empty request, ServerCallContext context)
    {
        health.SetStatus(WatchedService, ServingStatus.Serving);
        return Task.FromResult(new Empty());
    }

    public override Task<Empty> SetNotServing(Empty request, ServerCallContext context)
    {
        health.SetStatus(WatchedService, ServingStatus.NotServing);
        return Task.FromResult(new Empty());
    }
}
