using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;

namespace Mesh.Gateway.Api.Telemetry;

/// <summary>Registers OTLP export of the gateway's spans and metrics.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>telemetry:</c> and, when an endpoint is configured (<c>telemetry.otlp_endpoint</c>, else <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>),
    /// exports the Mesh.Gateway spans and metrics over OTLP. Nothing is exported otherwise. Throws naming the key when invalid.
    /// </summary>
    public static IServiceCollection AddMeshTelemetry(this IServiceCollection services, IConfiguration configuration, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        environment ??= Environment.GetEnvironmentVariable;
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
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

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid telemetry configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        if (endpoint is not null)
        {
            services.AddSingleton<IHostedService>(new OtlpExportService(options, endpoint, protocol));
        }

        return services;
    }
}
