using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>What every call handler shares: options, logger and clock.</summary>
internal sealed class ServerCallServices(GrpcServerOptions options, ILogger logger, TimeProvider timeProvider)
{
    public GrpcServerOptions Options { get; } = options;

    public ILogger Logger { get; } = logger;

    public TimeProvider TimeProvider { get; } = timeProvider;
}
