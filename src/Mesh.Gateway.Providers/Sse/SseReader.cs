using System.Buffers;

namespace Mesh.Gateway.Providers.Sse;

/// <summary>
/// Pulls server-sent events from a provider's body stream through the gateway's one SSE parser, <see cref="SseReassembler"/>
/// (the one the Envoy door pushes chunks through): lines may end in LF, CRLF or CR and may be split anywhere across reads.
/// <see cref="Data"/> is valid until the next read.
/// </summary>
/// <remarks>
/// Strict on purpose: a line that is neither a comment nor a known field (data, event, id, retry) is reported as
/// <see cref="SseReadStatus.Malformed"/> instead of ignored, so a corrupted stream is an error, not silent loss.
/// </remarks>
internal sealed class SseReader : IDisposable
{
    private const int ReadSize = 8 * 1024;
    private const int MaxEventBytes = 16 * 1024 * 1024;
    private readonly Stream _stream;
    private readonly SseReassembler _parser = new(strict: true);
    private readonly List<SseEvent> _events = new(8);
    private byte[] _buffer;
    private int _next;
    private bool _eof;

    public SseReader(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
    }

    /// <summary>The event's type (the last <c>event:</c> field), or null for the default "message".</summary>
    public string? EventName { get; private set; }

    /// <summary>The event's data (its <c>data:</c> lines joined by LF).</summary>
    public ReadOnlyMemory<byte> Data { get; private set; }

    /// <summary>Why the stream was malformed or truncated.</summary>
    public string? Problem { get; private set; }

    public async ValueTask<SseReadStatus> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // The events of one read are handed out before the next read, which invalidates them.
            if (_next < _events.Count)
            {
                var e = _events[_next++];
                EventName = e.Name;
                Data = e.Data;
                return SseReadStatus.Event;
            }

            if (_parser.Problem is { } problem)
            {
                Problem = problem;
                return SseReadStatus.Malformed;
            }

            if (_eof)
            {
                if (_parser.InEvent)
                {
                    Problem = "the stream ended in the middle of an event";
                    return SseReadStatus.Truncated;
                }

                return SseReadStatus.End;
            }

            _events.Clear();
            _next = 0;
            EventName = null;
            Data = default;
            var read = await _stream.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
                continue;
            }

            _parser.Push(_buffer.AsSpan(0, read), _events);
            if (_parser.Pending > MaxEventBytes)
            {
                throw new InvalidDataException("A server-sent event exceeds 16 MiB.");
            }
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
