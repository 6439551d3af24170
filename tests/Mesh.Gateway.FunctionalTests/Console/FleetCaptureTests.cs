using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>Captures kept in Redis (<c>capture.store.kind: redis</c>) by two sidecars on one real redis-server: a call captured on
/// A is read, redacted, through B's admin API, and B's fleet call log marks it captured; the fleet's captures stay within
/// <c>max_entries</c>, the oldest dropped; with Redis down, calls still succeed, the capture is dropped and that is logged once.</summary>
public sealed class FleetCaptureTests : IAsyncLifetime
{
    private const string Email = "bob.jones@example.org";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-fleet-capture-").FullName;
    private readonly LogLines _logsOfA = new();
    private RedisServerProcess _redis = null!;
    private ConsoleRig _a = null!;
    private ConsoleRig _b = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _a = await ConsoleRig.StartAsync(Yaml("a.jsonl"));
        _b = await ConsoleRig.StartAsync(Yaml("b.jsonl"));
        _a.Host.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logsOfA);
    }

    public async ValueTask DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task CapturedOnA_ReadOnB_BoundedAcrossTheFleet_ThenRedisDown_CallsUnaffectedDropLoggedOnce()
    {
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey, text: "Write to " + Email + " about the invoice"));
        var first = await CapturedCallIdAsync(_b, 1);

        // B reads A's capture, redacted as it went upstream.
        using (var read = await _b.Admin.GetAsync(new Uri($"/admin/v1/calls/{first}/capture", UriKind.Relative), Ct))
        {
            var body = await read.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            using var json = JsonDocument.Parse(body);
            Assert.Equal(first, json.RootElement.GetProperty("call_id").GetString());
            Assert.Contains("user: Write to ", json.RootElement.GetProperty("prompt").GetString()!, StringComparison.Ordinal);
            Assert.Contains("about the invoice", json.RootElement.GetProperty("prompt").GetString()!, StringComparison.Ordinal);
            Assert.StartsWith("Mock reply: Write to ", json.RootElement.GetProperty("answer").GetString()!, StringComparison.Ordinal);
            Assert.DoesNotContain(Email, body, StringComparison.Ordinal);
        }

        // max_entries: 2 for the whole fleet: a call on B and another on A push the first capture out, on both sidecars.
        Assert.Null(await _b.CallAsync(ConsoleRig.TeamBKey, text: "second"));
        await CapturedCallIdAsync(_a, 2);
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey, text: "third"));
        await EventuallyAsync(async () => (await StatusAsync(_b, first)) == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(_a, first));
        using (var calls = JsonDocument.Parse(await _b.Admin.GetStringAsync("/admin/v1/calls?limit=3", Ct)))
        {
            Assert.Equal([true, true, false], calls.RootElement.GetProperty("calls").EnumerateArray().Select(static c => c.GetProperty("captured").GetBoolean()).ToArray());
            var third = calls.RootElement.GetProperty("calls")[0].GetProperty("request_id").GetString();
            Assert.Contains("user: third", await _b.Admin.GetStringAsync($"/admin/v1/calls/{third}/capture", Ct), StringComparison.Ordinal);
        }

        // Redis down: calls through A still succeed; the captures are dropped and said so once.
        _redis.Stop();
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey, text: "while redis is down"));
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey, text: "still down"));
        await EventuallyAsync(() => Task.FromResult(_logsOfA.Count(1050) > 0));
        await Task.Delay(200, Ct);
        Assert.Equal(1, _logsOfA.Count(1050));
        using var unreadable = await _a.Admin.GetAsync(new Uri($"/admin/v1/calls/{first}/capture", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unreadable.StatusCode);
    }

    private string Yaml(string ledger)
    {
        var reader = ApiKeyHash.Format(ConsoleRig.AdminToken);
        return ConsoleRig.Yaml(Path.Combine(_dir, ledger), _redis.Url, ledgerStream: "mesh:ledger")
            + $"\ncapture:\n  enabled: true\n  store: {{ kind: redis, max_entries: 2 }}\n  readers: [\"{reader}\"]\n  retention: 1h\n";
    }

    private static async Task<HttpStatusCode> StatusAsync(ConsoleRig rig, string callId)
    {
        using var response = await rig.Admin.GetAsync(new Uri($"/admin/v1/calls/{callId}/capture", UriKind.Relative), Ct);
        return response.StatusCode;
    }

    // The newest call of the fleet's log once the ledger shows `count` calls and the newest is marked captured (both are
    // written off the call's path).
    private static async Task<string> CapturedCallIdAsync(ConsoleRig rig, int count)
    {
        string? id = null;
        await EventuallyAsync(async () =>
        {
            using var json = JsonDocument.Parse(await rig.Admin.GetStringAsync("/admin/v1/calls?limit=1", Ct));
            var calls = json.RootElement.GetProperty("calls");
            if (json.RootElement.GetProperty("matched").GetInt32() < count || !calls[0].GetProperty("captured").GetBoolean())
            {
                return false;
            }

            id = calls[0].GetProperty("request_id").GetString();
            return true;
        });
        return id!;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not seen within 20 s");
            await Task.Delay(100, Ct);
        }
    }

    private sealed class LogLines : ILoggerProvider
    {
        private readonly ConcurrentQueue<int> _events = new();

        public int Count(int eventId) => _events.Count(e => e == eventId);

        public ILogger CreateLogger(string categoryName) => new Lines(_events);

        public void Dispose()
        {
        }

        private sealed class Lines(ConcurrentQueue<int> events) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                events.Enqueue(eventId.Id);
        }
    }
}
