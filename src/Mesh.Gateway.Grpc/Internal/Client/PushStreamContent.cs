using System.IO.Pipelines;
using System.Net;

namespace Mesh.Gateway.Grpc.Internal.Client;

/// <summary>A request body written message by message while the call runs (client-streaming and duplex calls).</summary>
/// <remarks>Flushes first so the HEADERS frame leaves at once (dotnet/corefx#39586); returning from SerializeToStreamAsync sends END_STREAM.</remarks>
internal sealed class PushStreamContent : HttpContent
{
    private readonly TaskCompletionSource<PipeWriter> _writer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<PipeWriter> WriterTask => _writer.Task;

    /// <summary>Ends the request stream (half-close).</summary>
    public void Complete() => _completed.TrySetResult();

    /// <summary>Stops waiting for a writer that will never come (the call ended before the body started).</summary>
    public void Abort(Exception exception) => _writer.TrySetException(exception);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _writer.TrySetResult(writer);
        try
        {
            await _completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
