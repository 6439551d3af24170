namespace Grpc.Core;

/// <summary>The server-side context of one call: headers, deadline, cancellation, status and trailers.</summary>
public abstract class ServerCallContext
{
    private Dictionary<object, object>? _userState;

    /// <summary>Gets the method's path, e.g. <c>/grpc.health.v1.Health/Check</c>.</summary>
    public string Method => MethodCore;

    /// <summary>Gets the host (<c>:authority</c>) the client called.</summary>
    public string Host => HostCore;

    /// <summary>Gets the client address, e.g. <c>ipv4:127.0.0.1:5000</c>.</summary>
    public string Peer => PeerCore;

    /// <summary>Gets the call deadline in UTC (<see cref="DateTime.MaxValue"/> when none).</summary>
    public DateTime Deadline => DeadlineCore;

    /// <summary>Gets the request headers sent by the client (custom metadata only).</summary>
    public Metadata RequestHeaders => RequestHeadersCore;

    /// <summary>Gets a token cancelled when the call is cancelled, its deadline passes or the client goes away.</summary>
    public CancellationToken CancellationToken => CancellationTokenCore;

    /// <summary>Gets the trailers sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers => ResponseTrailersCore;

    /// <summary>Gets or sets the status sent at the end of the call (when the handler does not throw).</summary>
    public Status Status
    {
        get => StatusCore;
        set => StatusCore = value;
    }

    /// <summary>Gets or sets the write options used for responses (e.g. <see cref="WriteFlags.NoCompress"/>).</summary>
    public WriteOptions? WriteOptions
    {
        get => WriteOptionsCore;
        set => WriteOptionsCore = value;
    }

    /// <summary>Gets a dictionary for state shared by interceptors and the handler of this call.</summary>
    public IDictionary<object, object> UserState => UserStateCore;

    /// <summary>Sends the response headers now; may be called once, before the first response message.</summary>
    public Task WriteResponseHeadersAsync(Metadata responseHeaders) => WriteResponseHeadersAsyncCore(responseHeaders);

    /// <summary>Implements <see cref="Method"/>.</summary>
    protected abstract string MethodCore { get; }

    /// <summary>Implements <see cref="Host"/>.</summary>
    protected abstract string HostCore { get; }

    /// <summary>Implements <see cref="Peer"/>.</summary>
    protected abstract string PeerCore { get; }

    /// <summary>Implements <see cref="Deadline"/>.</summary>
    protected abstract DateTime DeadlineCore { get; }

    /// <summary>Implements <see cref="RequestHeaders"/>.</summary>
    protected abstract Metadata RequestHeadersCore { get; }

    /// <summary>Implements <see cref="CancellationToken"/>.</summary>
    protected abstract CancellationToken CancellationTokenCore { get; }

    /// <summary>Implements <see cref="ResponseTrailers"/>.</summary>
    protected abstract Metadata ResponseTrailersCore { get; }

    /// <summary>Implements <see cref="Status"/>.</summary>
    protected abstract Status StatusCore { get; set; }

    /// <summary>Implements <see cref="WriteOptions"/>.</summary>
    protected abstract WriteOptions? WriteOptionsCore { get; set; }

    /// <summary>Implements <see cref="UserState"/>.</summary>
    protected virtual IDictionary<object, object> UserStateCore => _userState ??= [];

    /// <summary>Implements <see cref="WriteResponseHeadersAsync"/>.</summary>
    protected abstract Task WriteResponseHeadersAsyncCore(Metadata responseHeaders);
}
