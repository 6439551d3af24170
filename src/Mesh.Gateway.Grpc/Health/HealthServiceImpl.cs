using System.Threading.Channels;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Gateway.Grpc;

/// <summary>The <c>grpc.health.v1.Health</c> service with a per-service status registry (<c>""</c> = the whole server, SERVING at start).</summary>
/// <remarks>
/// Thread-safe. Register one instance (AddGrpcServer does) and change statuses with <see cref="SetStatus"/>. Created by DI, it
/// calls <see cref="Shutdown"/> when the application starts stopping, so Watch streams (which never end on their own) do not
/// hold up the host's graceful shutdown.
/// </remarks>
#pragma warning disable CA1711 // grpc-dotnet's name (Grpc.HealthCheck.HealthServiceImpl), kept for a package swap.
public sealed class HealthServiceImpl : Health.HealthBase
#pragma warning restore CA1711
{
    /// <summary>The status detail of Watch streams ended by <see cref="Shutdown"/>.</summary>
    public const string ShutdownMessage = "The server is shutting down.";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [string.Empty] = ServingStatus.Serving };
    private readonly Dictionary<string, List<Channel<ServingStatus>>> _watchers = new(StringComparer.Ordinal);
    private bool _shutdown;

    /// <summary>Creates a registry with the whole server (<c>""</c>) SERVING.</summary>
    public HealthServiceImpl()
    {
    }

    /// <summary>Creates a registry that calls <see cref="Shutdown"/> when <paramref name="lifetime"/> signals ApplicationStopping.</summary>
    public HealthServiceImpl(IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        lifetime.ApplicationStopping.Register(static state => ((HealthServiceImpl)state!).Shutdown(), this);
    }

    /// <summary>Sets the status of a service (<c>""</c> for the whole server) and notifies watchers; ignored after <see cref="Shutdown"/>.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            if (_shutdown)
            {
                return;
            }

            _statuses[service] = status;
            Notify(service, status);
        }
    }

    /// <summary>Forgets a service: Check answers NOT_FOUND and watchers see SERVICE_UNKNOWN; ignored after <see cref="Shutdown"/>.</summary>
    public void ClearStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            if (_shutdown)
            {
                return;
            }

            _statuses.Remove(service);
            Notify(service, ServingStatus.ServiceUnknown);
        }
    }

    /// <summary>
    /// Enters the terminal state (grpc-go's <c>Shutdown</c>, grpc-java's <c>enterTerminalState</c>): every known service becomes
    /// NOT_SERVING, later status changes are ignored, and every Watch stream, open or opened later, ends with UNAVAILABLE once it
    /// has sent NOT_SERVING.
    /// </summary>
    /// <remarks>
    /// UNAVAILABLE, not OK or a reset: it is what a gRPC server going away gives its calls, and a health-checking client
    /// (gRFC A17) treats it as transient and watches again with backoff, reaching another replica. A reset would look like a
    /// network failure, and OK would claim the watch had a natural end.
    /// </remarks>
    public void Shutdown()
    {
        lock (_lock)
        {
            if (_shutdown)
            {
                return;
            }

            foreach (var service in _statuses.Keys.ToList())
            {
                _statuses[service] = ServingStatus.NotServing;
            }

            foreach (var (service, list) in _watchers)
            {
                var status = _statuses.TryGetValue(service, out var known) ? known : ServingStatus.ServiceUnknown;
                foreach (var channel in list)
                {
                    channel.Writer.TryWrite(status);
                    channel.Writer.TryComplete();
                }
            }

            _shutdown = true;
        }
    }

    /// <summary>Gets the status of a service, or null when it is unknown.</summary>
    public ServingStatus? GetStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            return _statuses.TryGetValue(service, out var status) ? status : null;
        }
    }

    /// <inheritdoc />
    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var status = GetStatus(request.Service) ?? throw new RpcException(new Status(StatusCode.NotFound, $"Service '{request.Service}' is unknown."));
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    /// <inheritdoc />
    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);

        // Only the latest status matters to a watcher: a slow reader skips intermediate ones instead of buffering them.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        ServingStatus current;
        lock (_lock)
        {
            current = _statuses.TryGetValue(request.Service, out var status) ? status : ServingStatus.ServiceUnknown;
            if (!_watchers.TryGetValue(request.Service, out var list))
            {
                _watchers[request.Service] = list = [];
            }

            list.Add(channel);
            if (_shutdown)
            {
                channel.Writer.TryComplete();
            }
        }

        try
        {
            await responseStream.WriteAsync(new HealthCheckResponse { Status = current }).ConfigureAwait(false);
            var last = current;
            await foreach (var next in channel.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (next != last)
                {
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = next }).ConfigureAwait(false);
                    last = next;
                }
            }

            // Only Shutdown completes the channel: end the stream with a status rather than leave it open through the drain.
            throw new RpcException(new Status(StatusCode.Unavailable, ShutdownMessage));
        }
        finally
        {
            lock (_lock)
            {
                if (_watchers.TryGetValue(request.Service, out var list))
                {
                    list.Remove(channel);
                    if (list.Count == 0)
                    {
                        _watchers.Remove(request.Service);
                    }
                }
            }
        }
    }

    private void Notify(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (var channel in list)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }
}
