using System.Buffers;

namespace Mesh.Gateway.Providers.AwsEventStream;

/// <summary>Reads event-stream messages from a body stream, whatever the read boundaries; the working buffer is pooled.</summary>
internal sealed class EventStreamReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _start;
    private int _end;
    private bool _eof;

    public EventStreamReader(Stream stream) => _stream = stream;

    /// <summary>The next message, or null at a clean end; throws <see cref="EventStreamDecodeException"/> on corruption or truncation.</summary>
    public async ValueTask<EventStreamMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(EventStreamCodec.PreludeLength, cancellationToken).ConfigureAwait(false))
        {
            if (_end > _start)
            {
                throw new EventStreamDecodeException("the stream ended in the middle of a message prelude");
            }

            return null;
        }

        var total = EventStreamCodec.ReadTotalLength(_buffer.AsSpan(_start, EventStreamCodec.PreludeLength));
        if (!await EnsureAsync(total, cancellationToken).ConfigureAwait(false))
        {
            throw new EventStreamDecodeException("the stream ended in the middle of a message");
        }

        var message = EventStreamCodec.Decode(_buffer.AsSpan(_start, total));
        _start += total;
        return message;
    }

    private async ValueTask<bool> EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_eof)
            {
                return false;
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (count > _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(count);
                _buffer.AsSpan(0, _end).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }

        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
