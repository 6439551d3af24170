using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Mesh.Gateway.Api.Callers;

/// <summary>Reads the app's credentials from the call's metadata once, for the service to authenticate (<see cref="ApiCaller.Of"/>).</summary>
/// <remarks>Registered for the app-facing services only (Inference, Guard), never for the Envoy door's: there the credentials
/// come from the authenticated proxy's messages.</remarks>
internal sealed class ApiCallerInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Attach(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Attach(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Attach(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Attach(context);
        return continuation(requestStream, responseStream, context);
    }

    private static void Attach(ServerCallContext context) => context.UserState[typeof(ApiCaller)] = ApiCaller.Read(context);
}
