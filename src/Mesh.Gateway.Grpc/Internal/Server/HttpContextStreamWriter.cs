using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Writes the response stream of a server-streaming or duplex call; each write awaits the flush (back-pressure).</summary>
internal sealed class HttpContextStreamWriter<T>(HttpContextServerCallContext context, Action<T, SerializationContext> serializer) : IServerStreamWriter<T>, IFlushableStreamWriter
{
    public WriteOptions? WriteOptions
    {
        get => context.WriteOptions;
        set => context.WriteOptions = value;
    }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return context.WriteMessageAsync(message, serializer, flush: true, cancellationToken);
    }

    public Task FlushAsync() => context.FlushAsync();
}
