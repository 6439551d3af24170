using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mesh.Gateway.Api.Telemetry;

/// <summary>Registers OpenTelemetry: the gateway's GenAI spans and metrics beside ASP.NET Core, gRPC, HttpClient and runtime instrumentation, exported over OTLP.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The ASP.NET Core instrumentation's switch for gRPC server spans (<c>rpc.system</c>, <c>rpc.method</c>, <c>rpc.grpc.status_code</c>,
    /// read from Grpc.AspNetCore's request tags). In 1.21 it is an experimental flag read from <see cref="IConfiguration"/> only.
    /// </summary>
    public const string GrpcInstrumentationSwitch = "OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_ENABLE_GRPC_INSTRUMENTATION";

    /// <summary>
    /// Binds <c>telemetry:</c> and adds OpenTelemetry (<c>AddOpenTelemetry()</c>) with one resource (<c>service.name</c> from
    /// <c>telemetry.service_name</c>), the Mesh.Gateway source and meter, and the ASP.NET Core (gRPC on), HttpClient and runtime
    /// instrumentation, exported over OTLP to <c>telemetry.otlp_endpoint</c>, else <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>. With no
    /// endpoint no span is listened to and nothing is sent. The endpoint and protocol follow each configuration version
    /// (<see cref="TelemetryExports"/>); the service name and the metrics interval are read at start. Throws naming the key when
    /// the section is invalid.
    /// </summary>
    /// <remarks>
    /// When <paramref name="configuration"/> is the host's configuration builder (as in the sidecar), the gRPC switch is set in it,
    /// unless the configuration already says otherwise.
    /// </remarks>
    public static IServiceCollection AddMeshTelemetry(this IServiceCollection services, IConfiguration configuration, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        environment ??= Environment.GetEnvironmentVariable;
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        services.AddConfigurationSection(TelemetryOptions.SectionName, ConfigurationNode.Of<TelemetryOptions>(), "OpenTelemetry export over OTLP (traces and metrics).");
        var errors = new List<string>();
        var (endpointText, endpointKey) = options.OtlpEndpoint is { Length: > 0 } configured
            ? (configured, "telemetry.otlp_endpoint")
            : (environment("OTEL_EXPORTER_OTLP_ENDPOINT"), "OTEL_EXPORTER_OTLP_ENDPOINT");
        var protocolText = options.OtlpProtocol ?? environment("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "grpc";
        OtlpExportProtocol protocol = default;
        switch (protocolText)
        {
            case "grpc":
                protocol = OtlpExportProtocol.Grpc;
                break;
            case "http/protobuf":
                protocol = OtlpExportProtocol.HttpProtobuf;
                break;
            default:
                errors.Add($"telemetry.otlp_protocol: must be grpc or http/protobuf (was '{protocolText}')");
                break;
        }

        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(endpointText)
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            errors.Add($"{endpointKey}: must be an absolute http or https URL (was '{endpointText}')");
        }

        if (options.MetricsIntervalMs <= 0)
        {
            errors.Add($"telemetry.metrics_interval_ms: must be positive (was {options.MetricsIntervalMs})");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            errors.Add("telemetry.service_name: must not be empty");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid telemetry configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        // Registered whether or not there is an endpoint, so a reload can add, move or remove it (TelemetryExports).
        services.AddSingleton(new TelemetryExportTarget(endpoint, protocol));
        services.AddHostedService(static sp => new TelemetryExports.Reloader(sp.GetService<ConfigurationVersions>(), sp.GetRequiredService<TelemetryExports>()));
        if (configuration is IConfigurationBuilder builder && configuration[GrpcInstrumentationSwitch] is null)
        {
            builder.AddInMemoryCollection([new(GrpcInstrumentationSwitch, "true")]);
        }

        // Traces and metrics each get a provider of their own, built while there is an endpoint and disposed when it goes (with
        // none, nothing listens, as before), so /metrics (the admin feature's Prometheus reader on the host's OpenTelemetry
        // builder) shows the gateway's meter alone whether or not OTLP is on. Both carry one resource (the same
        // service.instance.id); the trace instrumentation reads the host's configuration (the gRPC switch).
        var instance = Guid.NewGuid().ToString();
        void Resource(ResourceBuilder resource) => resource.AddService(options.ServiceName, autoGenerateServiceInstanceId: false, serviceInstanceId: instance);
        services.TryAddSingleton(sp => new TelemetryExports(
            sp.GetRequiredService<TelemetryExportTarget>(),
            processor => Sdk.CreateTracerProviderBuilder()
                .ConfigureServices(s => s.AddSingleton(configuration))
                .ConfigureResource(Resource)
                .AddSource(GatewayTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddProcessor(processor)
                .Build(),
            exporter => Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(Resource)
                .AddMeter(GatewayTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddReader(new PeriodicExportingMetricReader(exporter, options.MetricsIntervalMs))
                .Build()));
        return services;
    }
}
