using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Envoy.Configuration;
using Mesh.Gateway.Envoy.Guarding;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tokens;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

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

    public static ExtProcDependencies Deps(IEnvoyGuard? guard = null, RecordingAdmission? admission = null, EnvoyOptions? options = null, EnvoyPipeline? pipeline = null)
    {
        options ??= new EnvoyOptions();
        return new ExtProcDependencies(options, Evaluator(options), guard ?? new TestGuard(), ApproximateTokenCounter.Instance,
            admission, TimeProvider.System, NullLogger.Instance)
        {
            Pipeline = pipeline ?? EnvoyPipeline.Empty,
        };
    }

    /// <summary>The door's pipeline with the guardrails feature's steps, as the sidecar registers them (<c>AddGuardrails()</c>),
    /// on <paramref name="guardrails"/> (<c>guardrails:</c> keys).</summary>
    public static EnvoyPipeline GuardrailsPipeline(Dictionary<string, string?> guardrails)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(guardrails).Build();
        var services = new ServiceCollection();
        services.AddMeshInferenceGuardrails(configuration);
        return EnvoyPipeline.From(services.BuildServiceProvider());
    }
}
