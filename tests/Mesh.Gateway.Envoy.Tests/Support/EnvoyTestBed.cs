using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Envoy.Configuration;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Limits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Mesh.Gateway.Core.Telemetry;

namespace Mesh.Gateway.Envoy.Tests.Support;

/// <summary>Tenants, keys and provider credentials shared by the Envoy tests.</summary>
internal static class EnvoyTestBed
{
    public const string KeyA = "mgw-team-a-key";
    public const string RevokedKey = "mgw-team-a-revoked";
    public const string OpenAIKey = "sk-real-openai";
    public const string AnthropicKey = "sk-ant-real";

    public static TenancyOptions Tenancy(JwtOptions? jwt = null) => new()
    {
        Tenants =
        [
            new TenantOptions
            {
                Id = "team-a",
                ApiKeys = [ApiKeyHash.Format(KeyA)],
                RevokedApiKeys = [ApiKeyHash.Format(RevokedKey)],
                Models = ["gpt-4o-mini", "claude-3-5-haiku-*", "gemini-2.0-flash", "text-embedding-3-small"],
            },
        ],
        Jwt = jwt,
    };

    public static ProviderCredentials Credentials() => new(new Dictionary<string, string>
    {
        ["openai"] = OpenAIKey,
        ["anthropic"] = AnthropicKey,
        ["gemini"] = "gem-real",
        ["azure-openai"] = "azure-real",
    });

    public static AccessEvaluator Evaluator(EnvoyOptions? options = null, TenancyOptions? tenancy = null, TimeProvider? time = null) =>
        new(TenancyServiceCollectionExtensions.Create(tenancy ?? Tenancy(), time ?? TimeProvider.System, NullLoggerFactory.Instance), Credentials(), options ?? new EnvoyOptions());

    public static ExtProcDependencies Deps(RecordingLedger? ledger = null, EnvoyOptions? options = null, EnvoyPipeline? pipeline = null, TimeProvider? time = null)
    {
        options ??= new EnvoyOptions();
        time ??= TimeProvider.System;
        return new ExtProcDependencies(options, Evaluator(options), time, NullLogger.Instance)
        {
            Pipeline = pipeline ?? Pipeline(new(), ledger, time),
            Telemetry = new Mesh.Gateway.Core.Telemetry.InferenceTelemetryStep(time),
        };
    }

    /// <summary><c>guardrails:</c> keys under which nothing reads the model's output: the response guardrails step lets the
    /// answer through as it comes (the door forwards it unchanged).</summary>
    public static Dictionary<string, string?> ResponsesUnguarded => new()
    {
        ["guardrails:pii:enabled"] = "false",
        ["guardrails:moderation:enabled"] = "false",
    };

    /// <summary>The door's pipeline with the guardrails feature's steps, as the sidecar registers them (<c>AddGuardrails()</c>),
    /// on <paramref name="guardrails"/> (<c>guardrails:</c> keys), and the limits step writing to <paramref name="ledger"/>.</summary>
    public static EnvoyPipeline GuardrailsPipeline(Dictionary<string, string?> guardrails, RecordingLedger? ledger = null) => Pipeline(guardrails, ledger);

    /// <summary>The door's pipeline as the sidecar registers it (<c>AddTenancy()</c>, <c>AddGuardrails()</c>, <c>AddLimits()</c>)
    /// on <paramref name="configuration"/> (<c>guardrails:</c>, <c>tenants:</c> keys; without tenants, <see cref="Tenancy"/>'s
    /// team-a), the ledger kept in <paramref name="ledger"/>, the steps' clock <paramref name="time"/>.</summary>
    public static EnvoyPipeline Pipeline(Dictionary<string, string?> configuration, RecordingLedger? ledger = null, TimeProvider? time = null)
    {
        var keys = new Dictionary<string, string?>(configuration);
        if (!keys.ContainsKey("tenants:0:id"))
        {
            keys["tenants:0:id"] = "team-a";
            keys["tenants:0:api_keys:0"] = ApiKeyHash.Format(KeyA);
            keys["tenants:0:models:0"] = "gpt-4o-mini";
            keys["tenants:0:models:1"] = "claude-3-5-haiku-*";
            keys["tenants:0:models:2"] = "gemini-2.0-flash";
            keys["tenants:0:models:3"] = "text-embedding-3-small";
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(keys).Build();
        var services = new ServiceCollection();
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddMeshTenancy(config);
        services.AddSingleton<IUsageLedger>(ledger ?? new RecordingLedger());
        services.AddSingleton(new RoutingTableHolder(RoutingTable.Create(new ModelsOptions(), [])));
        services.AddMeshInferenceGuardrails(config);
        services.AddMeshLimits(config);
        services.AddInferenceTelemetry();
        return EnvoyPipeline.From(services.BuildServiceProvider());
    }
}
