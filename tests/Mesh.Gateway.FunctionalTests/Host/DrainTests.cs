using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>Shutdown: readiness turns off first, calls in flight finish, and SIGTERM ends the process with exit code 0.</summary>
public sealed class DrainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readyz_WhileDraining_Returns503AndGrpcHealthNotServing()
    {
        // A long drain delay that the test cuts short once it has seen the draining state.
        await using var sidecar = await SidecarHost.StartAsync("shutdown:\n  drain_delay: 5m\n");
        var health = new Health.HealthClient(sidecar.Channel);
        using var watch = health.Watch(new HealthCheckRequest { Service = string.Empty }, cancellationToken: Ct);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);

        using var endDrain = new CancellationTokenSource();
        var stopping = sidecar.StopAsync(endDrain.Token);

        // During the drain delay the listeners are still open: the admin listener says draining, gRPC health says NOT_SERVING.
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        using var response = await sidecar.AdminClient.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("draining", System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("status").GetString());
        using var live = await sidecar.AdminClient.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        await endDrain.CancelAsync();
        await stopping;
    }

    [Fact]
    public async Task SigTerm_CallInFlight_CompletesAndProcessExitsZero()
    {
        await using var sidecar = await SidecarProcess.StartAsync("shutdown:\n  timeout: 60s\n");
        var reflection = new ServerReflection.ServerReflectionClient(sidecar.Channel);
        using var call = reflection.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));

        sidecar.Terminate();

        // The call that was open when SIGTERM arrived goes on being served until the client ends it.
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        // The file name Grpc.HealthCheck's compiled descriptor carries.
        Assert.Equal("health.proto", Google.Protobuf.Reflection.FileDescriptorProto.Parser
            .ParseFrom(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto[0]).Name);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);

        Assert.Equal(0, await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Draining", sidecar.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigTerm_HealthWatchOpen_WatchEndsCleanlyAndProcessExitsZeroLongBeforeTimeout()
    {
        // Before health watches ended on shutdown, this process would have waited the whole 5 minutes for the open Watch.
        await using var sidecar = await SidecarProcess.StartAsync("shutdown:\n  timeout: 5m\n");
        var health = new Health.HealthClient(sidecar.Channel);
        using var watch = health.Watch(new HealthCheckRequest { Service = string.Empty }, cancellationToken: Ct);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);

        sidecar.Terminate();

        // The watcher learns NOT_SERVING, then the stream ends with a status (Grpc.AspNetCore.HealthChecks ends it OK), not a reset.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        Assert.True(await watch.ResponseStream.MoveNext(bound.Token));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        Assert.False(await watch.ResponseStream.MoveNext(bound.Token));
        Assert.Equal(StatusCode.OK, watch.GetStatus().StatusCode);
        Assert.Equal(0, await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task SigTerm_Idle_ExitsZeroPromptly()
    {
        await using var sidecar = await SidecarProcess.StartAsync(yaml: null);

        sidecar.Terminate();

        Assert.Equal(0, await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain("fail:", sidecar.Output, StringComparison.Ordinal);
    }
}
