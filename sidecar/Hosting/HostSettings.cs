using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>The host's own settings: the <c>listen</c>, <c>shutdown</c> and <c>logging</c> sections.</summary>
internal sealed record HostSettings
{
    public const string DefaultGrpcAddress = "127.0.0.1:50051";
    public const string DefaultAdminAddress = "127.0.0.1:50080";

    /// <summary>Where the Envoy door listens unless <c>listen.envoy</c> says otherwise: a socket in a volume only the proxy mounts.</summary>
    public const string DefaultEnvoyAddress = "unix:/var/run/mesh-gateway/envoy.sock";

    /// <summary>The gRPC listener (HTTP/2 cleartext with prior knowledge).</summary>
    public required ListenAddress Grpc { get; init; }

    /// <summary>The admin HTTP/1.1 listener (<c>/healthz</c>, <c>/readyz</c>).</summary>
    public required ListenAddress Admin { get; init; }

    /// <summary>The Envoy door's own listener (ext_authz and ext_proc, <c>listen.envoy</c>); null when the door is off
    /// (no <c>envoy:</c> section and no <c>listen.envoy</c>): ext_authz and ext_proc are then served nowhere.</summary>
    public ListenAddress? Envoy { get; init; }

    /// <summary>The HTTP door's listener (OpenAI- and Anthropic-compatible REST, <c>listen.http</c>; HTTP/1.1); null
    /// when the door is off (no <c>listen.http</c>, no <c>--http</c>).</summary>
    public ListenAddress? Http { get; init; }

    /// <summary>The probes listener (<c>listen.probes</c>, HTTP/1.1: <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> and nothing else), for the
    /// kubelet and Prometheus on the pod IP; null = the probes are served on the admin listener.</summary>
    public ListenAddress? Probes { get; init; }

    /// <summary>The HTTP door's second listener, HTTP/2 with prior knowledge (h2c), or null when <c>listen.http_h2c</c> is unset.</summary>
    public ListenAddress? HttpH2c { get; init; }

    /// <summary>The secret the proxy must send on every ext_authz and ext_proc call (<see cref="EnvoyCallerAuthentication.SecretHeader"/>);
    /// null when only the Unix socket's file permissions guard the door.</summary>
    public EnvoyCallerSecret? EnvoySecret { get; init; }

    /// <summary>TLS for the gRPC listener (<c>listen.tls</c>); null = cleartext HTTP/2 with prior knowledge.</summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>How long calls in flight may run on after SIGTERM before they are cut (<c>shutdown.timeout</c>).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <c>/readyz</c> reports draining before the listeners close (<c>shutdown.drain_delay</c>).</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The minimum log level (<c>logging.level</c>).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Whether logs are written as JSON lines (<c>logging.format: json</c>) rather than text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Reads the host's sections; command-line addresses win over the file's.</summary>
    /// <exception cref="StartupException">A value is missing its form; the message names the key.</exception>
    public static HostSettings Load(IConfiguration configuration, string? grpcOverride, string? adminOverride, string? envoyOverride = null, string? httpOverride = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Unknown keys are found by ConfigurationKeyChecker against Configuration/HostConfigurationSchema.cs.
        var grpc = Address(grpcOverride, "--grpc", configuration["listen:grpc"], "listen.grpc", DefaultGrpcAddress);
        var admin = Address(adminOverride, "--admin", configuration["listen:admin"], "listen.admin", DefaultAdminAddress);
        if (grpc.IPEndPoint is { Port: not 0 } g && admin.IPEndPoint is { Port: not 0 } a && g.Port == a.Port
            && (g.Address.Equals(a.Address) || IsWildcard(g) || IsWildcard(a)))
        {
            throw new StartupException($"listen.grpc ({grpc}) and listen.admin ({admin}) must not share a port");
        }

        if (grpc.UnixPath is not null && grpc.UnixPath == admin.UnixPath)
        {
            throw new StartupException($"listen.grpc and listen.admin must not share the socket {grpc.UnixPath}");
        }

        var envoy = LoadEnvoy(configuration, envoyOverride, grpc, admin);
        var http = LoadOwnListener(configuration["listen:http"], httpOverride, "--http", "listen.http", [(grpc, "listen.grpc"), (admin, "listen.admin"), (envoy, "listen.envoy")]);
        var probes = LoadOwnListener(configuration["listen:probes"], null, "--probes", "listen.probes",
            [(grpc, "listen.grpc"), (admin, "listen.admin"), (envoy, "listen.envoy"), (http, "listen.http")]);
        var httpH2c = LoadOwnListener(configuration["listen:http_h2c"], null, "--http-h2c", "listen.http_h2c",
            [(grpc, "listen.grpc"), (admin, "listen.admin"), (envoy, "listen.envoy"), (http, "listen.http"), (probes, "listen.probes")]);
        return new HostSettings
        {
            Grpc = grpc,
            Admin = admin,
            Envoy = envoy,
            Http = http,
            Probes = probes,
            HttpH2c = httpH2c,
            EnvoySecret = envoy is null ? null : EnvoyCallerSecret.Load(configuration, envoy),
            Tls = TlsSettings.Load(configuration),
            ShutdownTimeout = Time(configuration, "shutdown:timeout", TimeSpan.FromSeconds(30)),
            DrainDelay = Time(configuration, "shutdown:drain_delay", TimeSpan.Zero),
            LogLevel = Level(configuration["logging:level"]),
            JsonLogs = Format(configuration["logging:format"]),
        };
    }

