using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;

namespace Mesh.Gateway.Grpc.Internal.Client;

/// <summary>One client call over HttpClient: request headers and body, deadline, cancellation (RST_STREAM), response messages, status and trailers.</summary>
internal sealed class GrpcCall<TRequest, TResponse> : IDisposable
    where TRequest : class
    where TResponse : class
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);
    private static readonly Version Http2 = HttpVersion.Version20;

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly string? _host;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly GrpcSerializationContext _serializer = new();
    private readonly Lock _lock = new();
    private readonly string? _requestEncoding;
    private CancellationTokenRegistration _userCancellation;
    private ITimer? _deadlineTimer;
    private Task? _startTask;
    private HttpResponseMessage? _response;
    private PipeReader? _responseReader;
    private MessageReadOptions? _readOptions;
    private PushStreamContent? _content;
    private Status? _status;
    private Metadata? _trailers;
    private volatile bool _deadlineExceeded;
    private volatile bool _disposed;
    private bool _requestCompleted;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _host = host;
        _options = options;
        _requestEncoding = options.Headers?.Get(GrpcProtocol.InternalEncodingRequestHeader)?.Value;
        if (_requestEncoding is not null && !string.Equals(_requestEncoding, GrpcProtocol.GzipEncoding, StringComparison.Ordinal))
        {
            _requestEncoding = null;
        }
    }

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public IAsyncStreamReader<TResponse> ResponseStream { get; private set; } = null!;

    public IClientStreamWriter<TRequest> RequestStream { get; private set; } = null!;

    public Task<TResponse> StartUnary(TRequest request)
    {
        var content = CreateSingleMessageContent(request);
        _startTask = StartAsync(content);
        return ReadSingleResponseAsync();
    }

    public void StartServerStreaming(TRequest request)
    {
        ResponseStream = new ClientResponseStream<TRequest, TResponse>(this);
        var content = CreateSingleMessageContent(request);
        _startTask = StartAsync(content);
    }

    public Task<TResponse> StartClientStreaming()
    {
        _content = new PushStreamContent();
        RequestStream = new ClientRequestStream<TRequest, TResponse>(this, _options.WriteOptions);
        _startTask = StartAsync(_content);
        return ReadSingleResponseAsync();
    }

    public void StartDuplexStreaming()
    {
        _content = new PushStreamContent();
        RequestStream = new ClientRequestStream<TRequest, TResponse>(this, _options.WriteOptions);
        ResponseStream = new ClientResponseStream<TRequest, TResponse>(this);
        _startTask = StartAsync(_content);
    }

    public Status GetStatus()
    {
        lock (_lock)
        {
            return _status ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");
        }
    }

    public Metadata GetTrailers()
    {
        lock (_lock)
        {
            return _status is null
                ? throw new InvalidOperationException("Unable to get the trailers because the call is not complete.")
                : _trailers ?? Metadata.Empty;
        }
    }

    /// <summary>Reads the next response message; null at the end of an OK call; throws <see cref="RpcException"/> otherwise.</summary>
    public async Task<TResponse?> ReadNextAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.CanBeCanceled ? cancellationToken.Register(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(), this) : default;
        try
        {
            await _startTask!.ConfigureAwait(false);
            var finished = CompletedStatus();
            if (finished is not null)
            {
                return finished.Value.StatusCode == StatusCode.OK ? null : throw new RpcException(finished.Value, _trailers ?? Metadata.Empty);
            }

            var message = await GrpcMessageReader.ReadStreamMessageAsync(_responseReader!, _readOptions!, _method.ResponseMarshaller.ContextualDeserializer, _cts.Token).ConfigureAwait(false);
            if (message is not null)
            {
                return message;
            }

            var status = FinishFromTrailers();
            return status.StatusCode == StatusCode.OK ? null : throw new RpcException(status, _trailers ?? Metadata.Empty);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Fail(ex);
        }
        catch (RpcException ex)
        {
            throw Fail(ex);
        }
    }

    public async Task WriteRequestAsync(TRequest message, WriteOptions? writeOptions, CancellationToken cancellationToken)
    {
        if (_requestCompleted)
        {
            throw new InvalidOperationException("Request stream has already been completed.");
        }

        var finished = CompletedStatus();
        if (finished is not null)
        {
            throw new RpcException(finished.Value, _trailers ?? Metadata.Empty);
        }

        using var registration = cancellationToken.CanBeCanceled ? cancellationToken.Register(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(), this) : default;
        try
        {
            var writer = await _content!.WriterTask.WaitAsync(_cts.Token).ConfigureAwait(false);
            var compress = _requestEncoding is not null && ((writeOptions?.Flags ?? default) & WriteFlags.NoCompress) == 0;
            _serializer.WriteMessage(writer, message, _method.RequestMarshaller.ContextualSerializer, compress, _channel.Options.MaxSendMessageSize);
            await writer.FlushAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var status = CompletedStatus();
            if (status is not null)
            {
                throw new RpcException(status.Value, _trailers ?? Metadata.Empty);
            }

            throw Fail(ex);
        }
    }

    public Task CompleteRequestAsync()
    {
        _requestCompleted = true;
        _content?.Complete();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_lock)
        {
            _status ??= new Status(StatusCode.Cancelled, "gRPC call disposed.");
        }

        Cancel();
        Cleanup();
    }

    private void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        // Once the response headers are in, cancelling SendAsync's token does not reset the stream; disposing the response
        // sends RST_STREAM(CANCEL).
        _response?.Dispose();
    }

    private HttpContent CreateSingleMessageContent(TRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var compress = _requestEncoding is not null && ((_options.WriteOptions?.Flags ?? default) & WriteFlags.NoCompress) == 0;
        try
        {
            _serializer.WriteMessage(buffer, request, _method.RequestMarshaller.ContextualSerializer, compress, _channel.Options.MaxSendMessageSize);
        }
        catch (RpcException ex)
        {
            SetStatus(ex.Status, null);
            _headers.TrySetException(ex);
            return new ByteArrayContent([]);
        }

        var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = GrpcContentType;
        return content;
    }

    private async Task StartAsync(HttpContent content)
    {
        if (CompletedStatus() is not null)
        {
            return;
        }

        try
        {
            if (_options.CancellationToken.CanBeCanceled)
            {
                _userCancellation = _options.CancellationToken.Register(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(), this);
            }

            if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
            {
                var timeout = deadline.ToUniversalTime() - _channel.Options.TimeProvider.GetUtcNow().UtcDateTime;
                if (timeout <= TimeSpan.Zero)
                {
                    _deadlineExceeded = true;
                    throw new OperationCanceledException("The deadline passed before the call started.");
                }

                var due = timeout.TotalMilliseconds >= uint.MaxValue - 2 ? TimeSpan.FromMilliseconds(uint.MaxValue - 2) : timeout;
                _deadlineTimer = _channel.Options.TimeProvider.CreateTimer(
                    static s =>
                    {
                        var call = (GrpcCall<TRequest, TResponse>)s!;
                        call._deadlineExceeded = true;
                        call.Cancel();
                    },
                    this,
                    due,
                    Timeout.InfiniteTimeSpan);
                using var request = CreateRequest(content, timeout);
                await SendAsync(request).ConfigureAwait(false);
            }
            else
            {
                using var request = CreateRequest(content, null);
                await SendAsync(request).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Remembered as the call's status; readers and writers throw it.
            _ = Fail(ex);
        }
    }

    private HttpRequestMessage CreateRequest(HttpContent content, TimeSpan? timeout)
    {
        content.Headers.ContentType ??= GrpcContentType;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            Version = Http2,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.TrailersValue);
        headers.TryAddWithoutValidation("user-agent", "grpc-dotnet-mesh/1.0");
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (_host is not null)
        {
            headers.Host = _host;
        }

        if (timeout is { } t)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(t));
        }

        if (_requestEncoding is not null)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, _requestEncoding);
        }

        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                if (string.Equals(entry.Key, GrpcProtocol.InternalEncodingRequestHeader, StringComparison.Ordinal))
                {
                    continue;
                }

                headers.TryAddWithoutValidation(entry.Key, entry.IsBinary ? MetadataConverter.EncodeBase64(entry.RawBytes!) : entry.Value);
            }
        }

        return request;
    }

    private async Task SendAsync(HttpRequestMessage request)
    {
        var response = await _channel.HttpInvoker.SendAsync(request, _cts.Token).ConfigureAwait(false);
        _response = response;
        var headerStatus = HeaderValue(response.Headers, GrpcProtocol.StatusHeader);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var status = headerStatus is not null ? ParseStatus(headerStatus, HeaderValue(response.Headers, GrpcProtocol.MessageHeader)) : StatusFromHttp(response.StatusCode);
            FailBeforeHeaders(status);
            return;
        }

        var contentType = response.Content.Headers.ContentType?.ToString();
        if (headerStatus is null && !GrpcProtocol.IsGrpcContentType(contentType))
        {
            FailBeforeHeaders(new Status(StatusCode.Unknown, $"Bad gRPC response. Invalid content-type value: {contentType}"));
            return;
        }

        _headers.TrySetResult(ToMetadata(response.Headers));
        if (headerStatus is not null)
        {
            // Trailers-Only: the status is in the only HEADERS frame.
            SetStatus(ParseStatus(headerStatus, HeaderValue(response.Headers, GrpcProtocol.MessageHeader)), ToMetadata(response.Headers));
            return;
        }

        _readOptions = new MessageReadOptions(_channel.Options.MaxReceiveMessageSize, HeaderValue(response.Headers, GrpcProtocol.EncodingHeader), isServer: false);
        var stream = await response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
        _responseReader = PipeReader.Create(stream);
    }

    private async Task<TResponse> ReadSingleResponseAsync()
    {
        try
        {
            await _startTask!.ConfigureAwait(false);
            var finished = CompletedStatus();
            if (finished is not null)
            {
                throw new RpcException(finished.Value.StatusCode == StatusCode.OK ? new Status(StatusCode.Internal, "Failed to deserialize response message.") : finished.Value, _trailers ?? Metadata.Empty);
            }

            var reader = _responseReader!;
            var deserializer = _method.ResponseMarshaller.ContextualDeserializer;
            var message = await GrpcMessageReader.ReadStreamMessageAsync(reader, _readOptions!, deserializer, _cts.Token).ConfigureAwait(false);
            if (message is not null && await GrpcMessageReader.ReadStreamMessageAsync(reader, _readOptions!, deserializer, _cts.Token).ConfigureAwait(false) is not null)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Unary call returned more than one response message."));
            }

            var status = FinishFromTrailers();
            if (status.StatusCode != StatusCode.OK)
            {
                throw new RpcException(status, _trailers ?? Metadata.Empty);
            }

            return message ?? throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize response message."), _trailers ?? Metadata.Empty);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            Cleanup();
        }
    }

    private Status FinishFromTrailers()
    {
        var response = _response!;
        var trailers = response.TrailingHeaders;
        var code = HeaderValue(trailers, GrpcProtocol.StatusHeader);
        Status status;
        if (code is not null)
        {
            status = ParseStatus(code, HeaderValue(trailers, GrpcProtocol.MessageHeader));
        }
        else
        {
            code = HeaderValue(response.Headers, GrpcProtocol.StatusHeader);
            status = code is not null
                ? ParseStatus(code, HeaderValue(response.Headers, GrpcProtocol.MessageHeader))
                : new Status(StatusCode.Unknown, "No grpc-status found on response.");
        }

        SetStatus(status, ToMetadata(trailers));
        if (ResponseStream is not null)
        {
            Cleanup();
        }

        return status;
    }

    private void FailBeforeHeaders(Status status)
    {
        SetStatus(status, ToMetadata(_response!.Headers));
        var exception = new RpcException(status, _trailers ?? Metadata.Empty);
        if (_headers.TrySetException(exception))
        {
            _ = _headers.Task.Exception;
        }
    }

    /// <summary>Records the status an exception means (unless one is known) and returns the RpcException to throw.</summary>
    private RpcException Fail(Exception exception)
    {
        Status status;
        if (_deadlineExceeded)
        {
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded", exception);
        }
        else if (_options.CancellationToken.IsCancellationRequested || _cts.IsCancellationRequested)
        {
            status = new Status(StatusCode.Cancelled, "Call canceled by the client.", exception);
        }
        else
        {
            status = exception switch
            {
                RpcException rpc => rpc.Status,
                _ when FindProtocolError(exception) is { } code => StatusFromResetCode(code, exception),
                HttpRequestException or IOException => new Status(StatusCode.Unavailable, "Error connecting to the server: " + exception.Message, exception),
                OperationCanceledException => new Status(StatusCode.Cancelled, "Call canceled.", exception),
                _ => new Status(StatusCode.Internal, "Error in the gRPC call: " + exception.Message, exception),
            };
        }

        SetStatus(status, exception is RpcException { Trailers.Count: > 0 } e ? e.Trailers : null);
        var final = GetStatus();
        var rpcException = new RpcException(final, _trailers ?? Metadata.Empty);
        if (_headers.TrySetException(rpcException))
        {
            _ = _headers.Task.Exception;
        }

        Cancel();
        Cleanup();
        return rpcException;
    }

    private void SetStatus(Status status, Metadata? trailers)
    {
        lock (_lock)
        {
            if (_status is null)
            {
                _status = status;
                _trailers = trailers?.Freeze();
            }
        }
    }

    private Status? CompletedStatus()
    {
        lock (_lock)
        {
            return _status;
        }
    }

    private void Cleanup()
    {
        _deadlineTimer?.Dispose();
        _userCancellation.Dispose();
        _content?.Complete();
        _content?.Abort(new OperationCanceledException("The call ended."));
        if (CompletedStatus() is not null)
        {
            _response?.Dispose();
        }
    }

    private static Metadata ToMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers)
        {
            if (!MetadataConverter.IsReservedResponseHeader(header.Key))
            {
                foreach (var value in header.Value)
                {
                    MetadataConverter.Add(metadata, header.Key.ToLowerInvariant(), value);
                }
            }
        }

        return metadata;
    }

    private static string? HeaderValue(HttpHeaders headers, string name)
        => headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private static Status ParseStatus(string code, string? message)
    {
        var detail = message is null ? string.Empty : GrpcMessageEncoding.Decode(message);
        return int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? new Status((StatusCode)value, detail)
            : new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{code}'.");
    }

    /// <summary>doc/http-grpc-status-mapping.md: the status a client makes up when a non-gRPC hop answers.</summary>
    private static Status StatusFromHttp(HttpStatusCode code)
    {
        var status = (int)code switch
        {
            400 => StatusCode.Internal,
            401 => StatusCode.Unauthenticated,
            403 => StatusCode.PermissionDenied,
            404 => StatusCode.Unimplemented,
            429 or 502 or 503 or 504 => StatusCode.Unavailable,
            431 => StatusCode.Internal,
            _ => StatusCode.Unknown,
        };
        return new Status(status, $"Bad gRPC response. HTTP status code: {(int)code}");
    }

    private static long? FindProtocolError(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException protocol)
            {
                return protocol.ErrorCode;
            }
        }

        return null;
    }

    private static Status StatusFromResetCode(long code, Exception exception) => code switch
    {
        0x8 => new Status(StatusCode.Cancelled, "The server cancelled the call (RST_STREAM CANCEL).", exception),
        0x7 => new Status(StatusCode.Unavailable, "The server refused the stream (RST_STREAM REFUSED_STREAM).", exception),
        0xB => new Status(StatusCode.ResourceExhausted, "The server asked to slow down (ENHANCE_YOUR_CALM).", exception),
        0xC => new Status(StatusCode.PermissionDenied, "Inadequate security (INADEQUATE_SECURITY).", exception),
        _ => new Status(StatusCode.Internal, $"The stream was reset with HTTP/2 error code {code}.", exception),
    };
}
