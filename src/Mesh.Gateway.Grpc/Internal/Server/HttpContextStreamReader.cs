using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Reads the request stream of a client-streaming or duplex call from the request body pipe.</summary>
internal sealed class HttpContextStreamReader<T>(HttpContextServerCallContext context, Func<DeserializationContext, T> deserializer) : IAsyncStreamReader<T>
    where T : class
{
    private T? _current;
    private bool _completed;

    // The caller's token linked with the call's, kept while the caller passes the same token (a loop passes the same one to
    // every read): one link per call instead of one per message.
    private CancellationToken _linkedFor;
    private CancellationTokenSource? _linked;

    public T Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return false;
        }

        var token = context.CancellationToken;
        if (cancellationToken.CanBeCanceled && cancellationToken != token)
        {
            if (_linked is null || _linkedFor != cancellationToken)
            {
                _linked?.Dispose();
                _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, token);
                _linkedFor = cancellationToken;
            }

            token = _linked.Token;
        }

        _current = await GrpcMessageReader.ReadStreamMessageAsync(context.HttpContext.Request.BodyReader, context.ReadOptions, deserializer, token).ConfigureAwait(false);
        if (_current is null)
        {
            _completed = true;
            _linked?.Dispose();
            _linked = null;
            return false;
        }

        return true;
    }
}
