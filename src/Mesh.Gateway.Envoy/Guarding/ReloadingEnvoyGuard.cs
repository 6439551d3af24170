using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>The Envoy door's guard for the guardrails options in force: rebuilt (once) when a reload has replaced them;
/// a stream already guarded keeps the guard it took from <see cref="ForTenant"/>.</summary>
internal sealed class ReloadingEnvoyGuard(IGuardrailEngine engine, GuardrailsPolicies policies) : IEnvoyGuard
{
    private volatile Built? _built;

    public bool InspectsResponses => Inner.InspectsResponses;

    private GuardrailsEnvoyGuard Inner
    {
        get
        {
            var options = policies.Current;
            var built = _built;
            if (built is null || !ReferenceEquals(built.Options, options))
            {
                built = new Built(options, new GuardrailsEnvoyGuard(engine, options));
                _built = built;
            }

            return built.Guard;
        }
    }

    public IEnvoyGuard ForTenant(string tenantId) => Inner.ForTenant(tenantId);

    public IEnvoyGuard WithVault(GuardTokenVault vault) => Inner.WithVault(vault);

    public GuardCheck InspectResponse(string text) => Inner.InspectResponse(text);

    public string? InspectToolCall(string name, string arguments) => Inner.InspectToolCall(name, arguments);

    private sealed record Built(GuardrailsOptions Options, GuardrailsEnvoyGuard Guard);
}
