using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Client;

/// <summary>The response stream of a server-streaming or duplex client call.</summary>
internal sealed class ClientResponseStream<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    private TResponse? _current;

    public TResponse Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        var message = await call.ReadNextAsync(cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return false;
        }

        _current = message;
        return true;
    }
}
