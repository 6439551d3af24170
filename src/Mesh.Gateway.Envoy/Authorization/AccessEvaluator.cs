using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Configuration;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Tenancy.Access;
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

        var auth = await _authenticator.AuthenticateAsync(new CallerCredentials(headers, peerPrincipal, FromAuthenticatedProxy: true), cancellationToken).ConfigureAwait(false);
        if (!auth.Succeeded)
        {
            return Deny(api, AuthenticationError(auth)) with { Authentication = auth };
        }

        var tenant = auth.Tenant!;
        var model = api.PathModel ?? bodyModel;
        var access = AccessPolicy.Authorize(tenant, api.Operation, model);
        if (!access.Allowed)
        {
            var reason = access.Denial == AccessDenial.ModelNotAllowed ? GatewayErrorReasons.ModelNotAllowed : GatewayErrorReasons.OperationNotAllowed;
            return Deny(api, EnvoyErrors.Create(GatewayErrorCode.PermissionDenied, reason, access.Message)) with { Authentication = auth };
        }

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

    // The one mapping every door uses (AuthenticationResultExtensions), so a bad key is the same code on each.
    internal static GatewayError AuthenticationError(AuthenticationResult auth) => auth.ToGatewayError();

    private static AccessOutcome Deny(ProviderApi? api, GatewayError error) => new() { Error = error, Api = api };
}
