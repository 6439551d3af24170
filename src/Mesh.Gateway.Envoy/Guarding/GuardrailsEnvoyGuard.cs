using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>The guardrails engine behind the Envoy door: request texts inspected as Input, responses streamed as Output,
/// with the default policy (<c>guardrails:</c>) or, once the tenant is known, the tenant's own.</summary>
/// <remarks>Per-tenant selection is the guardrails feature's (<see cref="GuardrailsOptions.Resolve"/>), the same the Guard API
/// uses: <c>guardrails.tenants.ID.policy</c> names one of <c>guardrails.policies</c>, and <c>hash_key</c> applies. One guard per
/// configured tenant is built up front (the options are immutable; a reload builds a new door).</remarks>
internal sealed class GuardrailsEnvoyGuard : IEnvoyGuard
{
    private readonly IGuardrailEngine _engine;
    private readonly GuardPolicy _policy;
    private readonly Dictionary<string, GuardrailsEnvoyGuard> _tenants;

    public GuardrailsEnvoyGuard(IGuardrailEngine engine, GuardPolicy policy)
    {
        _engine = engine;
        _policy = policy;
        _tenants = new Dictionary<string, GuardrailsEnvoyGuard>(StringComparer.Ordinal);
    }

    public GuardrailsEnvoyGuard(IGuardrailEngine engine, GuardrailsOptions options)
        : this(engine, options.DefaultPolicy)
    {
        foreach (var tenant in options.Tenants.Keys)
        {
            // Resolve cannot return null without a policy name (the reader refused unknown names at start).
            var policy = options.Resolve(policyName: null, tenantId: tenant) ?? options.DefaultPolicy;
            if (!ReferenceEquals(policy, _policy))
            {
                _tenants[tenant] = new GuardrailsEnvoyGuard(engine, policy);
            }
        }
    }

    /// <summary>The policy this guard applies (tests, diagnostics).</summary>
    public GuardPolicy Policy => _policy;

    public bool InspectsRequests => true;

    public bool InspectsResponses => true;

    public IEnvoyGuard ForTenant(string tenantId) => _tenants.GetValueOrDefault(tenantId) ?? this;

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
