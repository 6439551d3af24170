using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Guardrails.Configuration;

/// <summary>
/// Refuses <c>learned.enabled</c> in a sidecar without a sentence encoder (no <c>AddSentenceEncoder</c>, or the native
/// build, which leaves ONNX Runtime and the model out): at start and on reload, with each policy's key, instead of a
/// failure on the first guarded call.
/// </summary>
internal sealed class LearnedNeedsEncoderValidator(bool hasEncoder) : IValidateOptions<GuardrailsOptions>
{
    /// <summary>What the operator reads after the key.</summary>
    public const string Message = "the learned detectors need the local sentence encoder, which this sidecar does not have "
        + "(the native build leaves ONNX Runtime and all-MiniLM-L6-v2 out; a host adds it with AddSentenceEncoder()): "
        + "turn the learned layer off, or run the JIT build (or publish with -p:MeshEmbeddings=true)";

    public ValidateOptionsResult Validate(string? name, GuardrailsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (hasEncoder)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (options.DefaultPolicy.Learned.Enabled)
        {
            errors.Add($"guardrails.learned.enabled: {Message}");
        }

        foreach (var (policy, settings) in options.Policies)
        {
            // A policy inherits the default's learned section: the default's line already names the fix.
            if (settings.Learned.Enabled && !options.DefaultPolicy.Learned.Enabled)
            {
                errors.Add($"guardrails.policies.{policy}.learned.enabled: {Message}");
            }
        }

        return MeshOptions.Result(errors);
    }
}
