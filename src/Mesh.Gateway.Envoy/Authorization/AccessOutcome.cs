using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary>The decision for one request: refused with an error, or allowed with the header changes to make upstream.</summary>
internal sealed record AccessOutcome
{
    public GatewayError? Error { get; init; }

    /// <summary>The recognised API; its codec shapes the error body (OpenAI's when null).</summary>
    public ProviderApi? Api { get; init; }

    public AuthenticationResult? Authentication { get; init; }

    /// <summary>Headers to set (overwrite) on the upstream request: tenant id and the provider credential.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeadersToSet { get; init; } = [];

    /// <summary>Headers to remove from the upstream request: the app's gateway key.</summary>
    public IReadOnlyList<string> HeadersToRemove { get; init; } = [];

    public bool Allowed => Error is null;
}
