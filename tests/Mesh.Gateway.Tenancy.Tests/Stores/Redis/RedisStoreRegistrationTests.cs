using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Stores.Redis;

/// <summary><c>AddMeshLimits</c> with <c>store.redis</c> set: the Redis store in place of the in-process one, and its start-up errors.</summary>
public sealed class RedisStoreRegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ServiceProvider Build(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
        var services = new ServiceCollection();
        services.AddMeshLimits(configuration);
        return services.BuildServiceProvider();
    }

    private static async Task StartAllAsync(IServiceProvider provider)
    {
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(Ct);
        }
    }

    private static async Task StopAllAsync(IServiceProvider provider)
    {
        foreach (var hosted in provider.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(Ct);
        }
    }

    [Fact]
    public async Task StartAsync_RedisUnreachable_FailsNamingTheKeyWithoutThePassword()
    {
        await using var server = await RedisServerProcess.StartAsync();
        server.Stop();
        await using var provider = Build(("store:redis", $"redis://app:hunter2@127.0.0.1:{server.Port}"), ("store:connect_timeout_ms", "500"), ("ledger:path", ""));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAllAsync(provider));
        Assert.StartsWith($"store.redis: cannot use Redis at redis://app:***@127.0.0.1:{server.Port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_WrongPassword_FailsNamingTheKey()
    {
        await using var server = await RedisServerProcess.StartAsync("--requirepass", "right");
        await using var provider = Build(("store:redis", $"redis://:bad-pw-9@127.0.0.1:{server.Port}"), ("ledger:path", ""));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAllAsync(provider));
        Assert.StartsWith($"store.redis: cannot use Redis at redis://:***@127.0.0.1:{server.Port}", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains("refused AUTH", StringComparison.Ordinal), error.Message); // the whole message when it fails
        Assert.DoesNotContain("bad-pw-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMeshLimits_RedisConfigured_LimitsShareRedisAndLedgerGoesToTheStream()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var provider = Build(
            ("store:redis", server.Url),
            ("ledger:path", ""),
            ("ledger:redis_stream", "mesh:usage"),
            ("tenants:0:id", "team-a"),
            ("tenants:0:limits:requests_per_minute", "3"));
        await StartAllAsync(provider);
        Assert.Equal("redis", provider.GetRequiredService<ICounterStore>().Name);

        var limiter = provider.GetRequiredService<IMeshLimiter>();
        var request = new LimitRequest { TenantId = "team-a", Model = "gpt-4o-mini", EstimatedInputTokens = 1, MaxOutputTokens = 1 };
        for (var i = 0; i < 3; i++)
        {
            var decision = await limiter.AdmitAsync(request, Ct);
            Assert.Equal("redis", decision.Lease!.StoreName);
            await decision.Lease.SettleAsync(new ChatUsage { InputTokens = 1, OutputTokens = 1 }, Ct);
        }

        Assert.False((await limiter.AdmitAsync(request, Ct)).IsAllowed);

        var ledger = provider.GetRequiredService<IUsageLedger>();
        await ledger.WriteAsync(new UsageRecord { TenantId = "team-a", RequestId = "r1", Model = "gpt-4o-mini", InputTokens = 7, OutputTokens = 3 }, Ct);
        await StopAllAsync(provider);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(ConfigurationOptions.Parse($"127.0.0.1:{server.Port}"));
        var entries = await redis.GetDatabase().StreamRangeAsync("mesh:usage");
        var entry = Assert.Single(entries);
        var field = Assert.Single(entry.Values);
        Assert.Equal("record", field.Name.ToString());
        var json = JsonDocument.Parse(field.Value.ToString()).RootElement;
        Assert.Equal(7, json.GetProperty("input_tokens").GetInt32());
        Assert.Equal("r1", json.GetProperty("request_id").GetString());
    }
}
