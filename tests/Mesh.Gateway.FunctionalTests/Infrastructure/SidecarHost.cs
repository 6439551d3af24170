using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using Mesh.Gateway.Sidecar;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Infrastructure;

/// <summary>
/// The real sidecar, in-process, built by the same <c>GatewayHost.Build</c> as Program.cs, with both listeners on
/// 127.0.0.1:0 unless told otherwise. Gives the bound addresses, a <see cref="GrpcChannel"/> and an admin HttpClient.
/// With env <c>MESH_SIDECAR_EXECUTABLE</c> set (<see cref="SidecarProcess.Executable"/>: the native build) it starts that
/// executable instead, with the same YAML and addresses, and reads the bound addresses from its log; a test that reaches into
/// <see cref="Services"/> is then skipped, since the process's services are not this one's.
/// </summary>
/// <example><code>
/// await using var sidecar = await SidecarHost.StartAsync("""
///     tenants:
///       - name: acme
///     """);
/// var client = new Inference.InferenceClient(sidecar.Channel);
/// </code></example>
public sealed partial class SidecarHost : IAsyncDisposable
{
    private readonly WebApplication? _app;
    private readonly SidecarProcess? _process;
    private readonly ExternalEndPoints? _external;
    private readonly Lazy<GrpcChannel> _channel;
    private readonly Lazy<HttpClient> _adminClient;
    private readonly Lazy<GrpcChannel> _envoyChannel;
    private bool _stopped;

    private SidecarHost(WebApplication? app, SidecarProcess? process = null, ExternalEndPoints? external = null)
    {
        _app = app;
        _process = process;
        _external = external;
        _channel = new Lazy<GrpcChannel>(() => Mesh.Gateway.Client.MeshGatewayChannel.ForAddress(GrpcTarget));
        _envoyChannel = new Lazy<GrpcChannel>(() => Mesh.Gateway.Client.MeshGatewayChannel.ForAddress(Target(EnvoyEndPoint ?? throw new InvalidOperationException("The Envoy door is off (no envoy: section, no listen.envoy)."))));
        _adminClient = new Lazy<HttpClient>(CreateAdminClient);
    }

    /// <summary>The sidecar's services (feature singletons, options, the health registry).</summary>
    public IServiceProvider Services
    {
        get
        {
            if (_app is null)
            {
                Assert.Skip("Reaches into the sidecar's services: not possible against the published executable (MESH_SIDECAR_EXECUTABLE).");
            }

            return _app.Services;
        }
    }

    /// <summary>True when this host runs the published executable (MESH_SIDECAR_EXECUTABLE) rather than the sidecar in-process.</summary>
    public static bool OutOfProcess => SidecarProcess.Executable is not null;

    /// <summary>The bound gRPC endpoint (<see cref="IPEndPoint"/> or <see cref="UnixDomainSocketEndPoint"/>).</summary>
    public EndPoint GrpcEndPoint => _external?.Grpc ?? Listeners.GrpcEndPoint;

    /// <summary>The bound admin endpoint.</summary>
    public EndPoint AdminEndPoint => _external?.Admin ?? Listeners.AdminEndPoint;

    /// <summary>The Envoy door's endpoint (a Unix socket in a temporary directory unless the YAML sets <c>listen.envoy</c>), or null when it is off.</summary>
    public EndPoint? EnvoyEndPoint => _external is { } e ? e.Envoy : Listeners.EnvoyEndPoint;

    /// <summary>The HTTP door's endpoint (127.0.0.1:0 unless the YAML sets <c>listen.http</c>), or null when it is off.</summary>
    public EndPoint? HttpEndPoint => _external is { } e ? e.Http : Listeners.HttpEndPoint;

    /// <summary>The HTTP door's h2c address (<c>listen.http_h2c</c>: HTTP/2 with prior knowledge), or null when unset.</summary>
    public Uri? HttpH2cAddress => Listeners.HttpH2cEndPoint is { } h2c ? SidecarListeners.ToUri(h2c) : null;

    /// <summary>The process's output so far (out of process), or an empty string (in-process: the test's own log).</summary>
    public string Output => _process?.Output ?? string.Empty;

