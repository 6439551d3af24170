using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>
/// Runs a duplex call that answers its request messages one at a time, in order (Envoy's ext_proc: one answer per message),
/// and sends an answer on its own only when the next request message has not arrived yet.
/// </summary>
/// <remarks>
/// A peer that sends several messages without waiting (the chunks of a streamed body, in a burst) would otherwise get one
/// socket write and one wake-up per answer. Instead, while the next message is already at hand, the answer is written with
/// <see cref="WriteFlags.BufferHint"/> and goes out with the next one that is flushed: the last of a burst, every
/// <see cref="MaxBufferedAnswers"/>-th, or the call's end. Holding an answer back never waits for the peer: it only waits
/// for the work on a message that is already here. This is what grpc-go's server does (it flushes when it has nothing more
/// to write). Grpc.AspNetCore honours <see cref="WriteFlags.BufferHint"/> (the write is not flushed) but has no flush of its
/// own, so a held answer is flushed through the call's response body (<c>HttpResponse.BodyWriter</c>).
/// </remarks>
internal static class InOrderResponder
{
    /// <summary>At most this many answers wait in the buffer: a long burst still goes out in steps.</summary>
    public const int MaxBufferedAnswers = 16;

    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    /// <summary>
    /// Reads every request message, answers each with <paramref name="answer"/> (null: no answer for that one) and writes
    /// the answers in order, until the end of the request stream or <paramref name="context"/>'s cancellation.
    /// Read, write and cancellation errors propagate.
    /// </summary>
    public static Task RunAsync<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requests,
        IServerStreamWriter<TResponse> responses,
        Func<TRequest, CancellationToken, ValueTask<TResponse?>> answer,
        ServerCallContext context)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(context);

        // Only a call whose response body can be flushed on demand holds answers back: a held answer must go out before any
        // wait on the peer, also when the messages after it get no answer of their own.
        var body = TryGetHttpContext(context)?.Response.BodyWriter;
        Func<ValueTask>? flush = body is null ? null : async () => await body.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return RunAsync(requests, responses, answer, flush, context.CancellationToken);
    }

    /// <summary>As above, with the flush given (null: every answer is flushed as it is written).</summary>
    internal static async Task RunAsync<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requests,
        IServerStreamWriter<TResponse> responses,
        Func<TRequest, CancellationToken, ValueTask<TResponse?>> answer,
        Func<ValueTask>? flush,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(answer);
        var flushable = flush is not null;

        // The reads get their own token, so that a failed write can stop the read it leaves pending before returning.
        using var reads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffered = 0;
        var more = await requests.MoveNext(reads.Token).ConfigureAwait(false);
        while (more)
        {
            var response = await answer(requests.Current, cancellationToken).ConfigureAwait(false);

            // Current is not read again once the next read has started.
            var next = requests.MoveNext(reads.Token);
            var nextIsHere = next.IsCompletedSuccessfully && await next.ConfigureAwait(false);
            try
            {
                if (response is not null)
                {
                    var hold = flushable && nextIsHere && buffered < MaxBufferedAnswers;
                    var options = responses.WriteOptions;
                    if (hold)
                    {
                        // Keeps the flags the caller set (NoCompress).
                        responses.WriteOptions = options is null ? Buffered : new WriteOptions(options.Flags | WriteFlags.BufferHint);
                    }

                    try
                    {
                        // The call's own token ends a write; a caller's token would only end it sooner.
                        await responses.WriteAsync(response, CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        responses.WriteOptions = options;
                    }

                    buffered = hold ? buffered + 1 : 0;
                }
                else if (buffered > 0 && !nextIsHere)
                {
                    // No answer to this one, and the next is not here: what is held goes out before the wait.
                    await flush!().ConfigureAwait(false);
                    buffered = 0;
                }
            }
            catch
            {
                // The call is over: stop the read this left pending, so that nothing reads the request after the handler.
                await reads.CancelAsync().ConfigureAwait(false);
                await Settle(next).ConfigureAwait(false);
                throw;
            }

            more = await next.ConfigureAwait(false);
        }
    }

    private static HttpContext? TryGetHttpContext(ServerCallContext context)
    {
        // GetHttpContext throws for a context that Grpc.AspNetCore did not create (a test's fake).
        try
        {
            return context.GetHttpContext();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task Settle(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
            // The write's error is the one that counts.
        }
    }
}
