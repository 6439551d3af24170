using Mesh.Gateway.Envoy.Guarding;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>A guard that checks nothing: the request editor's cost without guardrails. (The door itself always has the
/// guardrails feature's guard; an empty <c>guardrails:</c> section is what checks nothing there.)</summary>
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
