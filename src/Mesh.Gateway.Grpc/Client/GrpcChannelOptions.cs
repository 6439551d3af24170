namespace Mesh.Gateway.Grpc;

/// <summary>Options of a <see cref="GrpcChannel"/> (shaped like Grpc.Net.Client's GrpcChannelOptions).</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Gets or sets the largest message the client accepts, compressed or decompressed (default 4 MiB; null = no limit).</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the largest message the client sends (default null = no limit).</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Gets or sets the handler to send calls through (default: a SocketsHttpHandler made for gRPC); the channel does not dispose it unless <see cref="DisposeHttpClient"/>.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Gets or sets whether disposing the channel disposes <see cref="HttpHandler"/>.</summary>
    public bool DisposeHttpClient { get; set; }

    /// <summary>Gets or sets the idle time before the client pings the connection (null = no keepalive pings).</summary>
    public TimeSpan? KeepAlivePingDelay { get; set; }

    /// <summary>Gets or sets how long to wait for a keepalive ping's answer.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets the clock used for deadlines.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets a callback that validates the server's TLS certificate (default: the system's validation).</summary>
    public System.Net.Security.RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }
}
