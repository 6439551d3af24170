using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Handles bidirectional-streaming calls.</summary>
internal sealed class DuplexStreamingServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker,
    ServiceActivator<TService> activator,
    ServerCallServices services)
    : ServerCallHandlerBase<TService, TRequest, TResponse>(method, services)
    where TService : class
    where TRequest : class
    where TResponse : class
{
    protected override async Task HandleCallAsyncCore(HttpContext httpContext, HttpContextServerCallContext context)
    {
        var reader = new HttpContextStreamReader<TRequest>(context, Method.RequestMarshaller.ContextualDeserializer);
        var writer = new HttpContextStreamWriter<TResponse>(context, Method.ResponseMarshaller.ContextualSerializer);
        var service = activator.Create(httpContext, out var created);
        try
        {
            await invoker(service, reader, writer, context).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }
    }
}
