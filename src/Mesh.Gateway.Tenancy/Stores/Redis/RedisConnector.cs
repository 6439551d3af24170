using Mesh.Gateway.Tenancy.Limits;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Mesh.Gateway.Tenancy.Stores.Redis;

/// <summary>
/// Owns the one <see cref="ConnectionMultiplexer"/> of <c>store.redis</c>: connects when the host starts (failing the start,
/// naming the key, if Redis cannot be reached or refuses the credentials) and closes when the container is disposed.
/// </summary>
/// <remarks>
/// Once started, the multiplexer reconnects by itself after any outage; meanwhile commands fail at once
/// (<see cref="RedisUrl.ToConfigurationOptions"/>) and the limiter fails open or closed as configured.
/// </remarks>
internal sealed class RedisConnector(StoreOptions store, ILoggerFactory? loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers?.CreateLogger("Mesh.Gateway.Tenancy.Stores.Redis") ?? NullLogger.Instance;
    private ConnectionMultiplexer? _multiplexer;
    private int _down;

    /// <summary>The multiplexer once started; null before.</summary>
    public IConnectionMultiplexer? Multiplexer => Volatile.Read(ref _multiplexer);

    /// <summary>The configured database once started; null before.</summary>
    public IDatabase? Database { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_multiplexer is not null || store.Redis is null)
        {
            return;
        }

        var options = RedisUrl.ToConfigurationOptions(store);
        var endpoint = RedisUrl.Describe(options);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        var reason = multiplexer.IsConnected ? null : await FailureReasonAsync(multiplexer, endpoint, options.ConnectTimeout).ConfigureAwait(false);
        if (reason is not null)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"store.redis: cannot use Redis at {LimitsOptionsValidator.RedactUrl(store.Redis)}: {reason}");
        }

        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        Database = multiplexer.GetDatabase();
        Volatile.Write(ref _multiplexer, multiplexer);
        Log.Connected(_logger, endpoint);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        var multiplexer = Interlocked.Exchange(ref _multiplexer, null);
        if (multiplexer is not null)
        {
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Why a fresh multiplexer is not connected, in words that name the cause but never the password.</summary>
    private static async Task<string> FailureReasonAsync(ConnectionMultiplexer multiplexer, string endpoint, int connectTimeoutMs)
    {
        try
        {
            await multiplexer.GetDatabase().PingAsync().ConfigureAwait(false);
            return $"{endpoint} did not answer within store.connect_timeout_ms ({connectTimeoutMs} ms)";
        }
        catch (RedisConnectionException ex)
        {
            // The refusal itself is an inner exception (the PING only says no connection is available).
            var failure = ex.FailureType;
            for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
            {
                // The failure type is not always carried through (seen when the PING raced the handshake); Redis's own
                // refusal words are.
                if (inner is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }
                    || inner.Message.Contains("WRONGPASS", StringComparison.Ordinal)
                    || inner.Message.Contains("NOAUTH", StringComparison.Ordinal)
                    || inner.Message.Contains("AuthenticationFailure", StringComparison.Ordinal)
                    || inner.Message.Contains("invalid username-password", StringComparison.OrdinalIgnoreCase))
                {
                    failure = ConnectionFailureType.AuthenticationFailure;
                }
            }

            return failure switch
            {
                ConnectionFailureType.AuthenticationFailure => $"{endpoint} refused AUTH (wrong user or password)",
                ConnectionFailureType.UnableToConnect or ConnectionFailureType.UnableToResolvePhysicalConnection or ConnectionFailureType.SocketFailure
                    => $"nothing answered at {endpoint} within store.connect_timeout_ms ({connectTimeoutMs} ms)",
                _ => $"{endpoint}: {failure}",
            };
        }
        catch (RedisTimeoutException)
        {
            return $"{endpoint} did not answer within store.command_timeout_ms";
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Interactive)
        {
            return;
        }

        var endpoint = RedisUrl.Format(e.EndPoint);
        var failure = e.FailureType.ToString();
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            Log.ConnectionLost(_logger, endpoint, failure, e.Exception);
        }
        else
        {
            Log.ReconnectFailed(_logger, endpoint, failure, e.Exception);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive && Interlocked.Exchange(ref _down, 0) == 1)
        {
            var endpoint = RedisUrl.Format(e.EndPoint);
            Log.Reconnected(_logger, endpoint);
        }
    }
}
