using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>The guardrails engine behind the Envoy door: request texts inspected as Input, responses streamed as Output,
/// with the configured default policy (<c>guardrails:</c>).</summary>
internal sealed class GuardrailsEnvoyGuard : IEnvoyGuard
{
    private readonly IGuardrailEngine _engine;
    private readonly GuardPolicy _policy;

    public GuardrailsEnvoyGuard(IGuardrailEngine engine, GuardPolicy policy)
    {
        _engine = engine;
        _policy = policy;
    }

    public bool InspectsRequests => true;

    public bool InspectsResponses => true;

    public GuardCheck InspectRequest(string text) => Map(_engine.Inspect(text, GuardDirection.Input, _policy), text);

    public GuardCheck InspectResponse(string text) => Map(_engine.Inspect(text, GuardDirection.Output, _policy), text);

    public IEnvoyStreamGuard CreateResponseStream() => new Stream(_engine.CreateStream(_policy, GuardDirection.Output));

    private static GuardCheck Map(GuardResult result, string text) => result.Verdict switch
    {
        GuardVerdict.Block => new GuardCheck(true, result.BlockReason ?? "The request was blocked by the gateway's content policy.", text, false),
        GuardVerdict.Redacted => new GuardCheck(false, null, result.RedactedText, result.RedactedText != text),
        _ => GuardCheck.Pass(text),
    };

    private sealed class Stream(StreamingRedactor redactor) : IEnvoyStreamGuard
    {
        public StreamGuardOutput Push(string delta)
        {
            var output = redactor.Push(delta);
            return new StreamGuardOutput(output.Text, output.Stopped);
        }

        public StreamGuardOutput Complete()
        {
            var output = redactor.Complete();
            return new StreamGuardOutput(output.Text, output.Stopped);
        }
    }
}
