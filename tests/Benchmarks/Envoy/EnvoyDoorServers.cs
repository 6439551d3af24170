using Mesh.Gateway.Providers;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>The two servers the Envoy door load run compares, each in its own process so its CPU time is its own: the
/// gateway's ext_authz + ext_proc (as the sidecar registers them) and a trivial echo, on the same gRPC layer and Kestrel setup.</summary>
internal static class EnvoyDoorServers
{
    public const string GatewayKey = "mgw-bench-key";

    /// <summary>The sidecar configuration the gateway server runs with: one tenant, email and card redaction as the issue
    /// writes it (the guardrails' own defaults add prompt-injection and moderation scoring), or with only the PII redaction.</summary>
    public static Dictionary<string, string?> Configuration(bool piiOnly = false)
    {
        var configuration = Base();
        if (piiOnly)
        {
            configuration["guardrails:injection:enabled"] = "false";
            configuration["guardrails:moderation:enabled"] = "false";
        }

        return configuration;
    }

    private static Dictionary<string, string?> Base() => new()
    {
        ["tenants:0:id"] = "team-a",
        ["tenants:0:api_keys:0"] = ApiKeyHash.Format(GatewayKey),
        ["tenants:0:models:0"] = "gpt-4o-mini",
        ["guardrails:pii:action"] = "redact",
        ["guardrails:pii:entities:0"] = "email",
        ["guardrails:pii:entities:1"] = "credit_card",
        ["envoy:metadata_namespace"] = "mesh.gateway",
        ["providers:0:name"] = "openai",
        ["providers:0:kind"] = "openai",
        ["providers:0:api_key"] = "sk-bench-not-a-key",
    };

    /// <summary>Serves on 127.0.0.1:<paramref name="port"/>; with port 0, prints <c>PORT n</c> and runs until stdin closes,
    /// otherwise until it is stopped (SIGTERM).</summary>
    public static int Run(string kind, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Configuration(piiOnly: kind == "gateway-pii")).Build();
        var gateway = kind.StartsWith("gateway", StringComparison.Ordinal);
        if (gateway)
        {
            builder.Services.AddMeshProviders(configuration);
            builder.Services.AddMeshTenancy(configuration);
            // As the sidecar's AddGuardrails(): the engine and its pipeline steps (the request's run on this door as a step).
            builder.Services.AddMeshInferenceGuardrails(configuration);
            // As the sidecar's AddLimits(): the limits step admits, settles and records each call (no limits configured, the
            // ledger kept nowhere).
            builder.Services.AddSingleton<Mesh.Gateway.Tenancy.Ledger.IUsageLedger>(NullLedger.Instance);
            builder.Services.AddSingleton(new Mesh.Gateway.Core.Routing.RoutingTableHolder(Mesh.Gateway.Core.Routing.RoutingTable.Create(new Mesh.Gateway.Core.Routing.ModelsOptions(), ["openai"])));
            builder.Services.AddMeshLimits(configuration);
            builder.Services.AddMeshEnvoy(configuration);
        }
        else
        {
            builder.Services.AddGrpc();
        }

        var app = builder.Build();
        if (gateway)
        {
            app.MapMeshEnvoy();
        }
        else
        {
            app.MapGrpcService<EchoExternalProcessor>();
            app.MapGrpcService<EchoAuthorization>();
        }

        if (Environment.GetEnvironmentVariable("MESH_BENCH_GC_LOG") == "1")
        {
            // Diagnostics for the load runs: one line per second in which a collection happened (unix ms, collections by
            // generation, pause time in that second, heap size), to line up with the latency log's stalls.
            _ = Task.Run(async () => await LogCollectionsAsync().ConfigureAwait(false));
        }

        if (port != 0)
        {
            app.Run();
            return 0;
        }

        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine("PORT " + new Uri(address).Port);
        Console.Out.Flush();
        // The driver closes our stdin when it is done (or dies).
        Console.In.ReadToEnd();
        app.StopAsync().GetAwaiter().GetResult();
        return 0;
    }

    private static async Task LogCollectionsAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var (g0, g1, g2, pause) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            var now = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
            if (now.Item1 != g0)
            {
                Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"gc {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} gen0 +{now.Item1 - g0} gen1 +{now.Item2 - g1} gen2 +{now.Item3 - g2} pause {(now.Item4 - pause).TotalMilliseconds:0.00} ms heap {GC.GetTotalMemory(false) >> 20} MiB"));
            }

            (g0, g1, g2, pause) = now;
        }
    }
}
