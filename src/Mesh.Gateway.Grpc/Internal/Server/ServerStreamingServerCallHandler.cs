using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Handles server-streaming calls.</summary>
internal sealed class ServerStreamingServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker,
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

        var writer = new HttpContextStreamWriter<TResponse>(context, Method.ResponseMarshaller.ContextualSerializer);
        var service = activator.Create(httpContext, out var created);
        try
        {
            await invoker(service, request, writer, context).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }
    }
}
