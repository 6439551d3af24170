using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Reads the request stream of a client-streaming or duplex call from the request body pipe.</summary>
internal sealed class HttpContextStreamReader<T>(HttpContextServerCallContext context, Func<DeserializationContext, T> deserializer) : IAsyncStreamReader<T>
    where T : class
{
    private T? _current;
    private bool _completed;

    public T Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return false;
        }

        var callToken = context.CancellationToken;
        CancellationTokenSource? linked = null;
        if (cancellationToken.CanBeCanceled && cancellationToken != callToken)
        {
            linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken);
        }

        try
        {
            _current = await GrpcMessageReader.ReadStreamMessageAsync(context.HttpContext.Request.BodyReader, context.ReadOptions, deserializer, linked?.Token ?? callToken).ConfigureAwait(false);
        }
        finally
        {
            linked?.Dispose();
        }

        if (_current is null)
        {
            _completed = true;
            return false;
        }

        return true;
    }
}
