using System.Collections.Concurrent;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

/// <summary>Which endpoints routing considers for gRPC paths (seen by a recording matcher policy) and which one it picks.</summary>
public sealed class RoutingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Route_MappedMethod_OnlyCandidateIsTheMethodEndpoint()
    {
        var (app, address, seen) = await StartAsync();
        await using var _ = app;
        using var raw = new RawGrpc(address);

        var response = await raw.SendAsync("/mesh.grpc.test.v1.TestService/Unary", RawGrpc.Frame(new EchoRequest { Text = "x" }), cancellationToken: Ct);

        // Without the fallback filter, "gRPC - unimplemented" is a second candidate whose route values are captured on every call.
        Assert.Equal("0", response.GrpcStatus);
        var candidates = Assert.Single(seen);
        Assert.Equal(["gRPC - /mesh.grpc.test.v1.TestService/Unary"], candidates);
    }

    [Theory]
    [InlineData("/mesh.grpc.test.v1.TestService/Nope", "Method is unimplemented.")]
    [InlineData("/grpc.testing.UnimplementedService/UnimplementedCall", "Service is unimplemented.")]
    public async Task Route_UnknownMethodOrService_ReachesUnimplementedFallback(string path, string message)
    {
        var (app, address, seen) = await StartAsync();
        await using var _ = app;
        using var raw = new RawGrpc(address);

        var response = await raw.SendAsync(path, RawGrpc.Frame(new EchoRequest()), cancellationToken: Ct);

        Assert.True(response.IsTrailersOnly);
        Assert.Equal("12", response.GrpcStatus);
        Assert.Equal(message, Uri.UnescapeDataString(response.GrpcMessage!));
        Assert.Equal(["gRPC - unimplemented"], Assert.Single(seen));
    }

    private static async Task<(WebApplication App, string Address, ConcurrentQueue<string[]> Seen)> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenGrpc("127.0.0.1:0"));
        builder.Services.AddGrpcServer();
        builder.Services.AddSingleton<TestServerState>();
        var recorder = new CandidateRecorder();
        builder.Services.AddSingleton<MatcherPolicy>(recorder);
        var app = builder.Build();
        app.MapGrpcService<TestServiceImpl>();
        await app.StartAsync(Ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, address, recorder.Seen);
    }

    /// <summary>Records the candidate endpoints of every request that routing found candidates for.</summary>
    private sealed class CandidateRecorder : MatcherPolicy, IEndpointSelectorPolicy
    {
        public ConcurrentQueue<string[]> Seen { get; } = new();

        public override int Order => int.MaxValue;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            Seen.Enqueue([.. Enumerable.Range(0, candidates.Count).Select(i => candidates[i].Endpoint.DisplayName ?? "?")]);
            return Task.CompletedTask;
        }
    }
}