    // The door opens when the file asks for it (listen.envoy, or an envoy: section) or a test places it (envoyOverride).
    private static ListenAddress? LoadEnvoy(IConfiguration configuration, string? envoyOverride, ListenAddress grpc, ListenAddress admin)
    {
        var file = configuration["listen:envoy"];
        if (envoyOverride is null && file is null && !configuration.GetSection("envoy").Exists())
        {
            return null;
        }

        var envoy = Address(envoyOverride, "--envoy", file, "listen.envoy", DefaultEnvoyAddress);
        foreach (var (other, key) in (ReadOnlySpan<(ListenAddress, string)>)[(grpc, "listen.grpc"), (admin, "listen.admin")])
        {
            var sharesPort = envoy.IPEndPoint is { Port: not 0 } e && other.IPEndPoint is { Port: not 0 } o && e.Port == o.Port
                && (e.Address.Equals(o.Address) || IsWildcard(e) || IsWildcard(o));
            if (sharesPort || (envoy.UnixPath is not null && envoy.UnixPath == other.UnixPath))
            {
                throw new StartupException($"listen.envoy ({envoy}) and {key} ({other}) must not share an address: the Envoy door has a listener of its own");
            }
        }

        return envoy;
    }

    // A listener of its own (the HTTP door: listen.http or --http; the probes: listen.probes) opens when the file or the command
    // line places it, and shares no address with another listener.
    private static ListenAddress? LoadOwnListener(string? file, string? commandLine, string option, string key, (ListenAddress? Address, string Key)[] others)
    {
        if (file is null && commandLine is null)
        {
            return null;
        }

        var address = Address(commandLine, option, file, key, file ?? string.Empty);
        foreach (var (other, otherKey) in others)
        {
            var sharesPort = address.IPEndPoint is { Port: not 0 } a && other?.IPEndPoint is { Port: not 0 } o && a.Port == o.Port
                && (a.Address.Equals(o.Address) || IsWildcard(a) || IsWildcard(o));
            if (other is not null && (sharesPort || (address.UnixPath is not null && address.UnixPath == other.UnixPath)))
            {
                throw new StartupException($"{key} ({address}) and {otherKey} ({other}) must not share an address: each listener has an address of its own");
            }
        }

        return address;
    }

    private static bool IsWildcard(System.Net.IPEndPoint endPoint) =>
        endPoint.Address.Equals(System.Net.IPAddress.Any) || endPoint.Address.Equals(System.Net.IPAddress.IPv6Any);

    private static ListenAddress Address(string? commandLine, string option, string? file, string key, string fallback)
    {
        var (text, name) = commandLine is not null ? (commandLine, option) : file is not null ? (file, key) : (fallback, key);
        return ListenAddress.TryParse(text, out var address, out var error) ? address! : throw new StartupException($"{name}: {error}");
    }

    private static TimeSpan Time(IConfiguration configuration, string key, TimeSpan fallback)
    {
        var text = configuration[key];
        if (text is null)
        {
            return fallback;
        }

        return Duration.TryParse(text, out var value) && value >= TimeSpan.Zero
            ? value
            : throw new StartupException($"{key.Replace(':', '.')}: '{text}' is not a duration (for example 30s, 500ms, 2m)");
    }

    private static LogLevel Level(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => LogLevel.Information,
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => throw new StartupException($"logging.level: '{text}' is not a level (trace, debug, information, warning, error, critical, none)"),
    };

    private static bool Format(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "text" => false,
        "json" => true,
        _ => throw new StartupException($"logging.format: '{text}' is not a format (text, json)"),
    };
}
