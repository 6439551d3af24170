namespace Mesh.Gateway.Tenancy.Access;

/// <summary>The Envoy door's admission at ext_authz <c>Check</c>: the request counts, charged before the body is read.</summary>
/// <remarks>What the call uses (tokens, streams, budgets) is admitted and settled by the limits step once ext_proc has read the
/// body, told what Check charged so nothing is counted twice; a request-count admission holds nothing to settle.
/// Implementations must be thread-safe.</remarks>
public interface IRequestAdmission
{
    ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken);
}
