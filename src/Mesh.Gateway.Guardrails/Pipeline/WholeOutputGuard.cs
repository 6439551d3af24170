namespace Mesh.Gateway.Guardrails.Pipeline;

/// <summary>Guards a whole (not streamed) output text exactly as a stream of it would be: redacted, placeholders restored, cut at a blocking finding.</summary>
/// <remarks>Both doors use it for whole responses, so a buffered answer and a streamed one end the same way.</remarks>
public static class WholeOutputGuard
{
    /// <summary>The text the caller may receive (<see cref="StreamingOutput.Stopped"/> when a blocking finding cut it).</summary>
    public static StreamingOutput Inspect(IGuardrailEngine engine, GuardPolicy policy, GuardTokenVault? vault, string text)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(text);
        return engine.CreateStream(policy, GuardDirection.Output, vault).Complete(text);
    }
}
