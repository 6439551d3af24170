using System.Buffers;
using System.Text;

namespace Mesh.Gateway.Envoy.Sse;

/// <summary>Reassembles server-sent events from body chunks split at arbitrary byte boundaries.</summary>
/// <remarks>Follows the WHATWG event-stream rules: lines end with CRLF, LF or CR; a blank line ends an event; <c>data:</c>
/// with or without one leading space; comment lines (<c>:</c>) ignored. A CR at the very end of a chunk is held until the
/// next byte shows whether it is a CRLF. Not thread-safe: one instance per response stream.</remarks>
internal sealed class SseReassembler
{
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly ArrayBufferWriter<byte> _data = new(1024);
    private string? _name;
    private bool _hasData;
    private int _scan;        // next byte of _pending to scan for a line end
    private int _lineStart;   // start of the current line in _pending
    private int _eventStart;  // start of the current event in _pending
    private bool _skipLf;     // the previous line ended with a CR at the end of a chunk: a leading LF is its CRLF

    /// <summary>Bytes received but not yet part of a complete event.</summary>
    public int Pending => _pending.WrittenCount - _eventStart;

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

        if (_hasData)
        {
            events.Add(new SseEvent(_name, _data.WrittenSpan.ToArray(), buffer[_eventStart..].ToArray()));
        }
        else if (_eventStart < buffer.Length)
        {
            // Trailing bytes that form no event (comments, blank lines): kept so a rewriting consumer can forward them.
            events.Add(new SseEvent(null, ReadOnlyMemory<byte>.Empty, buffer[_eventStart..].ToArray()));
        }

        ResetEvent();
        _pending.Clear();
        _scan = _lineStart = _eventStart = 0;
        _skipLf = false;
    }

    private void Scan(List<SseEvent> events, bool final)
    {
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
                    events.Add(new SseEvent(_name, _data.WrittenSpan.ToArray(), buffer[_eventStart..next].ToArray()));
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
        }
    }

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
            if (_hasData)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _name = Encoding.UTF8.GetString(value);
        }
    }

    private void ResetEvent()
    {
        _data.ResetWrittenCount();
        _hasData = false;
        _name = null;
    }

    // Drops the bytes of events already dispatched so the buffer holds only the current event.
    private void Compact()
    {
        if (_eventStart == 0)
        {
            return;
        }

        var rest = _pending.WrittenSpan[_eventStart..].ToArray();
        _pending.ResetWrittenCount();
        rest.CopyTo(_pending.GetSpan(rest.Length));
        _pending.Advance(rest.Length);
        _scan -= _eventStart;
        _lineStart -= _eventStart;
        _eventStart = 0;
    }
}
