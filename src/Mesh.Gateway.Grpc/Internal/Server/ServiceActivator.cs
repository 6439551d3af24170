using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Gets a service instance per call: from DI when registered, otherwise created (and disposed) per call like grpc-dotnet.</summary>
internal sealed class ServiceActivator<TService>(bool registered)
    where TService : class
{
    private static readonly ObjectFactory Factory = ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes);

    /// <summary>Only a public parameterless constructor: nothing to resolve, so no need for the request's DI scope.</summary>
    private static readonly bool ParameterlessOnly = typeof(TService).GetConstructors() is [{ } only] && only.GetParameters().Length == 0;

    public TService Create(HttpContext httpContext, out bool created)
    {
        if (!registered && ParameterlessOnly)
        {
            // Touching RequestServices creates a DI scope per request; skip it when nothing would come from it.
            created = true;
            return (TService)Factory(EmptyServiceProvider.Instance, null);
        }

        var services = httpContext.RequestServices;
        var service = registered ? services.GetService<TService>() : null;
        created = service is null;
        return service ?? (TService)Factory(services, null);
    }

    public static ValueTask ReleaseAsync(TService service, bool created)
    {
        if (!created)
        {
            return ValueTask.CompletedTask;
        }

        if (service is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }

        (service as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
