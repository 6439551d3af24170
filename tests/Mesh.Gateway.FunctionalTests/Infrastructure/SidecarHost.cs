using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Mesh.Gateway.Sidecar;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// The real sidecar, in-process, built by the same <c>GatewayHost.Build</c> as Program.cs, with both listeners on
/// 127.0.0.1:0 unless told otherwise. Gives the bound addresses, a <see cref="GrpcChannel"/> and an admin HttpClient.
/// </summary>
/// <example><code>
/// await using var sidecar = await SidecarHost.StartAsync("""
///     tenants:
///       - name: acme
///     """);
/// var client = new Inference.InferenceClient(sidecar.Channel);
/// </code></example>
public sealed class SidecarHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lazy<GrpcChannel> _channel;
    private readonly Lazy<HttpClient> _adminClient;
    private readonly Lazy<GrpcChannel> _envoyChannel;
    private bool _stopped;

    private SidecarHost(WebApplication app)
    {
        _app = app;
        _channel = new Lazy<GrpcChannel>(() => Mesh.Gateway.Client.MeshGatewayChannel.ForAddress(GrpcTarget));
        _envoyChannel = new Lazy<GrpcChannel>(() => Mesh.Gateway.Client.MeshGatewayChannel.ForAddress(Target(EnvoyEndPoint ?? throw new InvalidOperationException("The Envoy door is off (no envoy: section, no listen.envoy)."))));
        _adminClient = new Lazy<HttpClient>(CreateAdminClient);
    }

    /// <summary>The sidecar's services (feature singletons, options, the health registry).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The bound gRPC endpoint (<see cref="IPEndPoint"/> or <see cref="UnixDomainSocketEndPoint"/>).</summary>
    public EndPoint GrpcEndPoint => _app.Services.GetRequiredService<SidecarListeners>().GrpcEndPoint;

    /// <summary>The bound admin endpoint.</summary>
    public EndPoint AdminEndPoint => _app.Services.GetRequiredService<SidecarListeners>().AdminEndPoint;

    /// <summary>The Envoy door's endpoint (a Unix socket in a temporary directory unless the YAML sets <c>listen.envoy</c>), or null when it is off.</summary>
    public EndPoint? EnvoyEndPoint => _app.Services.GetRequiredService<SidecarListeners>().EnvoyEndPoint;

    /// <summary>The HTTP door's endpoint (127.0.0.1:0 unless the YAML sets <c>listen.http</c>), or null when it is off.</summary>
    public EndPoint? HttpEndPoint => _app.Services.GetRequiredService<SidecarListeners>().HttpEndPoint;

    /// <summary>The HTTP door's h2c address (<c>listen.http_h2c</c>: HTTP/2 with prior knowledge), or null when unset.</summary>
    public Uri? HttpH2cAddress => _app.Services.GetRequiredService<SidecarListeners>().HttpH2cEndPoint is { } h2c ? SidecarListeners.ToUri(h2c) : null;

    /// <summary>The HTTP door's base address (<c>http://127.0.0.1:port</c>): an SDK's base URL is this plus <c>/v1</c>.</summary>
    public Uri HttpAddress => SidecarListeners.ToUri(HttpEndPoint ?? throw new InvalidOperationException("The HTTP door is off (listen.http is set to nothing)."));

    /// <summary>A channel to the Envoy listener (what the proxy connects to), shared and disposed with this host.</summary>
    public GrpcChannel EnvoyChannel => _envoyChannel.Value;

    /// <summary>The gRPC target as a channel takes it: <c>http://127.0.0.1:port</c> or <c>unix:/path</c>.</summary>
    public string GrpcTarget => Target(GrpcEndPoint);

    /// <summary>The admin base address (<c>http://127.0.0.1:port</c>; <c>http://localhost</c> over a Unix socket).</summary>
    public Uri AdminAddress => AdminEndPoint is UnixDomainSocketEndPoint ? new Uri("http://localhost") : SidecarListeners.ToUri(AdminEndPoint);

    /// <summary>A channel to the gRPC listener, shared by the tests of this host and disposed with it.</summary>
    public GrpcChannel Channel => _channel.Value;

    /// <summary>An HTTP/1.1 client whose base address is the admin listener (works over Unix sockets too).</summary>
    public HttpClient AdminClient => _adminClient.Value;

    /// <summary>Builds and starts a sidecar from YAML text; listeners default to 127.0.0.1:0.</summary>
    /// <param name="yaml">The configuration file's content.</param>
    /// <param name="grpcAddress">The gRPC listener (as <c>--grpc</c>); null keeps <c>listen.grpc</c> from the YAML, or 127.0.0.1:0.</param>
    /// <param name="adminAddress">The admin listener (as <c>--admin</c>); null keeps <c>listen.admin</c>, or 127.0.0.1:0.</param>
    /// <param name="environment">Environment lookup for <c>${NAME}</c>; null uses the process environment.</param>
    public static Task<SidecarHost> StartAsync(
        string yaml = "",
        string? grpcAddress = null,
        string? adminAddress = null,
        Func<string, string?>? environment = null) => StartAsync(yaml, grpcAddress, adminAddress, environment, configure: null);

    /// <summary>As above, and <paramref name="configure"/> changes the start options further (a file path instead of text).</summary>
    internal static async Task<SidecarHost> StartAsync(
        string yaml,
        string? grpcAddress,
        string? adminAddress,
        Func<string, string?>? environment,
        Func<SidecarStartOptions, SidecarStartOptions>? configure)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var listenKeys = YamlHasListenKey(yaml, environment);
        var options = new SidecarStartOptions
        {
            ConfigYaml = yaml,
            GrpcAddress = grpcAddress ?? (listenKeys.Grpc ? null : "127.0.0.1:0"),
            AdminAddress = adminAddress ?? (listenKeys.Admin ? null : "127.0.0.1:0"),

            // The default socket directory (/var/run/mesh-gateway) is the pod's; a test gets a socket of its own.
            EnvoyAddress = listenKeys.Envoy ? null : "unix:" + Path.Combine(Path.GetTempPath(), $"mgw-{Guid.NewGuid():N}"[..16] + ".sock"),
            HttpAddress = listenKeys.Http ? null : "127.0.0.1:0",
            Environment = environment,
            ReloadOnChange = false,
        };
        options = configure?.Invoke(options) ?? options;

        var app = GatewayHost.Build(options);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new SidecarHost(app);
    }

    /// <summary>Stops the sidecar as SIGTERM would: drains, then closes the listeners.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }

        if (_adminClient.IsValueCreated)
        {
            _adminClient.Value.Dispose();
        }

        if (_envoyChannel.IsValueCreated)
        {
            _envoyChannel.Value.Dispose();
        }

        await StopAsync();
        await _app.DisposeAsync();
    }

    internal static string Target(EndPoint endPoint) => endPoint is UnixDomainSocketEndPoint unix
        ? "unix:" + unix
        : SidecarListeners.ToUri(endPoint).ToString().TrimEnd('/');

    private HttpClient CreateAdminClient()
    {
        var handler = new SocketsHttpHandler();
        if (AdminEndPoint is UnixDomainSocketEndPoint unix)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(unix, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return new HttpClient(handler) { BaseAddress = AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    // A test that writes listen.grpc / listen.admin in its YAML means them; otherwise both go to 127.0.0.1:0.
    private static (bool Grpc, bool Admin, bool Envoy, bool Http) YamlHasListenKey(string yaml, Func<string, string?> environment)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder();
        Sidecar.Configuration.YamlConfigurationExtensions.AddYamlText(configuration, yaml, "configuration", environment);
        var built = configuration.Build();
        return (built["listen:grpc"] is not null, built["listen:admin"] is not null, built["listen:envoy"] is not null, built["listen:http"] is not null);
    }
}
