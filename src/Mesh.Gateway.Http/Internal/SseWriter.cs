using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Gateway.Http.Internal;

/// <summary>Writes server-sent events straight into the response's pipe: <c>event:</c> (optional) and one <c>data:</c> line of
/// JSON written by the caller, flushed per event so each delta reaches the SDK as it comes.</summary>
/// <remarks>One per streamed response; not thread-safe.</remarks>
internal sealed class SseWriter : IDisposable
{
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly HttpContext _context;
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;

    public SseWriter(HttpContext context)
    {
        _context = context;
        _pipe = context.Response.BodyWriter;
        _json = new Utf8JsonWriter(_pipe, JsonText.WriterOptions);
    }

    public bool Started => _context.Response.HasStarted;

    /// <summary>Sends the status and the event-stream headers.</summary>
    public void Start()
    {
        if (Started)
        {
            return;
        }

        _context.Response.StatusCode = StatusCodes.Status200OK;
        _context.Response.ContentType = "text/event-stream; charset=utf-8";
        _context.Response.Headers.CacheControl = "no-cache";
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>Writes one event whose data is the JSON <paramref name="write"/> writes, then flushes it.</summary>
    public ValueTask<FlushResult> WriteAsync<TState>(string? eventName, TState state, Action<Utf8JsonWriter, TState> write)
    {
        Start();
        if (eventName is not null)
        {
            _pipe.Write(EventPrefix);
            Utf8(eventName);
            _pipe.Write("\n"u8);
        }

        _pipe.Write(DataPrefix);
        _json.Reset(_pipe);
        write(_json, state);
        _json.Flush();
        _pipe.Write("\n\n"u8);
        return _pipe.FlushAsync(_context.RequestAborted);
    }

    /// <summary>OpenAI's end of stream, <c>data: [DONE]</c>.</summary>
    public ValueTask<FlushResult> WriteDoneAsync()
    {
        _pipe.Write(Done);
        return _pipe.FlushAsync(_context.RequestAborted);
    }

    public void Dispose() => _json.Dispose();

    private void Utf8(string text)
    {
        var span = _pipe.GetSpan(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
        var written = System.Text.Encoding.UTF8.GetBytes(text, span);
        _pipe.Advance(written);
    }
}
