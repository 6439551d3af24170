using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Sidecar.Capture;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds opt-in capture of redacted prompts and answers (<c>capture:</c>), read through the admin API.</summary>
internal static class CaptureGatewayBuilderExtensions
{
    /// <summary>Binds <c>capture:</c>, keeps captures in a bounded in-memory ring and adds the capture step
    /// (<see cref="InferenceStepOrder.Capture"/>); with <c>capture.store.kind: redis</c>, captures go to <c>store.redis</c>. Needs <c>AddLimits()</c> (the call id is the ledger's) and <c>AddAdmin()</c>
    /// (captures are read through the admin API).</summary>
    // capture.store's keys are read by reflection through CaptureOptions.Store's type (ConfigurationSchemaReflector), which
    // the native build's trimmer cannot follow: kept here (NestedOptionsKeptTests).
    [System.Diagnostics.CodeAnalysis.DynamicDependency(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicProperties | System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(CaptureStoreOptions))]
    public static IMeshGatewayBuilder AddCapture(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddCapture)))
        {
            builder.Requires(nameof(AddCapture), "AddLimits");
            builder.Requires(nameof(AddCapture), "AddAdmin");
            var services = builder.Services;
            var options = builder.Configuration.GetSection(CaptureOptions.SectionName).Get<CaptureOptions>() ?? new CaptureOptions();
            var storeRedis = !string.IsNullOrEmpty(builder.Configuration["store:redis"]);
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CaptureOptions>>(new CaptureOptionsValidator(storeRedis)));
            services.AddBoundOptions(options);
            services.AddSingleton(static sp =>
            {
                var store = sp.GetRequiredService<CaptureOptions>().Store;
                return new CaptureStore(store.MaxEntries, store.MaxBytes, sp.GetRequiredService<TimeProvider>());
            });
            if (options.Enabled && CaptureStoreOptions.IsRedis(options.Store.Kind) && storeRedis)
            {
                // The fleet's captures, on the limits' Redis connection (store.redis); written off the call's path.
                services.AddSingleton(static sp =>
                {
                    var capture = sp.GetRequiredService<CaptureOptions>();
                    var connector = sp.GetRequiredService<RedisConnector>();
                    return new RedisCaptureStore(
                        () => connector.Database,
                        sp.GetRequiredService<LimitsOptions>().Store.KeyPrefix,
                        CaptureRetention.TryParse(capture.Retention, out var retention) ? retention : TimeSpan.FromHours(24),
                        capture.Store.MaxEntries,
                        capture.Store.MaxBytes,
                        sp.GetRequiredService<TimeProvider>(),
                        sp.GetService<ILoggerFactory>()?.CreateLogger("Mesh.Gateway.Sidecar.Capture") ?? NullLogger.Instance);
                });
                services.AddHostedService(static sp => sp.GetRequiredService<RedisCaptureStore>());
                services.AddSingleton<ICaptureStore>(static sp => sp.GetRequiredService<RedisCaptureStore>());
            }
            else
            {
                services.AddSingleton<ICaptureStore>(static sp => sp.GetRequiredService<CaptureStore>());
            }

            // Off (the default): no step at all, so no call pays for it (capture is read at start; a change needs a restart).
            if (options.Enabled)
            {
                services.AddInferenceStep(InferenceStepOrder.Capture, static sp => new CaptureStep(
                    sp.GetRequiredService<CaptureOptions>(), sp.GetRequiredService<ICaptureStore>(), sp.GetRequiredService<TimeProvider>()));
            }
        }

        return builder;
    }
}
