using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Sidecar.Capture;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds opt-in capture of redacted prompts and answers (<c>capture:</c>), read through the admin API.</summary>
internal static class CaptureGatewayBuilderExtensions
{
    /// <summary>Binds <c>capture:</c>, keeps captures in a bounded in-memory ring and adds the capture step
    /// (<see cref="InferenceStepOrder.Capture"/>). Needs <c>AddLimits()</c> (the call id is the ledger's) and <c>AddAdmin()</c>
    /// (captures are read through the admin API).</summary>
    public static IMeshGatewayBuilder AddCapture(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddCapture)))
        {
            builder.Requires(nameof(AddCapture), "AddLimits");
            builder.Requires(nameof(AddCapture), "AddAdmin");
            var services = builder.Services;
            var options = builder.Configuration.GetSection(CaptureOptions.SectionName).Get<CaptureOptions>() ?? new CaptureOptions();
            services.TryAddValidator<CaptureOptions, CaptureOptionsValidator>();
            services.AddBoundOptions(options);
            services.AddSingleton(static sp =>
            {
                var store = sp.GetRequiredService<CaptureOptions>().Store;
                return new CaptureStore(store.MaxEntries, store.MaxBytes, sp.GetRequiredService<TimeProvider>());
            });

            // Off (the default): no step at all, so no call pays for it (capture is read at start; a change needs a restart).
            if (options.Enabled)
            {
                services.AddInferenceStep(InferenceStepOrder.Capture, static sp => new CaptureStep(
                    sp.GetRequiredService<CaptureOptions>(), sp.GetRequiredService<CaptureStore>(), sp.GetRequiredService<TimeProvider>()));
            }
        }

        return builder;
    }
}
