using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Client;

/// <summary>The request stream of a client-streaming or duplex client call.</summary>
internal sealed class ClientRequestStream<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call, WriteOptions? writeOptions) : IClientStreamWriter<TRequest>
    where TRequest : class
    where TResponse : class
{
    public WriteOptions? WriteOptions { get; set; } = writeOptions;

    public Task WriteAsync(TRequest message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return call.WriteRequestAsync(message, WriteOptions, cancellationToken);
    }

    public Task CompleteAsync() => call.CompleteRequestAsync();
}
