namespace Mesh.Gateway.Guardrails;

/// <summary>
/// The guardrail engine: PII and secret redaction, prompt-injection scoring and moderation over one text,
/// or over a stream of text deltas through <see cref="CreateStream"/>.
/// </summary>
/// <remarks>Thread-safe; register once (<c>services.AddMeshGuardrails(configuration)</c>).</remarks>
public interface IGuardrailEngine
{
    /// <summary>Inspects <paramref name="text"/> with the local detectors only (no I/O).</summary>
    /// <param name="text">The text to inspect.</param>
    /// <param name="direction">Where the text comes from.</param>
    /// <param name="policy">The policy to apply.</param>
    /// <param name="vault">The tokenization vault of this conversation; one is created when the policy tokenizes and none is given.</param>
    GuardResult Inspect(string text, GuardDirection direction, GuardPolicy policy, GuardTokenVault? vault = null);

    /// <summary>
    /// As <see cref="Inspect(string, GuardDirection, GuardPolicy, GuardTokenVault?)"/>, with the text's sentence vector taken from
    /// <paramref name="embed"/> when the policy's learned detectors need one (so a call encodes its prompt once, for the
    /// guardrails and the semantic cache alike). Engines without learned detectors ignore it.
    /// </summary>
    GuardResult Inspect(string text, GuardDirection direction, GuardPolicy policy, GuardTokenVault? vault, Func<string, float[]>? embed) =>
        Inspect(text, direction, policy, vault);

    /// <summary>Inspects <paramref name="text"/> with the local detectors, then consults the policy's remote classifiers where configured.</summary>
    ValueTask<GuardResult> InspectAsync(string text, GuardDirection direction, GuardPolicy policy, GuardTokenVault? vault = null, CancellationToken cancellationToken = default);

    /// <summary>Creates a redactor for one streamed text (for example the deltas of one choice of a streamed completion).</summary>
    /// <param name="policy">The policy to apply.</param>
    /// <param name="direction">Usually <see cref="GuardDirection.Output"/>.</param>
    /// <param name="vault">The vault filled on the request side: its placeholders are restored in the stream.</param>
    StreamingRedactor CreateStream(GuardPolicy policy, GuardDirection direction = GuardDirection.Output, GuardTokenVault? vault = null);
}
