using System.Buffers;
using System.Text;

namespace Mesh.Gateway.Providers.Sse;

/// <summary>
/// An incremental text/event-stream parser over a body stream: lines may end in LF, CRLF or CR and may be split anywhere
/// across reads. Buffers are pooled; <see cref="Data"/> is valid until the next read.
/// </summary>
/// <remarks>
/// Stricter than the HTML spec on purpose: a line that is neither a comment nor a known field (data, event, id, retry)
/// is reported as <see cref="SseReadStatus.Malformed"/> instead of ignored, so a corrupted stream is an error, not silent loss.
/// </remarks>
internal sealed class SseReader : IDisposable
{
    private const int InitialBufferSize = 8 * 1024;
    private const int MaxEventBytes = 16 * 1024 * 1024;
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _skipLf;
    private byte[] _data;
    private int _dataLength;
    private bool _hasData;
    private bool _dispatched;
    private string? _pendingEventName;

    public SseReader(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        _data = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    }

    /// <summary>The event's type (the last <c>event:</c> field), or null for the default "message".</summary>
    public string? EventName { get; private set; }

    /// <summary>The event's data (its <c>data:</c> lines joined by LF).</summary>
    public ReadOnlyMemory<byte> Data => _data.AsMemory(0, _dataLength);

    /// <summary>Why the stream was malformed or truncated.</summary>
    public string? Problem { get; private set; }

    public async ValueTask<SseReadStatus> ReadAsync(CancellationToken cancellationToken)
    {
        if (_dispatched)
        {
            _dispatched = false;
            _dataLength = 0;
            _hasData = false;
            _pendingEventName = null;
        }

        while (true)
        {
            var status = TryParseBuffered();
            if (status is not null)
            {
                return status.Value;
            }

            if (_eof)
            {
                if (_end > _start || _hasData)
                {
                    Problem = "the stream ended in the middle of an event";
                    return SseReadStatus.Truncated;
                }

                return SseReadStatus.End;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private SseReadStatus? TryParseBuffered()
    {
        while (_start < _end)
        {
            if (_skipLf)
            {
                _skipLf = false;
                if (_buffer[_start] == (byte)'\n')
                {
                    _start++;
                    continue;
                }
            }

            var span = _buffer.AsSpan(_start, _end - _start);
            var eol = span.IndexOfAny((byte)'\r', (byte)'\n');
            if (eol < 0)
            {
                return null;
            }

            var line = span[..eol];
            _skipLf = span[eol] == (byte)'\r';
            _start += eol + 1;
            var status = ProcessLine(line);
            if (status is not null)
            {
                return status;
            }
        }

        return null;
    }

    private SseReadStatus? ProcessLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            if (!_hasData)
            {
                _pendingEventName = null;
                return null;
            }

            EventName = _pendingEventName;
            _dispatched = true;
            return SseReadStatus.Event;
        }

        if (line[0] == (byte)':')
        {
            return null;
        }

        var colon = line.IndexOf((byte)':');
        var name = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (name.SequenceEqual("data"u8))
        {
            AppendData(value);
            return null;
        }

        if (name.SequenceEqual("event"u8))
        {
            _pendingEventName = Encoding.UTF8.GetString(value);
            return null;
        }

        if (name.SequenceEqual("id"u8) || name.SequenceEqual("retry"u8))
        {
            return null;
        }

        var shown = line.Length > 80 ? line[..80] : line;
        Problem = $"a line is not server-sent events syntax: '{Encoding.UTF8.GetString(shown)}'";
        return SseReadStatus.Malformed;
    }

    private void AppendData(ReadOnlySpan<byte> value)
    {
        var needed = _dataLength + value.Length + (_hasData ? 1 : 0);
        if (needed > MaxEventBytes)
        {
            throw new InvalidDataException("A server-sent event exceeds 16 MiB.");
        }

        if (needed > _data.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _data.Length * 2));
            _data.AsSpan(0, _dataLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_data);
            _data = bigger;
        }

        if (_hasData)
        {
            _data[_dataLength++] = (byte)'\n';
        }

        value.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += value.Length;
        _hasData = true;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxEventBytes)
            {
                throw new InvalidDataException("A server-sent events line exceeds 16 MiB.");
            }

            var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
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

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_data);
        _buffer = [];
        _data = [];
    }
}
