using System.Globalization;
using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>The server side of one call on Kestrel: request metadata, deadline, response writes, status and trailers.</summary>
/// <remarks>
/// Writes and the end of the call are serialized by a small state machine (idle, writing, completed) so that the deadline timer
/// can end the call while the handler still runs: whoever moves idle to completed writes the status; a deadline that finds a
/// write in progress (e.g. blocked on flow control) resets the stream instead.
/// </remarks>
internal sealed class HttpContextServerCallContext : ServerCallContext
{
    private const int StateIdle = 0;
    private const int StateWriting = 1;
    private const int StateCompleted = 2;
    private const int CancelErrorCode = 8;

    private readonly ServerCallServices _services;
    private readonly IMethod _method;

    // Only calls with a grpc-timeout pay for the deadline's lock, token source and timer.
    private DeadlineState? _deadline;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Status _status = Status.DefaultSuccess;
    private WriteOptions? _writeOptions;
    private int _state;
    private volatile bool _deadlineExceeded;
    private bool _responseEncodingDecided;
    private string? _responseEncoding;

    public HttpContextServerCallContext(HttpContext httpContext, IMethod method, ServerCallServices services)
    {
        HttpContext = httpContext;
        _method = method;
        _services = services;
        var requestEncoding = httpContext.Request.Headers[GrpcProtocol.EncodingHeader];
        ReadOptions = services.ReadOptionsFor(requestEncoding.Count == 0 ? null : requestEncoding.ToString());
    }

    public HttpContext HttpContext { get; }

    public MessageReadOptions ReadOptions { get; }

    public ILogger Logger => _services.Logger;

    public bool DeadlineExceeded => _deadlineExceeded;

    /// <summary>True when the call has a deadline, so <see cref="CompleteAsync"/> has a timer to stop.</summary>
    public bool HasDeadline => _deadline is not null;

    protected override string MethodCore => _method.FullName;

    protected override string HostCore => HttpContext.Request.Host.Value ?? string.Empty;

    protected override string PeerCore => FormatPeer(HttpContext.Connection);

    protected override DateTime DeadlineCore => _deadline?.Deadline ?? DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => _requestHeaders ??= MetadataConverter.FromRequestHeaders(HttpContext.Request.Headers);

    protected override CancellationToken CancellationTokenCore => _deadline?.Cts.Token ?? HttpContext.RequestAborted;

    protected override Metadata ResponseTrailersCore => _responseTrailers ??= [];

    protected override Status StatusCore { get => _status; set => _status = value; }

    protected override WriteOptions? WriteOptionsCore { get => _writeOptions; set => _writeOptions = value; }

    /// <summary>Reads grpc-timeout and starts the deadline timer; false (with the status to send) when the header is malformed.</summary>
    public bool TryStartDeadline(out Status error)
    {
        error = default;
        var header = HttpContext.Request.Headers[GrpcProtocol.TimeoutHeader];
        if (header.Count == 0)
        {
            return true;
        }

        var value = header.ToString();
        if (header.Count != 1 || !GrpcTimeout.TryParse(value, out var timeout))
        {
            // grpc-go answers a malformed grpc-timeout with INTERNAL ("transport: malformed grpc-timeout"); grpc-dotnet ignores it.
            Log.InvalidTimeout(Logger, value);
            error = new Status(StatusCode.Internal, $"Malformed grpc-timeout header value '{value}'.");
            return false;
        }

        var time = _services.TimeProvider;
        var now = time.GetUtcNow().UtcDateTime;
        var deadline = new DeadlineState(timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout, CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted));
        _deadline = deadline;

