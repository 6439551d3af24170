using System.Buffers;
using System.Text;

namespace Mesh.Gateway.Providers.Sse;

/// <summary>Reassembles server-sent events from body chunks split at arbitrary byte boundaries: the gateway's one SSE parser,
/// pushed by the Envoy door as chunks pass and pulled by <see cref="SseReader"/> over a provider's response stream.</summary>
/// <remarks>Follows the WHATWG event-stream rules: lines end with CRLF, LF or CR; a blank line ends an event; <c>data:</c>
/// with or without one leading space; comment lines (<c>:</c>) ignored; other fields ignored too, unless strict (then a line
/// that is not a comment, <c>data</c>, <c>event</c>, <c>id</c> or <c>retry</c> stops the parse and says why in <see cref="Problem"/>). A CR at the very end of a chunk is held until the
/// next byte shows whether it is a CRLF. The events handed out point into this reassembler's buffers: they are valid until
/// the next <see cref="Push"/> or <see cref="Complete"/> (a single-line event's data and every event's raw bytes are not copied).
/// Not thread-safe: one instance per response stream.</remarks>
internal sealed class SseReassembler
{
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly bool _strict;
    private readonly ArrayBufferWriter<byte> _data = new(1024);
    private string? _name;
    private bool _hasData;
    private int _dataStart = -1; // the one data line's value in _pending, while the event has exactly one; -1 once joined in _data
    private int _dataLength;
    private int _scan;        // next byte of _pending to scan for a line end
    private int _lineStart;   // start of the current line in _pending
    private int _eventStart;  // start of the current event in _pending
    private bool _skipLf;     // the previous line ended with a CR at the end of a chunk: a leading LF is its CRLF

    /// <param name="strict">True to stop at a line that is not event-stream syntax (a provider stream that turned into an
    /// error page must be an error, not silent loss); false (the proxy door) to pass such lines on as they came.</param>
    public SseReassembler(bool strict = false)
    {
        _strict = strict;
    }

    /// <summary>Bytes received but not yet part of a complete event.</summary>
    public int Pending => _pending.WrittenCount - _eventStart;

    /// <summary>True while an event or a line has begun and not ended: a stream that stops here was cut.</summary>
    public bool InEvent => _hasData || _lineStart < _pending.WrittenCount;

    /// <summary>Strict only: why parsing stopped (the line that is not event-stream syntax); null while it goes on.</summary>
    public string? Problem { get; private set; }

    /// <summary>Adds a chunk and appends every event it completes to <paramref name="events"/>.</summary>
    public void Push(ReadOnlySpan<byte> chunk, List<SseEvent> events)
    {
        Compact();
        chunk.CopyTo(_pending.GetSpan(chunk.Length));
        _pending.Advance(chunk.Length);
        Scan(events, final: false);
    }

    /// <summary>End of stream: an unterminated last event is dispatched if it has data (lenient, providers sometimes omit the final blank line).</summary>
    public void Complete(List<SseEvent> events)
    {
        Scan(events, final: true);
        var buffer = _pending.WrittenSpan;
        if (_lineStart < buffer.Length)
        {
            ProcessLine(buffer[_lineStart..]);
        }

        var memory = _pending.WrittenMemory;
        if (_hasData)
        {
            events.Add(new SseEvent(_name, EventData(memory), memory[_eventStart..]));
        }
        else if (_eventStart < buffer.Length)
        {
            // Trailing bytes that form no event (comments, blank lines): kept so a rewriting consumer can forward them.
            events.Add(new SseEvent(null, ReadOnlyMemory<byte>.Empty, memory[_eventStart..]));
        }

        ResetEvent();
        _pending.ResetWrittenCount(); // not Clear(): the events just handed out still point into it
        _scan = _lineStart = _eventStart = 0;
        _skipLf = false;
    }

    private void Scan(List<SseEvent> events, bool final)
    {
        if (Problem is not null)
        {
            return;
        }

        var buffer = _pending.WrittenSpan;
        if (_skipLf && _scan < buffer.Length)
        {
            _skipLf = false;
            if (buffer[_scan] == '\n')
            {
                _scan = _lineStart = _scan + 1;
            }
        }

        while (_scan < buffer.Length)
        {
            var rel = buffer[_scan..].IndexOfAny((byte)'\n', (byte)'\r');
            if (rel < 0)
            {
                _scan = buffer.Length;
                return;
            }

            var end = _scan + rel;
            int next;
            if (buffer[end] == '\r')
            {
                if (end + 1 == buffer.Length)
                {
                    // A CR at the end of what we have ends the line; if the next chunk starts with LF, that LF is part of it.
                    next = end + 1;
                    _skipLf = !final;
                }
                else
                {
                    next = buffer[end + 1] == '\n' ? end + 2 : end + 1;
                }
            }
            else
            {
                next = end + 1;
            }

            var line = buffer[_lineStart..end];
            if (line.IsEmpty)
            {
                if (_hasData)
                {
                    var memory = _pending.WrittenMemory;
                    events.Add(new SseEvent(_name, EventData(memory), memory[_eventStart..next]));
                    _eventStart = next;
                }

                // A blank line without data dispatches nothing; its bytes stay with the next event's raw bytes.
                ResetEvent();
            }
            else
            {
                ProcessLine(line);
            }

            _scan = _lineStart = next;
            if (Problem is not null)
            {
                return;
            }
        }
    }

    // The line is _pending[_lineStart..]: Scan and Complete advance _lineStart only after this returns.
    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (line[0] == ':')
        {
            return;
        }

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == ' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            if (!_hasData)
            {
                // Usually the event's only data line: remember where it is instead of copying it.
                _dataStart = _lineStart + (line.Length - value.Length);
                _dataLength = value.Length;
                _hasData = true;
                return;
            }

            if (_dataStart >= 0)
            {
                _data.Write(_pending.WrittenSpan.Slice(_dataStart, _dataLength));
                _dataStart = -1;
            }

            _data.Write("\n"u8);
            _data.Write(value);
        }
        else if (field.SequenceEqual("event"u8))
        {
            _name = Encoding.UTF8.GetString(value);
        }
        else if (_strict && !field.SequenceEqual("id"u8) && !field.SequenceEqual("retry"u8))
        {
            var shown = line.Length > 80 ? line[..80] : line;
            Problem = $"a line is not server-sent events syntax: '{Encoding.UTF8.GetString(shown)}'";
        }
    }

    // One data line: a slice of the buffer. Several: the joined copy (it is reset for the next event, so the event owns a copy).
    private ReadOnlyMemory<byte> EventData(ReadOnlyMemory<byte> pending) =>
        _dataStart >= 0 ? pending.Slice(_dataStart, _dataLength) : _data.WrittenSpan.ToArray();

    private void ResetEvent()
    {
        _data.ResetWrittenCount();
        _hasData = false;
        _dataStart = -1;
        _name = null;
    }

    // Drops the bytes of events already dispatched so the buffer holds only the current event.
    private void Compact()
    {
        if (_eventStart == 0)
        {
            return;
        }

        // Moved within the same array: the span stays valid across ResetWrittenCount, and CopyTo handles the overlap.
        var rest = _pending.WrittenSpan[_eventStart..];
        var length = rest.Length;
        _pending.ResetWrittenCount();
        rest.CopyTo(_pending.GetSpan(length));
        _pending.Advance(length);
        _scan -= _eventStart;
        _lineStart -= _eventStart;
        if (_dataStart >= 0)
        {
            _dataStart -= _eventStart;
        }

        _eventStart = 0;
    }
}
