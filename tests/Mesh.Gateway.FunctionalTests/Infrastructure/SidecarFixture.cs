using Grpc.Net.Client;

namespace Mesh.Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// One in-process sidecar shared by the tests of a class (<c>IClassFixture&lt;SidecarFixture&gt;</c>). Derive from it and
/// override <see cref="Yaml"/> to give the class its own configuration.
/// </summary>
public class SidecarFixture : IAsyncLifetime
{
    private SidecarHost? _host;

    /// <summary>The configuration the sidecar starts with (listeners go to 127.0.0.1:0 unless it says otherwise).</summary>
    protected virtual string Yaml => string.Empty;

    public SidecarHost Host => _host ?? throw new InvalidOperationException("The sidecar has not started.");

    public GrpcChannel Channel => Host.Channel;

    public HttpClient AdminClient => Host.AdminClient;

    public virtual async ValueTask InitializeAsync() => _host = await SidecarHost.StartAsync(Yaml);

    public virtual async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