        // ITimer accepts at most uint.MaxValue - 1 milliseconds (~49 days); longer deadlines never fire in practice.
        var due = timeout.TotalMilliseconds >= uint.MaxValue - 1 ? TimeSpan.FromMilliseconds(uint.MaxValue - 2) : timeout;
        deadline.Timer = time.CreateTimer(static state => ((HttpContextServerCallContext)state!).OnDeadline(), this, due, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>Writes one response message (flushing unless asked not to), honouring compression and size limits.</summary>
    public async Task WriteMessageAsync<T>(T message, Action<T, SerializationContext> serializer, bool flush, CancellationToken cancellationToken)
    {
        BeginWrite("write the message");
        try
        {
            var response = HttpContext.Response;
            if (!response.HasStarted)
            {
                await StartResponseAsync().ConfigureAwait(false);
            }

            var options = _writeOptions;
            var flags = options?.Flags ?? default;
            var compress = _responseEncoding is not null && (flags & WriteFlags.NoCompress) == 0;
            var writer = response.BodyWriter;
            GrpcSerializationContext.ForCurrentThread.WriteMessage(writer, message, serializer, compress, _services.Options.MaxSendMessageSize, _services.Options.ResponseCompressionLevel);
            if (flush && (flags & WriteFlags.BufferHint) == 0)
            {
                await FlushBodyAsync(cancellationToken.CanBeCanceled ? cancellationToken : CancellationTokenCore).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.CompareExchange(ref _state, StateIdle, StateWriting);
        }
    }

    /// <summary>Sends what earlier writes left in the buffer (<see cref="WriteFlags.BufferHint"/>).</summary>
    public async Task FlushAsync()
    {
        BeginWrite("flush");
        try
        {
            if (HttpContext.Response.HasStarted)
            {
                await FlushBodyAsync(CancellationTokenCore).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.CompareExchange(ref _state, StateIdle, StateWriting);
        }
    }

    // Writes and the end of the call take turns: idle -> writing, or an error naming what could not be done.
    private void BeginWrite(string action)
    {
        var previous = Interlocked.CompareExchange(ref _state, StateWriting, StateIdle);
        if (previous != StateIdle)
        {
            throw new InvalidOperationException(previous == StateWriting
                ? $"Can't {action} because the previous write is in progress."
                : $"Can't {action} because the call is complete.");
        }
    }

    private async Task FlushBodyAsync(CancellationToken token)
    {
        var result = await HttpContext.Response.BodyWriter.FlushAsync(token).ConfigureAwait(false);

        // FlushAsync may not report IsCanceled when the stream is aborted (dotnet/aspnetcore#40788): check the call's token too.
        if (result.IsCanceled || CancellationTokenCore.IsCancellationRequested)
        {
            throw new OperationCanceledException("The call was cancelled while writing a response.", CancellationTokenCore);
        }
    }

    protected override async Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        if (HttpContext.Response.HasStarted)
        {
            throw new InvalidOperationException("Response headers can only be sent once per call.");
        }

        BeginWrite("write response headers");

        try
        {
            var headers = HttpContext.Response.Headers;
            foreach (var entry in responseHeaders)
            {
                if (string.Equals(entry.Key, GrpcProtocol.InternalEncodingRequestHeader, StringComparison.Ordinal))
                {
                    // grpc-dotnet convention: this pseudo header picks the response compression for the call.
                    _responseEncoding = ChooseEncoding(entry.Value);
                    _responseEncodingDecided = true;
                    continue;
                }

                MetadataConverter.AddToHeaders(headers, entry);
            }

            await StartResponseAsync().ConfigureAwait(false);
            await HttpContext.Response.BodyWriter.FlushAsync(CancellationTokenCore).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.CompareExchange(ref _state, StateIdle, StateWriting);
        }
    }

    /// <summary>Ends the call with <see cref="ServerCallContext.Status"/> and the trailers, unless the deadline already did.</summary>
    public void EndCall()
    {
        if (Interlocked.CompareExchange(ref _state, StateCompleted, StateIdle) != StateIdle)
        {
            return;
        }

        if (_deadlineExceeded)
        {
            _status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }

        WriteStatus(_status);
    }

    /// <summary>Turns a handler exception into the call's status and ends the call.</summary>
    public void ProcessHandlerError(Exception exception)
    {
        if (_deadlineExceeded)
        {
            EndCall();
            return;
        }

        if (HttpContext.RequestAborted.IsCancellationRequested || IsClientGone(exception))
        {
            // The client reset the stream or went away: there is nobody to send a status to.
            Log.ClientCancelled(Logger, _method.FullName);
            Interlocked.Exchange(ref _state, StateCompleted);
            return;
        }

        Status status;
        switch (exception)
        {
            case RpcException rpc:
                status = rpc.Status;
                foreach (var entry in rpc.Trailers)
                {
                    ResponseTrailersCore.Add(entry);
                }

                break;
            case OperationCanceledException when CancellationTokenCore.IsCancellationRequested:
                status = new Status(StatusCode.Cancelled, "Call canceled by the client.", exception);
                break;
            default:
                Log.HandlerError(Logger, _method.FullName, exception);
                var detail = _services.Options.EnableDetailedErrors
                    ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
                    : "Exception was thrown by handler.";
                status = new Status(StatusCode.Unknown, detail, exception);
                break;
        }

        Log.CallFailed(Logger, _method.FullName, status.StatusCode, status.Detail);
        _status = status;

        // A write may have thrown half way: make the state idle again so the status can be written.
        Interlocked.CompareExchange(ref _state, StateIdle, StateWriting);
        EndCall();
    }

    // A read or write that failed because the client reset the stream or closed the connection. Kestrel's body reader can
    // throw this before RequestAborted is signalled, and a client going away is a normal end, not a handler error.
    private static bool IsClientGone(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Connections.ConnectionAbortedException or Microsoft.AspNetCore.Connections.ConnectionResetException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Stops the deadline timer and waits for a deadline in progress to finish writing.</summary>
    public async ValueTask CompleteAsync()
    {
        if (_deadline is not { } deadline)
        {
            return;
        }

        Task? deadlineTask;
        lock (deadline.Lock)
        {
            deadline.CallEnded = true;
            deadlineTask = deadline.Task;
        }

        if (deadline.Timer is not null)
        {
            await deadline.Timer.DisposeAsync().ConfigureAwait(false);
        }

        if (deadlineTask is not null)
        {
            await deadlineTask.ConfigureAwait(false);
        }

        deadline.Cts.Dispose();
    }

    private void OnDeadline()
    {
        var deadline = _deadline!;
        lock (deadline.Lock)
        {
            if (deadline.CallEnded)
            {
                return;
            }

            _deadlineExceeded = true;
            deadline.Task = Task.Run(DeadlineExceededAsync);
        }
    }

    private async Task DeadlineExceededAsync()
    {
        Log.DeadlineExceeded(Logger, _method.FullName);
        var ownsResponse = Interlocked.CompareExchange(ref _state, StateCompleted, StateIdle) == StateIdle;
        try
        {
            await _deadline!.Cts.CancelAsync().ConfigureAwait(false);
            if (ownsResponse)
            {
                _status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
                WriteStatus(_status);
                await HttpContext.Response.CompleteAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The stream is already gone; the reset below is all that is left to do.
        }

        // The spec: "the server should locally cancel the RPC and send RST_STREAM with CANCEL".
        HttpContext.Features.Get<IHttpResetFeature>()?.Reset(CancelErrorCode);
    }

    private Task StartResponseAsync()
    {
        var response = HttpContext.Response;
        if (!_responseEncodingDecided)
        {
            _responseEncoding = ChooseEncoding(_services.Options.ResponseCompressionAlgorithm);
            _responseEncodingDecided = true;
        }

        if (_responseEncoding is not null)
        {
            response.Headers[GrpcProtocol.EncodingHeader] = _responseEncoding;
        }

        return response.StartAsync();
    }

    private string? ChooseEncoding(string? algorithm)
    {
        if (algorithm is null || string.Equals(algorithm, GrpcProtocol.IdentityEncoding, StringComparison.Ordinal)
            || !string.Equals(algorithm, GrpcProtocol.GzipEncoding, StringComparison.Ordinal))
        {
            return null;
        }

        // Never compress with an algorithm missing from the client's grpc-accept-encoding (doc/compression.md).
        return GrpcProtocol.AcceptsEncoding(HttpContext.Request.Headers[GrpcProtocol.AcceptEncodingHeader].ToString(), algorithm) ? algorithm : null;
    }

    private void WriteStatus(Status status)
    {
        var response = HttpContext.Response;
        if (!response.HasStarted)
        {
            // Trailers-Only: the status rides in the only HEADERS frame.
            var headers = response.Headers;
            headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusToString(status.StatusCode);
            if (!string.IsNullOrEmpty(status.Detail))
            {
                headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(status.Detail);
            }

            if (_responseTrailers is not null)
            {
                foreach (var entry in _responseTrailers)
                {
                    MetadataConverter.AddToHeaders(headers, entry);
                }
            }

            return;
        }

        var trailers = HttpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        if (trailers is null || trailers.IsReadOnly)
        {
            throw new InvalidOperationException("Trailers are not supported for this response: the server must speak HTTP/2.");
        }

        trailers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusToString(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            trailers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(status.Detail);
        }

        if (_responseTrailers is not null)
        {
            foreach (var entry in _responseTrailers)
            {
                MetadataConverter.AddToHeaders(trailers, entry);
            }
        }
    }

    private static string FormatPeer(ConnectionInfo connection)
    {
        var ip = connection.RemoteIpAddress;
        if (ip is null)
        {
            return "unix:";
        }

        var port = connection.RemotePort.ToString(CultureInfo.InvariantCulture);
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !ip.IsIPv4MappedToIPv6
            ? "ipv6:[" + ip + "]:" + port
            : "ipv4:" + (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip) + ":" + port;
    }

    /// <summary>The deadline of a call that has one: when it is, the token it cancels, its timer, and the write it started.</summary>
    private sealed class DeadlineState(DateTime deadline, CancellationTokenSource cts)
    {
        public Lock Lock { get; } = new();

        public DateTime Deadline { get; } = deadline;

        public CancellationTokenSource Cts { get; } = cts;

        public ITimer? Timer { get; set; }

        public Task? Task { get; set; }

        public bool CallEnded { get; set; }
    }
}
