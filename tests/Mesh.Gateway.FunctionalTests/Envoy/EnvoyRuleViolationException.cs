namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>The server broke a rule real Envoy enforces (Envoy would answer 500/504 or reset the request).</summary>
public sealed class EnvoyRuleViolationException(string message) : Exception(message);
