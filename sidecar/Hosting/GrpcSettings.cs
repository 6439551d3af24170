using System.Globalization;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>The <c>grpc</c> section: message size limits, response compression, HTTP/2 keepalive and stream limits.</summary>
internal sealed record GrpcSettings
{
    /// <summary>The largest request message accepted, compressed or not (default 4 MiB; <c>max_receive_message_size</c>).</summary>
    public int? MaxReceiveMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>The largest response message sent (default unlimited; <c>max_send_message_size</c>).</summary>
    public int? MaxSendMessageSize { get; init; }

    /// <summary>Compress responses with gzip when the client accepts it (<c>response_compression: gzip</c>; default none).</summary>
    public string? ResponseCompression { get; init; }

    /// <summary>Idle time before the server pings a connection (default off; <c>keepalive_ping_delay</c>).</summary>
    public TimeSpan? KeepAlivePingDelay { get; init; }

    /// <summary>How long a ping may go unanswered before the connection is closed (default 20 s; <c>keepalive_ping_timeout</c>).</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Concurrent streams per HTTP/2 connection (default 100; <c>max_streams_per_connection</c>).</summary>
    public int MaxStreamsPerConnection { get; init; } = 100;

    /// <summary>Reads the <c>grpc</c> section.</summary>
    /// <exception cref="StartupException">A value is invalid; the message names the key.</exception>
    public static GrpcSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("grpc");
        var defaults = new GrpcSettings();
        return new GrpcSettings
        {
            MaxReceiveMessageSize = Size(section, "max_receive_message_size", defaults.MaxReceiveMessageSize),
            MaxSendMessageSize = Size(section, "max_send_message_size", defaults.MaxSendMessageSize),
            ResponseCompression = section["response_compression"]?.Trim().ToLowerInvariant() switch
            {
                null or "" or "none" or "identity" => null,
                "gzip" => "gzip",
                var other => throw new StartupException($"grpc.response_compression: '{other}' is not supported (gzip or none)"),
            },
            KeepAlivePingDelay = section["keepalive_ping_delay"] is { Length: > 0 } delay ? Time("keepalive_ping_delay", delay) : null,
            KeepAlivePingTimeout = section["keepalive_ping_timeout"] is { Length: > 0 } timeout ? Time("keepalive_ping_timeout", timeout) : defaults.KeepAlivePingTimeout,
            MaxStreamsPerConnection = section["max_streams_per_connection"] is { Length: > 0 } streams
                ? int.TryParse(streams, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
                    ? count
                    : throw new StartupException($"grpc.max_streams_per_connection: must be a positive integer (was '{streams}')")
                : defaults.MaxStreamsPerConnection,
        };
    }

    /// <summary>Copies the settings onto Grpc.AspNetCore's options.</summary>
    public void Apply(GrpcServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.MaxReceiveMessageSize = MaxReceiveMessageSize;
        options.MaxSendMessageSize = MaxSendMessageSize;
        options.ResponseCompressionAlgorithm = ResponseCompression;
        options.ResponseCompressionLevel = System.IO.Compression.CompressionLevel.Fastest;
    }

    /// <summary>Sets Kestrel's HTTP/2 keepalive and stream limits, and lifts the body limits that would cut long gRPC streams.</summary>
    public void ApplyLimits(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        var http2 = kestrel.Limits.Http2;
        http2.KeepAlivePingDelay = KeepAlivePingDelay ?? TimeSpan.MaxValue;
        http2.KeepAlivePingTimeout = KeepAlivePingTimeout;
        http2.MaxStreamsPerConnection = MaxStreamsPerConnection;

        // Grpc.AspNetCore lifts these per call; server-wide they also cover requests rejected before a call starts.
        kestrel.Limits.MaxRequestBodySize = null;
        kestrel.Limits.MinRequestBodyDataRate = null;

        // Oversized metadata is refused per request (GrpcMetadataLimit), not by Kestrel ending the connection.
        kestrel.Limits.MaxRequestHeadersTotalSize = GrpcMetadataLimit.KestrelCeiling;
        http2.MaxRequestHeaderFieldSize = GrpcMetadataLimit.KestrelCeiling;
    }

    // Bytes, optionally with KiB or MiB; "unlimited" lifts the limit.
    private static int? Size(IConfigurationSection section, string key, int? fallback)
    {
        var text = section[key]?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (text.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var (number, scale) = text.EndsWith("MiB", StringComparison.OrdinalIgnoreCase) ? (text[..^3], 1024L * 1024)
            : text.EndsWith("KiB", StringComparison.OrdinalIgnoreCase) ? (text[..^3], 1024L)
            : (text, 1L);
        return long.TryParse(number.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && value * scale <= int.MaxValue
            ? (int)(value * scale)
            : throw new StartupException($"grpc.{key}: '{text}' is not a size (bytes, or with KiB/MiB, up to 2 GiB, or unlimited)");
    }

    private static TimeSpan Time(string key, string text) =>
        Duration.TryParse(text, out var value) && value > TimeSpan.Zero
            ? value
            : throw new StartupException($"grpc.{key}: '{text}' is not a positive duration (for example 30s)");
}
