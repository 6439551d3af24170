using System.Globalization;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Ledger;

/// <summary>The OTLP-logs and PostgreSQL ledger sinks, configured as users do (<c>ledger:</c>), fed by real calls through the limits step.</summary>
public sealed class LedgerSinksTests
{
    private const int Calls = 40;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OtlpEndpoint_CallsThenStop_OneLogRecordPerCallWithItsUsage()
    {
        await using var otlp = await OtlpReceiver.StartAsync(Ct);

        var expected = await RunCallsAsync(new() { ["ledger:otlp_endpoint"] = otlp.BaseUrl.AbsoluteUri });

        var logs = otlp.Logs.Where(static l => l.Body == "mesh.usage").ToList();
        Assert.Equal(Calls, logs.Count);
        Assert.Contains("/v1/logs", otlp.Requests.Select(static r => r.Path));
        Assert.All(logs, static l =>
        {
            Assert.Equal("acme", l.Attributes["tenant_id"]);
            Assert.Equal("key-1", l.Attributes["key_id"]);
            Assert.Equal("ok", l.Attributes["status"]);
            Assert.Equal("mesh-gateway", l.Resource["service.name"]);
        });
        Assert.Equal(expected.Input, logs.Sum(static l => (long)l.Attributes["input_tokens"]!));
        Assert.Equal(expected.Output, logs.Sum(static l => (long)l.Attributes["output_tokens"]!));
        Assert.Equal(expected.Cost, logs.Sum(static l => decimal.Parse((string)l.Attributes["cost_usd"]!, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Postgres_CallsThenStop_OneRowPerCallWithItsUsage()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            // The operator's own table (the sink creates it only when missing).
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand(PostgresLedgerSink.CreateTableSql("ledger.usage").Replace("CREATE TABLE", "CREATE SCHEMA ledger; CREATE TABLE", StringComparison.Ordinal), connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        var expected = await RunCallsAsync(new() { ["ledger:postgres"] = postgres.ConnectionString, ["ledger:postgres_table"] = "ledger.usage" });

        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var query = new NpgsqlCommand(
                "SELECT count(*), sum(input_tokens), sum(output_tokens), sum(cost_usd), count(DISTINCT request_id), min(tenant_id), min(key_id), min(status) FROM ledger.usage", connection);
            await using var reader = await query.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            Assert.Equal(Calls, reader.GetInt64(0));
            Assert.Equal(expected.Input, reader.GetDecimal(1));
            Assert.Equal(expected.Output, reader.GetDecimal(2));
            Assert.Equal(expected.Cost, reader.GetDecimal(3));
            Assert.Equal(Calls, reader.GetInt64(4));
            Assert.Equal(("acme", "key-1", "ok"), (reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }
    }

    [Fact]
    public async Task Postgres_TableOfAnEarlierVersion_GainsTheNewColumnsAndTakesRows()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            // The table as earlier versions created it: no unreported_reason, no tokens_estimated.
            await connection.OpenAsync(Ct);
            var earlier = PostgresLedgerSink.CreateTableSql("usage_v1").Replace(
                ",\n    unreported_reason text,\n    tokens_estimated boolean NOT NULL DEFAULT false", string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain("unreported_reason", earlier, StringComparison.Ordinal);
            await using var create = new NpgsqlCommand(earlier, connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        await RunCallsAsync(new() { ["ledger:postgres"] = postgres.ConnectionString, ["ledger:postgres_table"] = "usage_v1" });

        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var query = new NpgsqlCommand("SELECT count(*), count(*) FILTER (WHERE tokens_estimated) FROM usage_v1", connection);
            await using var reader = await query.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            Assert.Equal((Calls, 0L), (reader.GetInt64(0), reader.GetInt64(1)));
        }
    }

    [Fact]
    public void AddMeshLimits_BadSinkSettings_ErrorsNameTheKeys()
    {
        var configuration = Configuration(new()
        {
            ["ledger:otlp_endpoint"] = "collector:4318",
            ["ledger:otlp_protocol"] = "thrift",
            ["ledger:postgres"] = "Hots=db",
            ["ledger:postgres_table"] = "usage; DROP TABLE x",
        });

        using var provider = new ServiceCollection().AddMeshLimits(configuration).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LimitsOptions>());

        Assert.Contains("ledger.otlp_endpoint: must be an absolute http:// or https:// URL (was 'collector:4318')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ledger.otlp_protocol: must be http/protobuf or grpc (was 'thrift')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ledger.postgres: not a valid connection string", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ledger.postgres_table: must be a table name", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs <see cref="Calls"/> calls through the registered limits step, then stops the host's services (as SIGTERM does).</summary>
    private static async Task<(long Input, long Output, decimal Cost)> RunCallsAsync(Dictionary<string, string?> ledger)
    {
        ledger["ledger:path"] = string.Empty;
        ledger["tenants:0:id"] = "acme";
        ledger["tenants:0:limits:tokens_per_minute"] = "100000000";
        // The limits step counts prompts as the routing table's target would (here: no aliases, the default mock route).
        await using var provider = new ServiceCollection().AddLogging().AddMeshLimits(Configuration(ledger))
            .AddSingleton(new RoutingTableHolder(RoutingTable.Create(new ModelsOptions(), ["mock"])))
            .BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(Ct);
        }

        var prices = provider.GetRequiredService<MeshLimiter>().Prices;
        var pipeline = provider.BuildInferencePipeline((context, _) =>
        {
            var seed = int.Parse(context.ChatRequest!.Messages[0].Text, CultureInfo.InvariantCulture);
            context.Usage = new ChatUsage { InputTokens = 10 + seed, OutputTokens = 3 * seed, CachedInputTokens = seed % 5 };
            return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = "ok", Provider = "openai", Model = "gpt-4o-mini", Usage = context.Usage }));
        });
        long input = 0, output = 0;
        var cost = 0m;
        for (var i = 0; i < Calls; i++)
        {
            var context = InferenceContext.ForChat(new ChatRequest { Model = "gpt-4o-mini", Messages = [ChatMessage.User(i.ToString(CultureInfo.InvariantCulture))] }, false, TimeProvider.System);
            context.Identity = new CallIdentity("acme", "key-1", CallIdentity.ApiKey);
            var result = await pipeline.ExecuteAsync(context, Ct);
            Assert.False(result.IsError);
            input += context.Usage!.InputTokens;
            output += context.Usage.OutputTokens;
            cost += prices.Cost("gpt-4o-mini", context.Usage);
        }

        hosted.Reverse();
        foreach (var service in hosted)
        {
            await service.StopAsync(Ct);
        }

        return (input, output, cost);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