    private SidecarListeners Listeners => Services.GetRequiredService<SidecarListeners>();

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
        var givenEnvironment = environment;
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
        if (OutOfProcess)
        {
            // --envoy opens the door as listen.envoy does (HostSettings.LoadEnvoy), so a placed socket means the door is on.
            return await StartProcessAsync(options, givenEnvironment, listenKeys.EnvoyDoor || options.EnvoyAddress is not null);
        }

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
            if (_process is not null)
            {
                _process.Terminate();

                // As the in-process host's StopAsync(token) gives up the graceful stop when the token fires: killed.
                using var giveUp = cancellationToken.Register(_process.Kill);
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
            else
            {
                await _app!.StopAsync(cancellationToken);
            }
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

        if (_process is not null)
        {
            // Killed, not drained: a test that wants the drain calls StopAsync.
            await _process.DisposeAsync();
            return;
        }

        await StopAsync();
        await _app!.DisposeAsync();
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
    private static (bool Grpc, bool Admin, bool Envoy, bool Http, bool EnvoyDoor) YamlHasListenKey(string yaml, Func<string, string?> environment)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder();
        Sidecar.Configuration.YamlConfigurationExtensions.AddYamlText(configuration, yaml, "configuration", environment);
        var built = configuration.Build();
        return (built["listen:grpc"] is not null, built["listen:admin"] is not null, built["listen:envoy"] is not null, built["listen:http"] is not null,
            built.GetSection("envoy").Exists() || !string.IsNullOrEmpty(built["listen:envoy"]));
    }

    // The published executable, given what the in-process host would have been given: the YAML as its --config file, the
    // addresses as --grpc/--admin/--http/--envoy, and the variables the YAML names (${NAME}) from the test's environment lookup.
    private static async Task<SidecarHost> StartProcessAsync(SidecarStartOptions options, Func<string, string?>? environment, bool envoyDoor)
    {
        var arguments = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                arguments.Add(name);
                arguments.Add(value);
            }
        }

        Add("--config", options.ConfigPath);
        Add("--grpc", options.GrpcAddress);
        Add("--admin", options.AdminAddress);
        Add("--http", options.HttpAddress);
        Add("--envoy", options.EnvoyAddress);
        var yaml = options.ConfigPath is null ? options.ConfigYaml ?? string.Empty : null;
        Dictionary<string, string?>? variables = null;
        if (environment is not null)
        {
            variables = [];
            var text = yaml ?? File.ReadAllText(options.ConfigPath!);
            foreach (Match reference in EnvironmentReference().Matches(text))
            {
                var name = reference.Groups["name"].Value;
                variables[name] = environment(name);
            }
        }

        SidecarProcess process;
        try
        {
            process = await SidecarProcess.StartWithEnvironmentAsync(yaml, arguments, variables);
        }
        catch (SidecarDidNotStartException ex) when (ex.ExitCode == 1 && StartErrorLine().Matches(ex.Output) is { Count: > 0 } lines)
        {
            // What the in-process host throws for the same start error (the executable prints it as "mesh-gateway: ...").
            throw new StartupException(string.Join('\n', lines.Select(static l => l.Groups["message"].Value.TrimEnd('\r'))), ex);
        }

        try
        {
            var listening = ListeningLine().Match(process.Output);
            EndPoint? envoy = null;
            if (envoyDoor && await process.WaitForLineAsync(ListeningEnvoyLine(), TimeSpan.FromSeconds(5)) is { } e)
            {
                envoy = ParseEndPoint(e.Groups["address"].Value);
            }

            // The HTTP door is on unless listen.http is set to nothing; its line follows the gRPC one at once when it is on.
            EndPoint? http = await process.WaitForLineAsync(ListeningHttpLine(), TimeSpan.FromSeconds(1)) is { } h ? ParseEndPoint(h.Groups["address"].Value) : null;
            var external = new ExternalEndPoints(ParseEndPoint(listening.Groups["grpc"].Value), ParseEndPoint(listening.Groups["admin"].Value), envoy, http);
            return new SidecarHost(null, process, external);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static EndPoint ParseEndPoint(string address) => address.StartsWith('/') ? new UnixDomainSocketEndPoint(address) : IPEndPoint.Parse(address);

    [GeneratedRegex(@"^mesh-gateway: (?<message>.+)$", RegexOptions.Multiline)]
    private static partial Regex StartErrorLine();

    [GeneratedRegex(@"(?<!\$)\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex EnvironmentReference();

    [GeneratedRegex(@"Listening: gRPC on (?<grpc>\S+), admin on (?<admin>\S+?)(\s|$|"")", RegexOptions.Multiline)]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Listening: Envoy door \(ext_authz, ext_proc\) on (?<address>\S+?), caller", RegexOptions.Multiline)]
    private static partial Regex ListeningEnvoyLine();

    [GeneratedRegex(@"Listening: HTTP door \([^)]*\) on (?<address>\S+?)(\s|$|"")", RegexOptions.Multiline)]
    private static partial Regex ListeningHttpLine();

    private sealed record ExternalEndPoints(EndPoint Grpc, EndPoint Admin, EndPoint? Envoy, EndPoint? Http);
}
