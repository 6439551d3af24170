namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>One violated quota, shaped like google.rpc.QuotaFailure.Violation.</summary>
/// <param name="Subject">Whose quota, e.g. <c>tenant:team-a</c> or <c>tenant:team-a/key:k1/model:gpt-4o</c>.</param>
/// <param name="Description">What was exceeded, e.g. <c>requests_per_minute limit 100 reached</c>.</param>
public sealed record QuotaViolation(string Subject, string Description);
