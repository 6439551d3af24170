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
        var redactor = engine.CreateStream(policy, GuardDirection.Output, vault);
        var head = redactor.Push(text);
        if (head.Stopped)
        {
            return head;
        }

        var tail = redactor.Complete();
        return head.Text.Length == 0 ? tail : tail with { Text = head.Text + tail.Text, Findings = [.. head.Findings, .. tail.Findings] };
    }
}
