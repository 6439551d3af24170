using Mesh.Gateway.Tenancy.Limits;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Redis;

/// <summary>Connects to <c>store.redis</c> when the host starts (failing the start, naming the key, if it cannot) and closes on stop.</summary>
internal sealed class RedisConnector(StoreOptions store, TimeProvider time, ILoggerFactory? loggers) : IHostedService, IAsyncDisposable
{
    private RedisConnection? _connection;

    public RedisConnection? Connection => Volatile.Read(ref _connection);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null || store.Redis is null)
        {
            return;
        }

        var options = RedisConnectionOptions.Parse(store.Redis) with
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(store.ConnectTimeoutMs),
            CommandTimeout = TimeSpan.FromMilliseconds(store.CommandTimeoutMs),
        };
        try
        {
            var connection = await RedisConnection.ConnectAsync(options, loggers?.CreateLogger("Mesh.Gateway.Redis"), time, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _connection, connection);
        }
        catch (RedisException ex)
        {
            throw new InvalidOperationException($"store.redis: cannot use Redis at {LimitsOptionsValidator.RedactUrl(store.Redis)}: {ex.Message}", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
