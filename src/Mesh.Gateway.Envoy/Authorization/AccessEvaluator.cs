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
            return Deny(ErrorShape.OpenAI, null, new GatewayError(404, GatewayErrorKind.NotFound, "unknown_endpoint",
                "This endpoint is not served through the AI gateway."));
        }

        var auth = await _authenticator.AuthenticateAsync(new CallerCredentials(headers, peerPrincipal, FromAuthenticatedProxy: true), cancellationToken).ConfigureAwait(false);
        if (!auth.Succeeded)
        {
            return Deny(api.ErrorShape, api, AuthenticationError(auth)) with { Authentication = auth };
        }

        var tenant = auth.Tenant!;
        var model = api.PathModel ?? bodyModel;
        var access = AccessPolicy.Authorize(tenant, api.Operation, model);
        if (!access.Allowed)
        {
            var code = access.Denial == AccessDenial.ModelNotAllowed ? "model_not_allowed" : "operation_not_allowed";
            return Deny(api.ErrorShape, api, new GatewayError(403, GatewayErrorKind.Permission, code, access.Message)) with { Authentication = auth };
        }

        var set = new List<KeyValuePair<string, string>>(2) { new(_options.TenantHeader, tenant.Id) };
        string? credentialHeader = null;
        if (_options.CredentialCustody)
        {
            if (!_credentials.TryGet(api.Provider, out var key))
            {
                return Deny(api.ErrorShape, api, new GatewayError(503, GatewayErrorKind.Unavailable, "no_provider_credential",
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
        return new AccessOutcome { Api = api, Shape = api.ErrorShape, Authentication = auth, HeadersToSet = set, HeadersToRemove = remove };
    }

    internal static GatewayError AuthenticationError(AuthenticationResult auth) => auth.Failure switch
    {
        AuthenticationFailure.NoCredentials => new(401, GatewayErrorKind.Authentication, "missing_api_key", auth.Message),
        AuthenticationFailure.InvalidApiKey => new(401, GatewayErrorKind.Authentication, "invalid_api_key", auth.Message),
        AuthenticationFailure.RevokedApiKey => new(401, GatewayErrorKind.Authentication, "revoked_api_key", auth.Message),
        AuthenticationFailure.ConflictingApiKeys => new(401, GatewayErrorKind.Authentication, "conflicting_api_keys", auth.Message),
        AuthenticationFailure.TokenExpired => new(401, GatewayErrorKind.Authentication, "token_expired", auth.Message),
        AuthenticationFailure.InvalidAudience or AuthenticationFailure.InvalidIssuer or AuthenticationFailure.InvalidToken =>
            new(401, GatewayErrorKind.Authentication, "invalid_token", auth.Message),
        AuthenticationFailure.KeysUnavailable => new(503, GatewayErrorKind.Unavailable, "auth_unavailable", auth.Message),
        _ => new(403, GatewayErrorKind.Permission, "unknown_tenant", auth.Message),
    };

    private static AccessOutcome Deny(ErrorShape shape, ProviderApi? api, GatewayError error) => new() { Error = error, Shape = shape, Api = api };
}
