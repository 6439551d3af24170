using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Guardrails.Pipeline;

namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>The guardrails engine behind the Envoy door's responses (inspected as Output, whole or streamed), with the default
/// policy (<c>guardrails:</c>) or, once the tenant is known, the tenant's own. The request texts are the pipeline's
/// <c>RequestGuardrailsStep</c>'s, with the same selection.</summary>
/// <remarks>Per-tenant selection is the guardrails feature's (<see cref="GuardPolicySelector"/>), the same the gRPC door's
/// pipeline steps and the Guard API use: <c>guardrails.tenants.ID.policy</c> names one of <c>guardrails.policies</c>, and
/// <c>hash_key</c> applies. One guard per configured tenant is built up front (the options are immutable; a reload builds a
/// new door). A policy that tokenizes gets a guard of its own per call (<see cref="WithVault"/>) holding the request step's
/// vault, so the placeholders sent upstream are restored in the response.</remarks>
internal sealed class GuardrailsEnvoyGuard : IEnvoyGuard
{
    private readonly IGuardrailEngine _engine;
    private readonly GuardPolicy _policy;
    private readonly GuardTokenVault? _vault;
    private readonly Dictionary<string, GuardrailsEnvoyGuard> _tenants;

    public GuardrailsEnvoyGuard(IGuardrailEngine engine, GuardPolicy policy)
        : this(engine, policy, vault: null)
    {
    }

    public GuardrailsEnvoyGuard(IGuardrailEngine engine, GuardrailsOptions options)
        : this(engine, options.DefaultPolicy)
    {
        foreach (var tenant in options.Tenants.Keys)
        {
            var policy = GuardPolicySelector.For(options, tenant);
            if (!ReferenceEquals(policy, _policy))
            {
                _tenants[tenant] = new GuardrailsEnvoyGuard(engine, policy);
            }
        }
    }

    private GuardrailsEnvoyGuard(IGuardrailEngine engine, GuardPolicy policy, GuardTokenVault? vault)
    {
        _engine = engine;
        _policy = policy;
        _vault = vault;
        _tenants = new Dictionary<string, GuardrailsEnvoyGuard>(StringComparer.Ordinal);
    }

    /// <summary>The policy this guard applies (tests, diagnostics).</summary>
    public GuardPolicy Policy => _policy;

    public bool InspectsResponses => true;

    /// <remarks>Called once per ext_proc stream, when the tenant is known; a configured tenant's guard is built up front.</remarks>
    public IEnvoyGuard ForTenant(string tenantId) => _tenants.GetValueOrDefault(tenantId) ?? this;

    /// <remarks>A tokenizing policy's call: the request guardrails step put its placeholders in <paramref name="vault"/>.</remarks>
    public IEnvoyGuard WithVault(GuardTokenVault vault) => new GuardrailsEnvoyGuard(_engine, _policy, vault);

    // As a stream of the same text would be: redacted, placeholders restored, cut at a blocking finding (the gRPC door's
    // whole responses go through the same guard).
    public GuardCheck InspectResponse(string text)
    {
        var output = WholeOutputGuard.Inspect(_engine, _policy, _vault, text);
        return new GuardCheck(output.Stopped, output.StopReason, output.Text, output.Text != text);
    }

    // The gRPC door's response step guards the model's tool calls with the same ToolCallGuard.
    public string? InspectToolCall(string name, string arguments)
    {
        var (call, blocked) = ToolCallGuard.Inspect(_engine, _policy, _vault, new Mesh.Gateway.Core.Chat.ChatToolCall(string.Empty, name, arguments), GuardDirection.Output);
        return blocked is null ? call.ArgumentsJson : null;
    }
}
