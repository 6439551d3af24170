namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>No guardrails configured: everything passes unchanged.</summary>
internal sealed class NoGuard : IEnvoyGuard, IEnvoyStreamGuard
{
    public static NoGuard Instance { get; } = new();

    public bool InspectsRequests => false;

    public bool InspectsResponses => false;

    public IEnvoyGuard ForTenant(string tenantId) => this;

    public GuardCheck InspectRequest(string text) => GuardCheck.Pass(text);

    public GuardCheck InspectResponse(string text) => GuardCheck.Pass(text);

    public IEnvoyStreamGuard CreateResponseStream() => this;

    public StreamGuardOutput Push(string delta) => new(delta, false);

    public StreamGuardOutput Complete() => new(string.Empty, false);
}
