using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Mesh.Gateway.Grpc.Tests;

public sealed class HealthAndReflectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HealthCheck_WholeServer_Serving()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Health.HealthClient(channel);

        var response = await client.CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task HealthCheck_UnknownService_NotFound()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Health.HealthClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAsync(new HealthCheckRequest { Service = "nope" }, cancellationToken: Ct));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task HealthCheck_StatusSetByServer_Reported()
    {
        await using var server = await TestServer.StartAsync();
        server.Services.GetRequiredService<HealthServiceImpl>().SetStatus("mesh.grpc.test.v1.TestService", ServingStatus.NotServing);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Health.HealthClient(channel);

        var response = await client.CheckAsync(new HealthCheckRequest { Service = "mesh.grpc.test.v1.TestService" }, cancellationToken: Ct);

        Assert.Equal(ServingStatus.NotServing, response.Status);
    }

    [Fact]
    public async Task HealthWatch_StatusChanges_StreamedInOrder()
    {
        await using var server = await TestServer.StartAsync();
        var health = server.Services.GetRequiredService<HealthServiceImpl>();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Health.HealthClient(channel);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        using var call = client.Watch(new HealthCheckRequest { Service = "svc" }, cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);

        health.SetStatus("svc", ServingStatus.Serving);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);

        health.SetStatus("svc", ServingStatus.NotServing);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);

        health.ClearStatus("svc");
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);

        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task ReflectionV1_ListServices_ListsEveryMappedService()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new V1.ServerReflection.ServerReflectionClient(channel);

        using var call = client.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { ListServices = "" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Ct));

        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "mesh.grpc.test.v1.TestService"],
            names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReflectionV1_FileContainingSymbol_ReturnsFileThatDefinesTheService()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new V1.ServerReflection.ServerReflectionClient(channel);

        using var call = client.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileContainingSymbol = "mesh.grpc.test.v1.TestService" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto.Select(FileDescriptorProto.Parser.ParseFrom).ToList();
        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileContainingSymbol = "mesh.grpc.test.v1.EchoRequest" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var byMessage = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto.Select(FileDescriptorProto.Parser.ParseFrom).ToList();
        await call.RequestStream.CompleteAsync();

        var file = files[0];
        Assert.Equal("test_service.proto", file.Name);
        Assert.Equal("TestService", Assert.Single(file.Service).Name);
        Assert.Equal(["Unary", "ServerStream", "ClientStream", "Duplex", "DuplexInOrder"], file.Service[0].Method.Select(m => m.Name));
        Assert.Equal("test_service.proto", byMessage[0].Name);
    }

    [Fact]
    public async Task ReflectionV1Alpha_FileByFilenameAndUnknownSymbol_FileOrNotFound()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new V1Alpha.ServerReflection.ServerReflectionClient(channel);

        using var call = client.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { FileByFilename = "grpc/health/v1/health.proto" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var health = FileDescriptorProto.Parser.ParseFrom(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto[0]);
        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "no.such.Symbol" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var error = call.ResponseStream.Current.ErrorResponse;
        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { ListServices = "*" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var listed = call.ResponseStream.Current.ListServicesResponse.Service.Count;
        await call.RequestStream.CompleteAsync();

        Assert.Equal("grpc.health.v1", health.Package);
        Assert.Equal("Health", Assert.Single(health.Service).Name);
        Assert.Equal((int)StatusCode.NotFound, error.ErrorCode);
        Assert.Equal(4, listed);
    }

    [Fact]
    public async Task Reflection_FileWithImports_SendsTheFileAndItsDependencies()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new V1.ServerReflection.ServerReflectionClient(channel);

        using var call = client.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileContainingSymbol = "mesh.grpc.test.v1.TestService.Unary" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var names = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToList();
        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileByFilename = "google/protobuf/timestamp.proto" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var dependency = FileDescriptorProto.Parser.ParseFrom(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto[0]);
        await call.RequestStream.CompleteAsync();

        Assert.Equal(["test_service.proto", "google/protobuf/timestamp.proto"], names);
        Assert.Equal("Timestamp", Assert.Single(dependency.MessageType).Name);
    }

    [Fact]
    public async Task HealthWatch_HostStops_EndsUnavailableAfterNotServingWhileUnaryCallInFlightDrains()
    {
        // A shutdown timeout far longer than the test's wait: before Shutdown existed, the open Watch held StopAsync for all of it.
        await using var server = await TestServer.StartAsync(services: s => s.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(5)));
        server.Services.GetRequiredService<HealthServiceImpl>().SetStatus("svc", ServingStatus.Serving);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var health = new Health.HealthClient(channel);
        using var watch = health.Watch(new HealthCheckRequest { Service = "svc" }, cancellationToken: Ct);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);
        var unary = new Protos.TestService.TestServiceClient(channel).UnaryAsync(new Protos.EchoRequest { Text = "in flight", DelayMs = 1500 }, cancellationToken: Ct);
        while (server.State.CallsStarted == 0)
        {
            await Task.Delay(10, Ct);
        }

        var stopping = server.StopAsync(Ct);

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        Assert.True(await watch.ResponseStream.MoveNext(bound.Token));
        Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        var ended = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(bound.Token));
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Equal(HealthServiceImpl.ShutdownMessage, ended.Status.Detail);
        Assert.Equal("in flight", (await unary).Text);
        await stopping.WaitAsync(TimeSpan.FromSeconds(60), Ct);
    }

    [Fact]
    public async Task HealthShutdown_LaterChangesIgnoredAndNewWatchEndsAtOnce()
    {
        var health = new HealthServiceImpl();
        health.SetStatus("svc", ServingStatus.Serving);

        health.Shutdown();
        health.SetStatus("svc", ServingStatus.Serving);
        health.ClearStatus("svc");

        Assert.Equal(ServingStatus.NotServing, health.GetStatus("svc"));
        Assert.Equal(ServingStatus.NotServing, health.GetStatus(string.Empty));
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton(health));
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest { Service = "svc" }, cancellationToken: Ct);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(Ct))).StatusCode);
    }
}
