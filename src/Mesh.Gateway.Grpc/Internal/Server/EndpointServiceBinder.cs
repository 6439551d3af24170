using System.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Collects a service's methods from its generated BindService and builds a request delegate per method.</summary>
/// <remarks>BindService is called with a null implementation; handlers are open delegates over <typeparamref name="TService"/>, so a new instance can serve each call.</remarks>
internal sealed class EndpointServiceBinder<TService>(ServerCallServices services, ServiceActivator<TService> activator) : ServiceBinderBase
    where TService : class
{
    public List<(IMethod Method, RequestDelegate Handler)> Methods { get; } = [];

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = CreateInvoker<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>(method, typeof(TRequest), typeof(ServerCallContext));
        Methods.Add((method, new UnaryServerCallHandler<TService, TRequest, TResponse>(method, invoker, activator, services).HandleCallAsync));
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = CreateInvoker<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>(method, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
        Methods.Add((method, new ClientStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, activator, services).HandleCallAsync));
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = CreateInvoker<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(method, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        Methods.Add((method, new ServerStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, activator, services).HandleCallAsync));
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = CreateInvoker<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(method, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        Methods.Add((method, new DuplexStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, activator, services).HandleCallAsync));
    }

    private static TDelegate CreateInvoker<TDelegate>(IMethod method, params Type[] parameterTypes)
        where TDelegate : Delegate
    {
        var info = typeof(TService).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameterTypes)
            ?? throw new InvalidOperationException($"Could not find the method '{method.Name}' of {method.FullName} on {typeof(TService)}.");
        return info.CreateDelegate<TDelegate>();
    }
}
