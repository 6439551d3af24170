namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>The guardrails as the Envoy door uses them: whole texts on the request, a streaming redactor on the response.</summary>
/// <remarks>Implemented over the guardrails engine; thread-safe. Stream guards are per response.</remarks>
internal interface IEnvoyGuard
{
    bool InspectsRequests { get; }

    bool InspectsResponses { get; }

    GuardCheck InspectRequest(string text);

    GuardCheck InspectResponse(string text);

    IEnvoyStreamGuard CreateResponseStream();
}
