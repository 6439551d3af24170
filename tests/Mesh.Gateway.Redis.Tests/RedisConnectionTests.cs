using System.Diagnostics;

namespace Mesh.Gateway.Redis.Tests;

public sealed class RedisConnectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteAsync_SetGetAndTypes_RoundTrip()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(server.Url), cancellationToken: Ct);

        Assert.Equal("PONG", (await redis.ExecuteAsync("PING")).ToString());
        Assert.Equal("OK", (await redis.ExecuteAsync("SET", "k", "héllo\r\nworld")).ToString());
        Assert.Equal("héllo\r\nworld", (await redis.ExecuteAsync("GET", "k")).ToString());
        Assert.True((await redis.ExecuteAsync("GET", "missing")).IsNull);
        Assert.Equal(5, (await redis.ExecuteAsync("INCRBY", "n", 5)).AsInt64());
        await redis.ExecuteAsync("RPUSH", "l", "a", "b", "c");
        var list = await redis.ExecuteAsync("LRANGE", "l", 0, -1);
        Assert.Equal(RedisResultType.Array, list.Type);
        Assert.Equal(["a", "b", "c"], list.Items.Select(i => i.ToString()));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => redis.ExecuteAsync("INCR", "k"));
        Assert.Contains("not an integer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ManyConcurrentCallers_EachGetsItsOwnReply()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(server.Url), cancellationToken: Ct);

        // 2,000 callers share one socket: replies must come back to the caller that sent each command.
        var tasks = Enumerable.Range(0, 2000).Select(i => Task.Run(async () =>
        {
            var value = new string('x', i % 300) + i;
            await redis.ExecuteAsync("SET", "key:" + i, value);
            return (i, value, (await redis.ExecuteAsync("GET", "key:" + i)).ToString());
        }, Ct)).ToArray();
        foreach (var (i, expected, actual) in await Task.WhenAll(tasks))
        {
            Assert.Equal(expected, actual);
        }

        Assert.Equal(2000, (await redis.ExecuteAsync("DBSIZE")).AsInt64());
    }

    [Fact]
    public async Task ScriptEvaluateAsync_UnknownToServer_LoadsAndRuns()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(server.Url), cancellationToken: Ct);
        var script = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");

        Assert.Equal(3, (await redis.ScriptEvaluateAsync(script, ["c"], [3])).AsInt64());
        Assert.Equal(7, (await redis.ScriptEvaluateAsync(script, ["c"], [4])).AsInt64());
        await redis.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.Equal(8, (await redis.ScriptEvaluateAsync(script, ["c"], [1])).AsInt64());
    }

    [Fact]
    public async Task ConnectAsync_WithAclUserAndPassword_Authenticates()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using (var admin = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(server.Url), cancellationToken: Ct))
        {
            await admin.ExecuteAsync("ACL", "SETUSER", "gateway", "on", ">s3cr#t", "~*", "&*", "+@all");
            await admin.ExecuteAsync("ACL", "SETUSER", "default", "off");
        }

        await Assert.ThrowsAsync<RedisConnectionException>(() => RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(server.Url), cancellationToken: Ct));
        await using var redis = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse($"redis://gateway:s3cr%23t@127.0.0.1:{server.Port}"), cancellationToken: Ct);

        Assert.Equal("gateway", (await redis.ExecuteAsync("ACL", "WHOAMI")).ToString());
    }

    [Fact]
    public async Task ConnectAsync_WrongPassword_ThrowsNamingTheRefusal()
    {
        await using var server = await RedisServerProcess.StartAsync("--requirepass", "right");

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(RedisConnectionOptions.Parse($"redis://:wrong@127.0.0.1:{server.Port}"), cancellationToken: Ct));
        Assert.Contains("refused AUTH", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_ThrowsConnectionException()
    {
        await using var server = await RedisServerProcess.StartAsync();
        server.Stop();

        await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(server.Url), cancellationToken: Ct));
    }

    [Fact]
    public async Task ExecuteAsync_ServerRestarted_FailsFastThenReconnects()
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = RedisConnectionOptions.Parse(server.Url) with { ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) };
        await using var redis = await RedisConnection.ConnectAsync(options, cancellationToken: Ct);
        await redis.ExecuteAsync("SET", "a", "1");

        server.Stop();
        var down = Stopwatch.StartNew();
        await Assert.ThrowsAsync<RedisConnectionException>(async () =>
        {
            // The first command may be written before the reset is seen; the next ones fail at once.
            for (var i = 0; i < 50; i++)
            {
                await redis.ExecuteAsync("PING");
                await Task.Delay(20, Ct);
            }
        });
        Assert.False(redis.IsConnected);

        await server.StartAgainAsync();
        while (!redis.IsConnected && down.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, Ct);
        }

        Assert.True(redis.IsConnected);
        Assert.Equal("PONG", (await redis.ExecuteAsync("PING")).ToString());
    }

    [Fact]
    public async Task ExecuteAsync_ServerPaused_TimesOutAndRecovers()
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = RedisConnectionOptions.Parse(server.Url) with { CommandTimeout = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) };
        await using var redis = await RedisConnection.ConnectAsync(options, cancellationToken: Ct);
        await using var admin = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(server.Url), cancellationToken: Ct);

        // CLIENT PAUSE holds every client's commands, like a server that stopped answering.
        await admin.ExecuteAsync("CLIENT", "PAUSE", 1500, "ALL");
        await Assert.ThrowsAsync<RedisTimeoutException>(() => redis.ExecuteAsync("PING"));

        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                Assert.Equal("PONG", (await redis.ExecuteAsync("PING")).ToString());
                return;
            }
            catch (RedisException)
            {
                await Task.Delay(50, Ct);
            }
        }

        Assert.Fail("The connection did not recover after the pause ended.");
    }

    [Theory]
    [InlineData("redis://h:1234", "h", 1234, null, null, 0, false)]
    [InlineData("redis://h", "h", 6379, null, null, 0, false)]
    [InlineData("redis://:pw@h:1/2", "h", 1, null, "pw", 2, false)]
    [InlineData("rediss://u:p%40ss@h:6380", "h", 6380, "u", "p@ss", 0, true)]
    public void TryParse_ValidUrls_Parsed(string url, string host, int port, string? user, string? password, int db, bool tls)
    {
        Assert.True(RedisConnectionOptions.TryParse(url, out var options, out _));
        Assert.Equal((host, port, user, password, db, tls), (options!.Host, options.Port, options.User, options.Password, options.Database, options.UseTls));
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://h:1")]
    [InlineData("localhost:6379")]
    [InlineData("redis://h:1/notanumber")]
    public void TryParse_InvalidUrls_GivesReason(string url)
    {
        Assert.False(RedisConnectionOptions.TryParse(url, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Redact_UrlWithPassword_HidesIt() =>
        Assert.Equal("redis://u:***@h:1", RedisConnectionOptions.Redact("redis://u:secret@h:1"));
}
