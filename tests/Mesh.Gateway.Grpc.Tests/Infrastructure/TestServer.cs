using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests.Infrastructure;

/// <summary>A real Kestrel gRPC server on 127.0.0.1:0 (or a Unix socket) serving the test service, health and reflection.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, string address, IReadOnlyList<string> addresses)
    {
        _app = app;
        Address = address;
        Addresses = addresses;
    }

    public string Address { get; }

    public IReadOnlyList<string> Addresses { get; }

    public IServiceProvider Services => _app.Services;

    public TestServerState State => _app.Services.GetRequiredService<TestServerState>();

    public static async Task<TestServer> StartAsync(Action<GrpcServerOptions>? configure = null, string listen = "127.0.0.1:0", Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrel = null, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>? listenOptions = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenGrpc(listen, listenOptions);
            kestrel?.Invoke(k);
        });
        builder.Services.AddGrpcServer(configure);
        builder.Services.AddSingleton<TestServerState>();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGrpcService<TestServiceImpl>();
        app.MapGrpcHealthChecks();
        app.MapGrpcReflection();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        var address = listen.StartsWith("unix:", StringComparison.Ordinal) ? listen : addresses[0];
        return new TestServer(app, address, addresses);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
