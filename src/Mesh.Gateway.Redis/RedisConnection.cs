using Mesh.Gateway.Redis.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Redis;

/// <summary>
/// A multiplexed, pipelined connection to one Redis server that reconnects by itself.
/// </summary>
/// <remarks>
/// Shaped like StackExchange.Redis's ConnectionMultiplexer (which is not served here). Thread-safe: any number of
/// callers share one socket; their commands are pipelined. While the connection is down, commands fail at once
/// with <see cref="RedisConnectionException"/> (callers decide whether to fail open or closed) and a background loop
/// reconnects with exponential backoff. A command that gets no reply within <see cref="RedisConnectionOptions.CommandTimeout"/>
/// fails with <see cref="RedisTimeoutException"/> and recycles the connection, since a silent server cannot be trusted.
/// </remarks>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly RedisConnectionOptions _options;
    private readonly string _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _heartbeat;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _reconnectLock = new();
    private RespSocket? _socket;
    private Task? _reconnectLoop;

    private RedisConnection(RedisConnectionOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _endpoint = options.ToString();
        _time = time;
        _logger = logger;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.CommandTimeout.TotalMilliseconds / 4, 5, 250));
        _heartbeat = time.CreateTimer(static state => ((RedisConnection)state!).CheckTimeouts(), this, period, period);
    }

    public RedisConnectionOptions Options => _options;

    /// <summary>True while a socket is up and authenticated.</summary>
    public bool IsConnected => Volatile.Read(ref _socket) is { IsFailed: false };

    /// <summary>Raised after a lost connection is re-established.</summary>
    public event Action? Reconnected;

    /// <summary>Connects and authenticates; throws <see cref="RedisConnectionException"/> if the server cannot be reached or refuses the credentials.</summary>
    public static async Task<RedisConnection> ConnectAsync(RedisConnectionOptions options, ILogger? logger = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = new RedisConnection(options, time ?? TimeProvider.System, logger ?? NullLogger.Instance);
        try
        {
            var socket = await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            connection.Attach(socket);
            Log.Connected(connection._logger, connection._endpoint);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends one command; error replies throw <see cref="RedisServerException"/>.</summary>
    public async Task<RedisResult> ExecuteAsync(string command, params RedisArg[] args)
    {
        var reply = await SendAsync(command, args).ConfigureAwait(false);
        return reply.Type == RedisResultType.Error ? throw new RedisServerException(reply.ToString()!) : reply;
    }

    /// <summary>Runs a Lua script by its SHA1, loading it with EVAL the first time a server does not know it.</summary>
    public async Task<RedisResult> ScriptEvaluateAsync(RedisScript script, IReadOnlyList<string> keys, IReadOnlyList<RedisArg> args)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(args);
        var reply = await SendAsync("EVALSHA", BuildEvalArgs(script.Sha1, keys, args)).ConfigureAwait(false);
        if (reply.Type == RedisResultType.Error && reply.Bytes.StartsWith("NOSCRIPT"u8))
        {
            reply = await SendAsync("EVAL", BuildEvalArgs(script.Source, keys, args)).ConfigureAwait(false);
        }

        return reply.Type == RedisResultType.Error ? throw new RedisServerException(reply.ToString()!) : reply;
    }

    private static RedisArg[] BuildEvalArgs(string scriptOrSha, IReadOnlyList<string> keys, IReadOnlyList<RedisArg> args)
    {
        var all = new RedisArg[2 + keys.Count + args.Count];
        all[0] = scriptOrSha;
        all[1] = keys.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            all[2 + i] = keys[i];
        }

        for (var i = 0; i < args.Count; i++)
        {
            all[2 + keys.Count + i] = args[i];
        }

        return all;
    }

    private Task<RedisResult> SendAsync(string command, RedisArg[] args)
    {
        var socket = Volatile.Read(ref _socket);
        if (socket is null || socket.IsFailed)
        {
            return Task.FromException<RedisResult>(new RedisConnectionException($"Not connected to Redis at {_options} (reconnecting)."));
        }

        return socket.SendAsync(command, args);
    }

    private async Task<RespSocket> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = await RespSocket.ConnectAsync(_options, _time, cancellationToken).ConfigureAwait(false);
        try
        {
            // The handshake is pipelined too: AUTH, SELECT and CLIENT SETNAME go out in one write.
            var handshake = new List<(string What, Task<RedisResult> Reply)>();
            if (_options.Password is not null)
            {
                handshake.Add(("AUTH", _options.User is null
                    ? socket.SendAsync("AUTH", [_options.Password])
                    : socket.SendAsync("AUTH", [_options.User, _options.Password])));
            }

            if (_options.Database != 0)
            {
                handshake.Add(("SELECT", socket.SendAsync("SELECT", [_options.Database])));
            }

            handshake.Add(("CLIENT SETNAME", socket.SendAsync("CLIENT", ["SETNAME", _options.ClientName])));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            foreach (var (what, reply) in handshake)
            {
                RedisResult result;
                try
                {
                    result = await reply.WaitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new RedisConnectionException($"Redis at {_options} did not answer {what} within {_options.ConnectTimeout.TotalMilliseconds} ms.");
                }

                if (result.Type == RedisResultType.Error)
                {
                    throw new RedisConnectionException($"Redis at {_options} refused {what}: {result}");
                }
            }

            return socket;
        }
        catch
        {
            await socket.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Attach(RespSocket socket)
    {
        socket.Failed += OnSocketFailed;
        Volatile.Write(ref _socket, socket);
        if (socket.IsFailed)
        {
            OnSocketFailed(socket, new RedisConnectionException("The connection failed during the handshake."));
        }
    }

    private void OnSocketFailed(RespSocket socket, Exception reason)
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        lock (_reconnectLock)
        {
            if (!ReferenceEquals(_socket, socket) || _reconnectLoop is { IsCompleted: false })
            {
                return;
            }

            Log.ConnectionLost(_logger, _endpoint, reason);
            _reconnectLoop = Task.Run(ReconnectLoopAsync);
        }
    }

    private async Task ReconnectLoopAsync()
    {
        var attempt = 0;
        var delay = _options.ReconnectMinDelay;
        while (!_disposed.IsCancellationRequested)
        {
            attempt++;
            try
            {
                var socket = await OpenAsync(_disposed.Token).ConfigureAwait(false);
                var old = Interlocked.Exchange(ref _socket, socket);
                socket.Failed += OnSocketFailed;
                if (old is not null)
                {
                    await old.DisposeAsync().ConfigureAwait(false);
                }

                Log.Reconnected(_logger, _endpoint, attempt);
                lock (_reconnectLock)
                {
                    _reconnectLoop = null;
                }

                if (socket.IsFailed)
                {
                    OnSocketFailed(socket, new RedisConnectionException("The connection failed right after reconnecting."));
                }
                else
                {
                    Reconnected?.Invoke();
                }

                return;
            }
            catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
            {
                return;
            }
            catch (RedisException ex)
            {
                // Full jitter keeps many sidecars from reconnecting in lockstep after Redis restarts.
                var jittered = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * delay.TotalMilliseconds);
                Log.ReconnectFailed(_logger, attempt, _endpoint, jittered.TotalMilliseconds, ex);
                try
                {
                    await Task.Delay(jittered, _time, _disposed.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, _options.ReconnectMaxDelay.TotalMilliseconds));
            }
        }
    }

    private void CheckTimeouts()
    {
        var socket = Volatile.Read(ref _socket);
        if (socket is null || socket.IsFailed)
        {
            return;
        }

        if (socket.OldestPendingAge() > _options.CommandTimeout)
        {
            Log.CommandTimedOut(_logger, _endpoint, _options.CommandTimeout.TotalMilliseconds);
            socket.Fail(new RedisTimeoutException($"Redis at {_options} did not answer within {_options.CommandTimeout.TotalMilliseconds} ms."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        var socket = Interlocked.Exchange(ref _socket, null);
        if (socket is not null)
        {
            await socket.DisposeAsync().ConfigureAwait(false);
        }

        Task? loop;
        lock (_reconnectLock)
        {
            loop = _reconnectLoop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _disposed.Dispose();
    }
}
