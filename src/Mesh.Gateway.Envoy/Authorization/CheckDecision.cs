using Envoy.Service.Auth.V3;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Http;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary>Check's answer, and for a refusal the error behind it, the API and model it was for, and the request headers
/// (the trace context of the refused call's span).</summary>
internal sealed record CheckDecision(CheckResponse Response, GatewayError? Refusal, ProviderApi? Api, string? Model, IReadOnlyDictionary<string, string> Headers);
