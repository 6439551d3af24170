using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Configuration;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary>Authenticate, resolve the tenant, authorize path and model, and work out credential custody. Deny by default.</summary>
/// <remarks>Shared by ext_authz Check and by ext_proc when no ext_authz ran before it. Thread-safe. Its callers are served on
/// the Envoy listener only, which admits the authenticated proxy alone: the peer principal and XFCC are the proxy's word.</remarks>
internal sealed class AccessEvaluator
{
    private readonly TenantAuthenticator _authenticator;
    private readonly ProviderCredentials _credentials;
    private readonly EnvoyOptions _options;

    public AccessEvaluator(TenantAuthenticator authenticator, ProviderCredentials credentials, EnvoyOptions options)
    {
        _authenticator = authenticator;
        _credentials = credentials;
        _options = options;
    }

    public TenantAuthenticator Authenticator => _authenticator;

    public async ValueTask<AccessOutcome> EvaluateAsync(
        IReadOnlyDictionary<string, string> headers, string? path, string? peerPrincipal, string? bodyModel, CancellationToken cancellationToken)
    {
        var api = ProviderApiRecognizer.Recognize(path);
        if (api is null)
        {
            return Deny(null, EnvoyErrors.Create(GatewayErrorCode.NotFound, GatewayErrorReasons.UnknownEndpoint,
                "This endpoint is not served through the AI gateway."));
        }

        // The authentication step's decision (who, and the tenant's operations and models), made before any body exists: the
        // model is the path's or the body's when Check was sent it, else not known yet (the body phase's step decides then).
        var decision = await CallerAccess.DecideAsync(
            _authenticator, new CallerCredentials(headers, peerPrincipal, FromAuthenticatedProxy: true), api.Operation, api.PathModel ?? bodyModel, cancellationToken).ConfigureAwait(false);
        var auth = decision.Authentication;
        if (!decision.Allowed)
        {
            return Deny(api, EnvoyErrors.FromStep(decision.Error!)) with { Authentication = auth };
        }

        var tenant = auth.Tenant!;

        var set = new List<KeyValuePair<string, string>>(2) { new(_options.TenantHeader, tenant.Id) };
        string? credentialHeader = null;
        if (_options.CredentialCustody)
        {
            if (!_credentials.TryGet(api.Provider, out var key))
            {
                return Deny(api, EnvoyErrors.Create(GatewayErrorCode.Unavailable, GatewayErrorReasons.NoProviderCredential,
                    $"The gateway holds no credential for provider '{api.Provider}'.")) with { Authentication = auth };
            }

            var (header, value) = api.CredentialHeader(key);
            credentialHeader = header;
            set.Add(new(header, value));
        }

        // The gateway key must never reach the provider: remove every header that can carry it, except the one
        // overwritten with the provider key (removing and setting the same header is applied in a version-dependent order).
        var remove = _options.CredentialCustody
            ? _authenticator.GatewayKeyHeaders.Where(h => !string.Equals(h, credentialHeader, StringComparison.Ordinal)).ToArray()
            : [];
        return new AccessOutcome { Api = api, Authentication = auth, HeadersToSet = set, HeadersToRemove = remove };
    }

    private static AccessOutcome Deny(ProviderApi? api, GatewayError error) => new() { Error = error, Api = api };
}
