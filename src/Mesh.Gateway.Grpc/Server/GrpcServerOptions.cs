using System.IO.Compression;

namespace Mesh.Gateway.Grpc;

/// <summary>Options of the gRPC server (shaped like grpc-dotnet's GrpcServiceOptions).</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Gets or sets the largest message the server accepts, compressed or decompressed (default 4 MiB; null = no limit).</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the largest message the server sends (default null = no limit).</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Gets or sets the algorithm (only "gzip" is supported) used to compress responses when the client accepts it; null = none.</summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    /// <summary>Gets or sets the gzip level used for responses.</summary>
    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Gets or sets whether exception details are sent to clients in grpc-message (development only).</summary>
    public bool EnableDetailedErrors { get; set; }
}
