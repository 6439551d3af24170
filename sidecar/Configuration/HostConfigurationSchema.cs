using Mesh.Gateway.Core.Composition.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>The keys of the host's own sections (<c>listen</c>, <c>shutdown</c>, <c>logging</c>, <c>grpc</c>), read by hand in Hosting/.</summary>
internal static class HostConfigurationSchema
{
    public static IReadOnlyList<ConfigurationSectionSchema> Sections { get; } =
    [
        new("listen", ConfigurationNode.Mapping(
            ConfigurationKey.Value("grpc", "address (host:port or unix:/path)", "127.0.0.1:50051", "The gRPC listener (HTTP/2); --grpc wins. Needs a restart to change."),
            ConfigurationKey.Value("admin", "address (host:port or unix:/path)", "127.0.0.1:50080", "The admin HTTP listener (/healthz, /readyz, /admin); --admin wins. Needs a restart to change."),
            ConfigurationKey.Value("envoy", "address (host:port or unix:/path)", "unix:/var/run/mesh-gateway/envoy.sock",
                "The Envoy door's listener (ext_authz, ext_proc); opened when set or when envoy: is present. Needs a restart to change."),
            ConfigurationKey.Value("envoy_secret", "string", null, "A secret the proxy must send on every ext_authz and ext_proc call."),
            ConfigurationKey.Value("envoy_secret_file", "path", null, "A file holding that secret."),
            ConfigurationKey.Value("http_h2c", "address (host:port or unix:/path)", null,
                "The HTTP door's second listener, HTTP/2 with prior knowledge (h2c); off unless set. Needs a restart to change."),
            ConfigurationKey.Value("probes", "address (host:port or unix:/path)", null,
                "The probes listener (/healthz, /readyz, /metrics and nothing else) for the kubelet and Prometheus on the pod IP; unset: the probes are on the admin listener. Needs a restart to change."),
            ConfigurationKey.Value("http", "address (host:port or unix:/path)", null,
                "The HTTP door's listener (OpenAI- and Anthropic-compatible REST, HTTP/1.1 and h2c); off unless set; --http wins. Needs a restart to change."),
            ConfigurationKey.Nested("tls", ConfigurationNode.Mapping(
                ConfigurationKey.Value("cert", "path (PEM)", null, "The server certificate (and chain)."),
                ConfigurationKey.Value("key", "path (PEM)", null, "Its private key."),
                ConfigurationKey.Value("client_ca", "path (PEM)", null, "Client certificates must chain to these (mTLS); unset: no client certificate asked.")),
                "TLS on the gRPC listener; unset: cleartext HTTP/2.")))
        {
            Description = "Where the sidecar listens. Listen addresses cannot change on reload.",
        },
        new("shutdown", ConfigurationNode.Mapping(
            ConfigurationKey.Value("timeout", "duration (30s, 500ms, 2m)", "30s", "How long calls in flight may run on after SIGTERM before they are cut."),
            ConfigurationKey.Value("drain_delay", "duration", "0s", "How long /readyz reports draining before the listeners close.")))
        {
            Description = "How the sidecar stops on SIGTERM.",
        },
        new("logging", ConfigurationNode.Mapping(
            ConfigurationKey.Value("level", "trace, debug, information, warning, error, critical or none", "information", "The lowest level written."),
            ConfigurationKey.Value("format", "text or json", "text", "Text lines, or one JSON object per line (with an RFC 3339 timestamp).")))
        {
            Description = "Console logs.",
        },
        new("grpc", ConfigurationNode.Mapping(
            ConfigurationKey.Value("max_receive_message_size", "bytes (1048576, 4MiB, unlimited)", "4MiB", "The largest request message accepted."),
            ConfigurationKey.Value("max_send_message_size", "bytes", "unlimited", "The largest response message sent."),
            ConfigurationKey.Value("response_compression", "none or gzip", "none", "Compress responses when the client accepts it."),
            ConfigurationKey.Value("keepalive_ping_delay", "duration", null, "Idle time before the server pings a connection; unset: no pings."),
            ConfigurationKey.Value("keepalive_ping_timeout", "duration", "20s", "How long a ping may go unanswered before the connection is closed."),
            ConfigurationKey.Value("max_streams_per_connection", "integer", "100", "Concurrent streams per HTTP/2 connection.")))
        {
            Description = "The gRPC server's limits.",
        },
    ];

    /// <summary>Every section's shape: the host's and those the features declared in <paramref name="services"/>.</summary>
    public static IReadOnlyList<ConfigurationSectionSchema> All(IServiceCollection services) =>
        [.. Sections, .. services.ConfigurationSections()];
}
