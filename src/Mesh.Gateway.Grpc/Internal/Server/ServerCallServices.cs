using Mesh.Gateway.Grpc.Internal.Protocol;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>What every call handler shares: options, logger, clock, and the read options of the usual request encodings.</summary>
internal sealed class ServerCallServices(GrpcServerOptions options, ILogger logger, TimeProvider timeProvider)
{
    private readonly MessageReadOptions _identityReadOptions = new(options.MaxReceiveMessageSize, null);
    private readonly MessageReadOptions _gzipReadOptions = new(options.MaxReceiveMessageSize, GrpcProtocol.GzipEncoding);

    public GrpcServerOptions Options { get; } = options;

    public ILogger Logger { get; } = logger;

    public TimeProvider TimeProvider { get; } = timeProvider;

    /// <summary>The read options for a request's grpc-encoding (shared for none and gzip; the reader rejects anything else).</summary>
    public MessageReadOptions ReadOptionsFor(string? encoding) => encoding switch
    {
        null or "" => _identityReadOptions,
        GrpcProtocol.GzipEncoding => _gzipReadOptions,
        _ => new MessageReadOptions(Options.MaxReceiveMessageSize, encoding),
    };
}
