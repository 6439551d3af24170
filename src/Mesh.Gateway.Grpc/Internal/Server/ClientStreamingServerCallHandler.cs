using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Handles client-streaming calls.</summary>
internal sealed class ClientStreamingServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker,
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
        var service = activator.Create(httpContext, out var created);
        TResponse response;
        try
        {
            response = await invoker(service, reader, context).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }

        if (response is null)
        {
            throw new InvalidOperationException("No message returned from method.");
        }

        await context.WriteMessageAsync(response, Method.ResponseMarshaller.ContextualSerializer, flush: false, CancellationToken.None).ConfigureAwait(false);
    }
}
