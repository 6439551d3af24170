using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>Budget alerts (a tenant's, a virtual key's own) reach <c>limits.alert_webhook</c> once per threshold per period,
/// however many calls pass it.</summary>
public sealed class BudgetAlertWebhookTests : IDisposable
{
    private const string Key = "mgw-budget-alert-key";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-alert-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Budget_ThresholdCrossedThenManyMoreCalls_OneWebhookPost()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/alerts/");
        listener.Start();
        var bodies = new List<string>();
        var receiving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    var body = await reader.ReadToEndAsync(Ct);
                    lock (bodies)
                    {
                        bodies.Add(body);
                    }
                }

                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        }, Ct);

        await using var rig = await ConsoleRig.StartAsync($$"""
            listen:
              probes: 127.0.0.1:0
            limits:
              alert_webhook: http://127.0.0.1:{{port}}/alerts/budget
            tenants:
              - id: team-a
                api_keys: ["{{ApiKeyHash.Format(Key)}}"]
                models: [chat]
                budget: { per_day_usd: 0.0002, alert_at: 0.5, hard_stop: false }
            providers:
              - { name: mock, kind: mock }
            models:
              - { name: chat, targets: [ { provider: mock, model: mock } ] }
            prices:
              chat: { input: 1, output: 1 }
              mock: { input: 1, output: 1 }
            ledger:
              path: {{Path.Combine(_dir, "ledger.jsonl")}}
            """);
        for (var i = 0; i < 12; i++)
        {
            Assert.Null(await rig.CallAsync(Key));
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && Count(bodies) == 0)
        {
            await Task.Delay(50, Ct);
        }

        await Task.Delay(500, Ct); // a second post, if one were coming, arrives in this time
        listener.Stop();
        await receiving;

        var body = Assert.Single(bodies);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("team-a", json.GetProperty("tenant").GetString());
        Assert.Equal("daily", json.GetProperty("period").GetString());
        Assert.Equal(0.0002m, json.GetProperty("budget_usd").GetDecimal());
        Assert.True(json.GetProperty("spent_usd").GetDecimal() >= 0.0001m);
    }

    [Fact]
    public async Task VirtualKeysOwnBudget_SetByAnEditThenThresholdCrossedAndManyMoreCalls_OneWebhookPostNamingTheKey()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/alerts/");
        listener.Start();
        var bodies = new List<string>();
        var receiving = Receive(listener, bodies);

        // The tenant has no budget; the key gets one after creation. Outputs are reserved at 16 tokens so a call fits in it.
        await using var rig = await ConsoleRig.StartAsync($$"""
            listen:
              probes: 127.0.0.1:0
            admin:
              credentials: ["{{ApiKeyHash.Format(ConsoleRig.AdminToken)}}"]
            limits:
              alert_webhook: http://127.0.0.1:{{port}}/alerts/budget
              default_max_output_tokens: 16
            tenants:
              - id: team-a
                api_keys: ["{{ApiKeyHash.Format(Key)}}"]
                models: [chat]
            providers:
              - { name: mock, kind: mock }
            models:
              - { name: chat, targets: [ { provider: mock, model: mock } ] }
            prices:
              chat: { input: 1, output: 1 }
              mock: { input: 1, output: 1 }
            ledger:
              path: {{Path.Combine(_dir, "ledger.jsonl")}}
            """);
        var (id, secret) = await rig.CreateKeyAsync("team-a", "budgeted");
        using (var edited = await rig.Admin.PatchAsync(
            new Uri($"/admin/v1/keys/{id}", UriKind.Relative),
            new StringContent("{\"budget\":{\"per_day_usd\":0.0004,\"alert_at\":0.25}}", System.Text.Encoding.UTF8, "application/json"),
            Ct))
        {
            Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        }

        for (var i = 0; i < 12; i++)
        {
            Assert.Null(await rig.CallAsync(secret));
        }

        // The tenant's own key spends no key budget: no alert of its own.
        Assert.Null(await rig.CallAsync(Key));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && Count(bodies) == 0)
        {
            await Task.Delay(50, Ct);
        }

        await Task.Delay(500, Ct); // a second post, if one were coming, arrives in this time
        listener.Stop();
        await receiving;

        var body = Assert.Single(bodies);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("team-a", json.GetProperty("tenant").GetString());
        Assert.Equal(id, json.GetProperty("key").GetString());
        Assert.Equal("daily", json.GetProperty("period").GetString());
        Assert.Equal(0.0004m, json.GetProperty("budget_usd").GetDecimal());
        Assert.True(json.GetProperty("spent_usd").GetDecimal() >= 0.0001m);
    }

    private static Task Receive(HttpListener listener, List<string> bodies) => Task.Run(async () =>
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var body = await reader.ReadToEndAsync(Ct);
                lock (bodies)
                {
                    bodies.Add(body);
                }
            }

            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }, Ct);

    private static int Count(List<string> bodies)
    {
        lock (bodies)
        {
            return bodies.Count;
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
