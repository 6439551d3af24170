using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Gets a service instance per call: from DI when registered, otherwise created (and disposed) per call like grpc-dotnet.</summary>
internal static class ServiceActivator<TService>
    where TService : class
{
    private static readonly ObjectFactory Factory = ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes);

    public static TService Create(IServiceProvider services, out bool created)
    {
        var service = services.GetService<TService>();
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
}
