using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Routing.Health;
using Mesh.Gateway.Providers.Upstream;

namespace Mesh.Gateway.Envoy.Routing;

/// <summary>The target the Envoy door chose for one request, what Envoy must change to reach it, and the attempt in flight.</summary>
internal sealed record EnvoyRoute(RouteTarget Target, bool IsFallback, UpstreamRewrite Rewrite, RouteDecision Decision, TargetAttempt Attempt);
