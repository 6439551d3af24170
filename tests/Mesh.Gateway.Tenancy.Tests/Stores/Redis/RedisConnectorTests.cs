using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Mesh.Gateway.Testing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Stores.Redis;

/// <summary>The StackExchange.Redis connection as the store uses it: credentials, fail-fast outages, recovery, scripts.</summary>
public sealed class RedisConnectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CounterCharge Charge() => new("mesh:{t}:" + Guid.NewGuid().ToString("N"), CounterKind.SlidingWindow, 1000, TimeSpan.FromMinutes(1), 1);

    private static string Id() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task StartAsync_AclUserAndPassword_Authenticates()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using (var admin = await LimiterFactory.ConnectAsync(server, Ct))
        {
            await admin.Database!.ExecuteAsync("ACL", "SETUSER", "gateway", "on", ">s3cr#t", "~*", "&*", "+@all");
            await admin.Database!.ExecuteAsync("ACL", "SETUSER", "default", "off");
        }

        await using var redis = await LimiterFactory.ConnectAsync(server, Ct, url: $"redis://gateway:s3cr%23t@127.0.0.1:{server.Port}");

        Assert.Equal("gateway", (await redis.Database!.ExecuteAsync("ACL", "WHOAMI")).ToString());
    }

    [Fact]
    public async Task TryReserveAsync_ServerKilledThenRestarted_UnavailableAtOnceThenSharedAgainWithoutReconnectingByHand()
    {
        await using var server = await RedisServerProcess.StartAsync("--requirepass", "pw-not-for-logs");
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        await using var redis = new RedisConnector(new StoreOptions { Redis = $"redis://:pw-not-for-logs@127.0.0.1:{server.Port}", CommandTimeoutMs = 10_000 }, loggers);
        await redis.StartAsync(Ct);
        var store = new RedisCounterStore(() => redis.Database);
        var charge = Charge();
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);

        server.Stop();

        // The first call may be written before the reset is seen; then calls fail at once, well inside the 10 s command timeout.
        var outage = Stopwatch.StartNew();
        CounterAdmission during;
        do
        {
            during = await store.TryReserveAsync(Id(), [charge], Ct);
        }
        while (during.Outcome != CounterOutcome.StoreUnavailable && outage.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(CounterOutcome.StoreUnavailable, during.Outcome);
        var call = Stopwatch.StartNew();
        Assert.Equal(CounterOutcome.StoreUnavailable, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);
        Assert.True(call.Elapsed < TimeSpan.FromSeconds(5), $"a call during the outage waited {call.Elapsed}");
        Assert.False(await store.SettleAsync(Id(), [new CounterSettlement(charge, 0)], Ct));

        // The restarted server has an empty script cache too: the script is sent again.
        await server.StartAgainAsync();
        CounterAdmission after;
        var recovery = Stopwatch.StartNew();
        do
        {
            await Task.Delay(50, Ct);
            after = await store.TryReserveAsync(Id(), [charge], Ct);
        }
        while (after.Outcome != CounterOutcome.Admitted && recovery.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(CounterOutcome.Admitted, after.Outcome);
        Assert.Equal(0, after.States[0].Used); // a new server without persistence: the counter starts again
        Assert.Contains(logs.Entries, static e => e.EventId == 7101 && e.Level == LogLevel.Warning);
        Assert.Contains(logs.Entries, static e => e.EventId == 7104);
        Assert.All(logs.Entries, static e => Assert.DoesNotContain("pw-not-for-logs", e.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TryReserveAsync_ServerStopsAnswering_UnavailableAfterTheCommandTimeoutThenRecovers()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await LimiterFactory.ConnectAsync(server, Ct, commandTimeoutMs: 200);
        await using var admin = await AdminAsync(server);
        var store = new RedisCounterStore(() => redis.Database);
        var charge = Charge();
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);

        // CLIENT PAUSE holds every client's commands, like a server that stopped answering.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", 2000, "ALL");
        var paused = await store.TryReserveAsync(Id(), [charge], Ct);
        Assert.Equal(CounterOutcome.StoreUnavailable, paused.Outcome);
        Assert.Contains("Timeout", paused.Error, StringComparison.OrdinalIgnoreCase);

        var wait = Stopwatch.StartNew();
        CounterAdmission after;
        do
        {
            await Task.Delay(50, Ct);
            after = await store.TryReserveAsync(Id(), [charge], Ct);
        }
        while (after.Outcome != CounterOutcome.Admitted && wait.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(CounterOutcome.Admitted, after.Outcome);
    }

    [Fact]
    public async Task TryReserveAsync_RepeatedAndAfterScriptFlush_RunsBySha1AndReloadsWhenForgotten()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await LimiterFactory.ConnectAsync(server, Ct);
        await using var admin = await AdminAsync(server);
        var store = new RedisCounterStore(() => redis.Database);
        var charge = Charge();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);
        }

        await admin.GetDatabase().ExecuteAsync("SCRIPT", "FLUSH");
        var afterFlush = await store.TryReserveAsync(Id(), [charge], Ct);

        Assert.Equal(CounterOutcome.Admitted, afterFlush.Outcome);
        Assert.Equal(5, afterFlush.States[0].Used);
        var stats = (await admin.GetDatabase().ExecuteAsync("INFO", "commandstats")).ToString();
        Assert.Contains("cmdstat_evalsha:calls=", stats, StringComparison.Ordinal);
    }

    /// <summary>A separate connection allowed to run admin commands (INFO, CLIENT PAUSE, SCRIPT FLUSH).</summary>
    private static Task<ConnectionMultiplexer> AdminAsync(RedisServerProcess server) =>
        ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");

    [Theory]
    [InlineData("redis://h:1234", "h", 1234, null, null, 0, false)]
    [InlineData("redis://h", "h", 6379, null, null, 0, false)]
    [InlineData("redis://:pw@h:1/2", "h", 1, null, "pw", 2, false)]
    [InlineData("rediss://u:p%40ss@h:6380", "h", 6380, "u", "p@ss", 0, true)]
    public void TryParse_ValidUrls_Parsed(string url, string host, int port, string? user, string? password, int db, bool tls)
    {
        Assert.True(RedisUrl.TryParse(url, out var options, out _));
        var endpoint = Assert.IsType<System.Net.DnsEndPoint>(Assert.Single(options!.EndPoints));
        Assert.Equal((host, port, user, password, db, tls), (endpoint.Host, endpoint.Port, options.User, options.Password, options.DefaultDatabase ?? 0, options.Ssl));
        Assert.DoesNotContain(password ?? "\0", options.ToString(includePassword: false), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://h:1")]
    [InlineData("localhost:6379")]
    [InlineData("redis://h:1/notanumber")]
    public void TryParse_InvalidUrls_GivesReason(string url)
    {
        Assert.False(RedisUrl.TryParse(url, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void ToConfigurationOptions_StoreSettings_FailFastTimeoutsAndBackoff()
    {
        var options = RedisUrl.ToConfigurationOptions(new StoreOptions { Redis = "redis://u:secret@cache:6380/3", ConnectTimeoutMs = 750, CommandTimeoutMs = 400 });

        Assert.Equal(750, options.ConnectTimeout);
        Assert.Equal(400, options.SyncTimeout);
        Assert.Equal(400, options.AsyncTimeout);
        Assert.False(options.AbortOnConnectFail);
        Assert.Same(BacklogPolicy.FailFast, options.BacklogPolicy);
        Assert.IsType<ExponentialRetry>(options.ReconnectRetryPolicy);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.HeartbeatInterval);
        Assert.Equal("mesh-gateway", options.ClientName);
        Assert.Equal("redis://cache:6380/3", RedisUrl.Describe(options));
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<(int EventId, LogLevel Level, string Text)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception) + " " + exception));
        }
    }
}
