using Grpc.Core;
using Grpc.Health.V1;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>The <c>grpc</c> section reaches the gRPC layer of a running sidecar.</summary>
public sealed class GrpcSectionTests
{
    [Fact]
    public async Task MaxReceiveMessageSize_RequestOverTheLimit_ResourceExhausted()
    {
        await using var sidecar = await SidecarHost.StartAsync("grpc:\n  max_receive_message_size: 1KiB\n");
        var health = new Health.HealthClient(sidecar.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await health.CheckAsync(new HealthCheckRequest { Service = new string('x', 2048) }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var ok = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, ok.Status);
    }

    [Fact]
    public async Task MaxSendMessageSize_ResponseOverTheLimit_ResourceExhausted()
    {
        await using var sidecar = await SidecarHost.StartAsync("grpc:\n  max_send_message_size: 1KiB\n");
        var reflection = new global::Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(sidecar.Channel);

        // The descriptor of the Inference API is far larger than 1 KiB; a health answer is a few bytes.
        using var call = reflection.ServerReflectionInfo(cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(new() { FileContainingSymbol = "mesh.gateway.v1.Inference" }, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var ok = await new Health.HealthClient(sidecar.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, ok.Status);
    }
}
