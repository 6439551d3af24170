using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Client;

namespace Mesh.Gateway.Grpc;

/// <summary>A client channel over HttpClient (HTTP/2; h2c, TLS or a Unix socket), shaped like Grpc.Net.Client's GrpcChannel.</summary>
/// <remarks>Thread-safe; create one per server and reuse it. Dispose it to close its connections.</remarks>
public sealed class GrpcChannel : ChannelBase, IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly bool _disposeInvoker;

    private GrpcChannel(Uri address, string target, GrpcChannelOptions options, HttpMessageInvoker invoker, bool disposeInvoker)
        : base(target)
    {
        Address = address;
        Options = options;
        _invoker = invoker;
        _disposeInvoker = disposeInvoker;
    }

    /// <summary>Gets the base address calls are sent to.</summary>
    public Uri Address { get; }

    internal GrpcChannelOptions Options { get; }

    internal HttpMessageInvoker HttpInvoker => _invoker;

    /// <summary>Creates a channel for <c>http://host:port</c> (h2c), <c>https://host:port</c> (TLS) or <c>unix:/path</c>.</summary>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = address["unix:".Length..];
            options ??= new GrpcChannelOptions();
            var handler = options.HttpHandler ?? CreateHandler(options, path);
            return new GrpcChannel(new Uri("http://localhost"), address, options, new HttpMessageInvoker(handler, options.HttpHandler is null || options.DisposeHttpClient), true);
        }

        return ForAddress(new Uri(address), options);
    }

    /// <summary>Creates a channel for an <c>http</c> (h2c) or <c>https</c> (TLS) address.</summary>
    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Address '{address}' must use http, https or unix:.", nameof(address));
        }

        options ??= new GrpcChannelOptions();
        var handler = options.HttpHandler ?? CreateHandler(options, unixSocketPath: null);
        var baseAddress = new Uri(address.GetLeftPart(UriPartial.Authority));
        return new GrpcChannel(baseAddress, address.ToString(), options, new HttpMessageInvoker(handler, options.HttpHandler is null || options.DisposeHttpClient), true);
    }

    /// <inheritdoc />
    public override CallInvoker CreateCallInvoker() => new HttpClientCallInvoker(this);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposeInvoker)
        {
            _invoker.Dispose();
        }
    }

    /// <inheritdoc />
    protected override Task ShutdownAsyncCore()
    {
        Dispose();
        return Task.CompletedTask;
    }

    private static SocketsHttpHandler CreateHandler(GrpcChannelOptions options, string? unixSocketPath)
    {
        var handler = new SocketsHttpHandler
        {
            // More than 100 concurrent streams open another connection instead of queueing (dotnet/runtime#35088).
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        };
        if (options.KeepAlivePingDelay is { } delay)
        {
            handler.KeepAlivePingDelay = delay;
            handler.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
            handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        }

        if (options.ServerCertificateValidation is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = options.ServerCertificateValidation;
        }

        if (unixSocketPath is not null)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(unixSocketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }
}
