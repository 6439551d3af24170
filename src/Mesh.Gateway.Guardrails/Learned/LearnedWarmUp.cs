using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Guardrails.Configuration;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Guardrails.Learned;

/// <summary>
/// Loads the sentence encoder at start when a policy turns the learned detectors on, so the first guarded call does not wait
/// for the model (about a second or more on one core). The host awaits <see cref="StartAsync"/> before it reports started,
/// so readiness (<c>/readyz</c>, gRPC health) waits for the model too. With the learned layer off nothing loads.
/// </summary>
/// <remarks>
/// The encoder is the one <see cref="ITextEncoder"/> singleton the semantic cache also resolves, so the model is loaded
/// once per process whichever feature asks first. A reload that turns the layer on later loads it on its first call.
/// </remarks>
internal sealed class LearnedWarmUp(GuardrailsOptions options, ITextEncoder? encoder) : IHostedService
{
    /// <summary>Whether the last start loaded the model (for tests).</summary>
    internal bool WarmedUp { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (encoder is null || !AnyLearned(options))
        {
            return;
        }

        // Off the host's thread: loading the ONNX model and the first inference are CPU work.
        await Task.Run(() => encoder.Encode("warm up the sentence encoder", cancellationToken), cancellationToken).ConfigureAwait(false);
        WarmedUp = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static bool AnyLearned(GuardrailsOptions options) =>
        options.DefaultPolicy.Learned.Enabled || options.Policies.Values.Any(static p => p.Learned.Enabled);
}
