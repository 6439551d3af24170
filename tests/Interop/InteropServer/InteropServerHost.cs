using System.Net;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.InteropServer;

/// <summary>Builds the interop server: TestService, health and reflection on 127.0.0.1, HTTP/2 cleartext.</summary>
internal static class InteropServerHost
{
    /// <summary>Builds the server; port 0 picks a free port (read it with <see cref="GetPort"/> after start).</summary>
    public static WebApplication Build(int port, LogLevel logLevel = LogLevel.Warning)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(logLevel);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<HealthServiceImpl>();

        var app = builder.Build();
        app.MapGrpcService<TestServiceImpl>();
        app.MapGrpcService<XdsUpdateHealthServiceImpl>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcReflectionService();
        var health = app.Services.GetRequiredService<HealthServiceImpl>();
        health.SetStatus(string.Empty, global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus(XdsUpdateHealthServiceImpl.WatchedService, global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        return app;
    }

    /// <summary>The port the started server listens on.</summary>
    public static int GetPort(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address).Port;
    }
}
