using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>
/// Every log line written during a gRPC call, on either door, carries the call's method and id (the connection's request id,
/// as ASP.NET Core's own logs name it): a logging scope opened once here instead of in each service.
/// </summary>
/// <remarks>The scope holds nothing a caller sent: no metadata, no keys, no message content.</remarks>
internal sealed class GrpcCallScope(ILogger<GrpcCallScope> logger) : global::Grpc.Core.Interceptors.Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        using (Begin(context))
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using (Begin(context))
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using (Begin(context))
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using (Begin(context))
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
    }

    private static readonly Func<ILogger, string, string, IDisposable?> CallScope =
        LoggerMessage.DefineScope<string, string>("gRPC {GrpcMethod} call {CallId}");

    private IDisposable? Begin(ServerCallContext context) => CallScope(logger, context.Method, context.GetHttpContext().TraceIdentifier);
}
