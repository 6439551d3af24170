using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Handles unary calls.</summary>
internal sealed class UnaryServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker,
    ServiceActivator<TService> activator,
    ServerCallServices services)
    : ServerCallHandlerBase<TService, TRequest, TResponse>(method, services)
    where TService : class
    where TRequest : class
    where TResponse : class
{
    protected override async Task HandleCallAsyncCore(HttpContext httpContext, HttpContextServerCallContext context)
    {
        var bodyReader = httpContext.Request.BodyReader;
        var deserializer = Method.RequestMarshaller.ContextualDeserializer;
        if (!GrpcMessageReader.TryReadSingleMessage(bodyReader, context.ReadOptions, deserializer, out var request))
        {
            request = await GrpcMessageReader.ReadSingleMessageAsync(bodyReader, context.ReadOptions, deserializer, context.CancellationToken).ConfigureAwait(false);
        }

        var service = activator.Create(httpContext, out var created);
        TResponse response;
        try
        {
            response = await invoker(service, request, context).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }

        if (response is null)
        {
            throw new InvalidOperationException("No message returned from method.");
        }

        // No flush: Kestrel sends the DATA frame together with the trailers when the call ends.
        await context.WriteMessageAsync(response, Method.ResponseMarshaller.ContextualSerializer, flush: false, CancellationToken.None).ConfigureAwait(false);
    }
}
