using Mesh.Gateway.Api.Inference;
using Mesh.Gateway.Api.Prompts;
using Mesh.Gateway.Http;
using Mesh.Gateway.Sidecar.Admin;
using Mesh.Gateway.Sidecar.Capture;
using Mesh.Gateway.Sidecar.Console;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar;

/// <summary>
/// Where each feature joins the sidecar: its top-level configuration section, its services, its endpoints.
/// One line per feature in each region; the feature binds and validates its own section.
/// </summary>
internal static class SidecarFeatures
{
    /// <summary>Top-level keys the configuration file may hold; any other key stops the start.</summary>
    public static readonly IReadOnlyList<string> Sections =
    [
        // The host (HostSettings).
        "listen",
        "shutdown",
        "logging",
        "grpc",

        // Features: add your section here.
        "store", // limits: where counters live (redis://...)
        "prices", // limits: model prices for budgets
        "limits", // limits: defaults
        "ledger", // limits: the usage ledger
        "providers",
        "models",
        "telemetry",
        "tenants",
        "auth",
        "envoy",
        "guardrails",
        "prompts", // prompt templates and decorators
        "http", // the HTTP door (listen.http places it)
        "cache", // the response cache (exact and semantic)
        "sentence_encoder", // the local sentence encoder (semantic cache, learned guardrails): precision, windows
        "admin", // the console and admin API: credentials, recent calls kept
        "capture", // opt-in capture of redacted prompts and answers (off by default)
    ];

    /// <summary>Registers every feature's services; each binds its own section of <paramref name="configuration"/> once, and
    /// one that needs a feature not added here stops the start with one line naming it.</summary>
    public static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Features: one call each. The order of the pipeline's steps is InferenceStepOrder's, not this one.
        services.AddMeshGateway(configuration)
            .AddProviders()
            .AddTenancy()
            .AddLimits()
            .AddGuardrails()
            .AddTelemetry()
            .AddInferenceApi()
            .AddGuardApi()
            .AddPrompts()
            .AddEnvoyDoor()
            .AddHttpDoor()
            .AddSentenceEncoder()
            .AddResponseCache()
            .AddAdmin()
            .AddCapture()
            .AddMetrics();
    }

    /// <summary>Maps every feature's gRPC services; they are served on the gRPC listener.</summary>
    public static void MapGrpcServices(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Features: one line each, e.g. app.MapMeshInference();
        app.MapMeshInference();
        app.MapMeshGuardApi();
        app.MapMeshPrompts();
    }

    /// <summary>Maps the Envoy door (ext_authz, ext_proc); served on the Envoy listener only, never where the app can call it.</summary>
    public static void MapEnvoyServices(IEndpointRouteBuilder envoy)
    {
        ArgumentNullException.ThrowIfNull(envoy);
        envoy.MapMeshEnvoy();
    }

    /// <summary>Maps the HTTP door (OpenAI- and Anthropic-compatible REST); served on the HTTP listener only.</summary>
    public static void MapHttpEndpoints(IEndpointRouteBuilder http)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.MapMeshHttpDoor();
        http.MapMeshPromptCompletions();
    }

    /// <summary>Maps every feature's admin HTTP endpoints; they are served on the admin listener only.</summary>
    public static void MapAdminEndpoints(IEndpointRouteBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);

        // Features: one line each, e.g. admin.MapUsageEndpoints();
        admin.MapResponseCacheAdmin(AdminCredentials.RequireOperator);
        admin.MapAdminApi();
        admin.MapPromptAdminApi();
        admin.MapCaptureEndpoints();
        admin.MapConsole();
        admin.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(ProbesEndpointMetadata.Instance);
    }
}
