using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Sidecar.Admin;
using Mesh.Gateway.Sidecar.Console;
using Mesh.Gateway.Tenancy.Ledger;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the admin side of the sidecar: the console and admin API (<c>admin:</c>), and <c>/metrics</c>.</summary>
internal static class AdminGatewayBuilderExtensions
{
    /// <summary>The console and the admin API (<c>admin:</c>): virtual keys, call log, charts, spend, configuration in force; every
    /// request needs an admin credential. Needs <c>AddTenancy()</c> (keys) and <c>AddLimits()</c> (the ledger it reads).</summary>
    public static IMeshGatewayBuilder AddAdmin(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddAdmin)))
        {
            builder.Requires(nameof(AddAdmin), "AddTenancy");
            builder.Requires(nameof(AddAdmin), "AddLimits");
            var services = builder.Services;
            var options = builder.Configuration.GetSection(AdminOptions.SectionName).Get<AdminOptions>() ?? new AdminOptions();
            services.TryAddValidator<AdminOptions, AdminOptionsValidator>();
            services.AddBoundOptions(options);
            services.AddSingleton(static sp => new AdminCredentials(sp.GetRequiredService<ConfigurationVersions>()));
            services.AddHostedService(static sp => sp.GetRequiredService<AdminCredentials>());
            services.AddSingleton(sp => new RecentCalls(sp.GetRequiredService<AdminOptions>().RecentCalls));
            services.AddSingleton<ILedgerSink>(sp => sp.GetRequiredService<RecentCalls>());
            services.AddSingleton(sp => new OverheadSamples(Math.Max(1, sp.GetRequiredService<AdminOptions>().RecentCalls), sp.GetRequiredService<TimeProvider>()));
            services.AddHostedService(sp => sp.GetRequiredService<OverheadSamples>());
            services.AddHostedService(static sp => new RecentCallsReload(
                sp.GetRequiredService<ConfigurationVersions>(), sp.GetRequiredService<RecentCalls>(), sp.GetRequiredService<OverheadSamples>()));
        }

        return builder;
    }

    /// <summary><c>/metrics</c> in the Prometheus text format, from the same OpenTelemetry instruments as the OTLP export (the
    /// gateway's meter: GenAI names, overhead, guardrail findings, and whatever else records on it), each metric capped at
    /// <see cref="CardinalityLimit"/> label sets; and the runtime's own meter (<c>System.Runtime</c>: the process's working set
    /// and CPU time, GC heap sizes, collections and pauses, thread pool), so an operator sees what the sidecar costs its pod.
    /// The runtime's instruments are observed only when scraped.</summary>
    public static IMeshGatewayBuilder AddMetrics(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddMetrics)))
        {
            builder.Services.AddOpenTelemetry().WithMetrics(static metrics => metrics
                .AddMeter(GatewayTelemetry.Name, RuntimeMeterName)
                .AddView(static instrument => instrument.Meter.Name == GatewayTelemetry.Name ? new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit } : null)
                .AddPrometheusExporter(static prometheus => prometheus.DisableTotalNameSuffixForCounters = false));
        }

        return builder;
    }

    /// <summary>The runtime's built-in meter (.NET 9 and later): <c>dotnet.process.memory.working_set</c>, <c>dotnet.gc.*</c>, ...</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>Label sets kept per metric; beyond it the SDK folds new ones into one overflow series.</summary>
    public const int CardinalityLimit = 500;
}
