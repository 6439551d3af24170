using Mesh.Gateway.InteropServer;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Gateway.Interop.Tests.Infrastructure;

/// <summary>The interop server on Grpc.AspNetCore, in-process on 127.0.0.1 with a free port; one per test class.</summary>
public sealed class InteropServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public int Port { get; private set; }

    public async ValueTask InitializeAsync()
    {
        _app = InteropServerHost.Build(port: 0);
        await _app.StartAsync();
        Port = InteropServerHost.GetPort(_app);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
