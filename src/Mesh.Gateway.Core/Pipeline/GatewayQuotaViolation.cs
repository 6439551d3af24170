namespace Mesh.Gateway.Core.Pipeline;

/// <summary>One exceeded quota, sent to gRPC callers as a <c>google.rpc.QuotaFailure.Violation</c>.</summary>
/// <param name="Subject">What the quota applies to, for example <c>tenant:acme</c>.</param>
/// <param name="Description">Which limit was exceeded, for example <c>requests per minute (60)</c>.</param>
public sealed record GatewayQuotaViolation(string Subject, string Description);
