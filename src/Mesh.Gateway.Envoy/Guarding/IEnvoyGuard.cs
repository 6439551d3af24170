namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>The guardrails as the Envoy door uses them: whole texts on the request, a streaming redactor on the response.</summary>
/// <remarks>Implemented over the guardrails engine; thread-safe. Stream guards are per response.</remarks>
internal interface IEnvoyGuard
{
    /// <summary>The guard with the tenant's own policy (<c>guardrails.tenants.ID.policy</c>), or this one (the default policy).</summary>
    IEnvoyGuard ForTenant(string tenantId);

    bool InspectsRequests { get; }

    bool InspectsResponses { get; }

    GuardCheck InspectRequest(string text);

    GuardCheck InspectResponse(string text);

    IEnvoyStreamGuard CreateResponseStream();
}
