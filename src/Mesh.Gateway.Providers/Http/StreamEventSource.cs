using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.AwsEventStream;
using Mesh.Gateway.Providers.Sse;

namespace Mesh.Gateway.Providers.Http;

/// <summary>Reads the next event of either framing, turning transport and framing failures into error values.</summary>
internal sealed class StreamEventSource : IDisposable
{
    private readonly SseReader? _sse;
    private readonly EventStreamReader? _aws;
    private readonly string _provider;
    private EventStreamMessage? _message;

    public StreamEventSource(StreamFraming framing, Stream stream, string provider)
    {
        _provider = provider;
        if (framing == StreamFraming.AwsEventStream)
        {
            _aws = new EventStreamReader(stream);
        }
        else
        {
            _sse = new SseReader(stream);
        }
    }

    /// <summary>The event type (SSE <c>event:</c>; AWS :event-type, or :exception-type prefixed with "exception:").</summary>
    public string? EventType { get; private set; }

    public ReadOnlyMemory<byte> Data => _sse is not null ? _sse.Data : _message?.Payload ?? default;

    /// <summary>Why a body ended early (truncation), when it did.</summary>
    public string? Problem { get; private set; }

    public async ValueTask<(bool HasEvent, ProviderError? Error)> NextAsync(CancellationToken token, CancellationToken callerToken)
    {
        try
        {
            if (_sse is not null)
            {
                var status = await _sse.ReadAsync(token).ConfigureAwait(false);
                switch (status)
                {
                    case SseReadStatus.Event:
                        EventType = _sse.EventName;
                        return (true, null);
                    case SseReadStatus.Malformed:
                        return (false, ProviderErrors.Malformed(_provider, "broken server-sent events stream: " + _sse.Problem));
                    case SseReadStatus.Truncated:
                        Problem = _sse.Problem;
                        return (false, null);
                    default:
                        return (false, null);
                }
            }

            _message = await _aws!.ReadAsync(token).ConfigureAwait(false);
            if (_message is null)
            {
                return (false, null);
            }

            EventType = _message.MessageType is "exception" or "error" ? "exception:" + _message.EventType : _message.EventType;
            return (true, null);
        }
        catch (EventStreamDecodeException ex)
        {
            return (false, ProviderErrors.Malformed(_provider, "broken event stream: " + ex.Message));
        }
        catch (InvalidDataException ex)
        {
            return (false, ProviderErrors.Malformed(_provider, ex.Message));
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            return (false, new ProviderError { Kind = ProviderErrorKind.Timeout, Message = $"{_provider}: the stream did not complete in time", Provider = _provider, IsRetryable = true });
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return (false, new ProviderError
            {
                Kind = ProviderErrorKind.Connection,
                Message = $"{_provider}: the connection broke in the middle of the stream ({ex.Message})",
                Provider = _provider,
                IsRetryable = true,
            });
        }
    }

    public void Dispose()
    {
        _sse?.Dispose();
        _aws?.Dispose();
    }
}
