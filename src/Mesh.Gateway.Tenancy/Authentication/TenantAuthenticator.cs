using Mesh.Gateway.Tenancy.VirtualKeys;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>Authenticates a request by gateway key, bearer JWT or mTLS peer identity, and resolves its tenant.</summary>
/// <remarks>Thread-safe; built from one immutable <see cref="TenancyOptions"/>. Deny by default: nothing presented, or
/// anything that matches no tenant, is a failure.</remarks>
public sealed class TenantAuthenticator
{
    private readonly VirtualKeyRegistry _virtualKeys;
    private volatile State _state;

    internal TenantAuthenticator(TenancyOptions options, JwtValidator? jwt, VirtualKeyRegistry? virtualKeys = null)
    {
        _virtualKeys = virtualKeys ?? VirtualKeyRegistry.CreateEmpty();
        _state = new State(options, jwt, _virtualKeys);
    }

    /// <summary>The options this authenticator was built from (the latest applied ones after a reload).</summary>
    public TenancyOptions Options => _state.Options;

    /// <summary>The header names that can carry a gateway key; all are removed before forwarding upstream.</summary>
    public IReadOnlyList<string> GatewayKeyHeaders => _state.Options.GatewayKeyHeaders;

    /// <summary>Swaps in tenants, keys and auth settings of a new configuration version in one step; a call already
    /// authenticating finishes against the state it started with, the next call sees the new one.</summary>
    internal void Replace(TenancyOptions options, JwtValidator? jwt) => _state = new State(options, jwt, _virtualKeys);

    internal JwtValidator? Jwt => _state.Jwt;

    public ValueTask<AuthenticationResult> AuthenticateAsync(CallerCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var state = _state;
        var presented = state.FindPresentedCredential(credentials.Headers, out var gatewayKey);
        if (gatewayKey is { } resolved)
        {
            return ValueTask.FromResult(resolved);
        }

        if (presented is { } token)
        {
            if (state.Jwt is not null && JwtValidator.LooksLikeJwt(token))
            {
                return state.ValidateJwtAsync(token, cancellationToken);
            }

            return ValueTask.FromResult(state.AuthenticateKey(token));
        }

        return ValueTask.FromResult(state.AuthenticatePeer(credentials));
    }

    /// <summary>Finds a tenant by id (for callers that already know it, such as ext_proc after ext_authz).</summary>
    public TenantOptions? FindTenant(string? id) => id is not null && _state.Tenants.TryGetValue(id, out var t) ? t : null;

    // Everything one configuration version says about callers, built once and never changed.
    private sealed class State
    {
        private readonly TenancyOptions _options;
        private readonly Dictionary<string, TenantOptions> _tenants;
        private readonly Dictionary<string, TenantOptions> _principals;
        private readonly ApiKeyDirectory _keys;
        private readonly JwtValidator? _jwt;
        private readonly VirtualKeyRegistry _virtualKeys;

        public State(TenancyOptions options, JwtValidator? jwt, VirtualKeyRegistry virtualKeys)
        {
            ArgumentNullException.ThrowIfNull(options);
            _options = options;
            _jwt = jwt;
            _virtualKeys = virtualKeys;
            _tenants = options.Tenants.ToDictionary(t => t.Id, StringComparer.Ordinal);
            _principals = new Dictionary<string, TenantOptions>(StringComparer.Ordinal);
            foreach (var tenant in options.Tenants)
            {
                foreach (var principal in tenant.Principals)
                {
                    _principals.TryAdd(principal, tenant);
                }
            }

            _keys = new ApiKeyDirectory(options.Tenants);
        }

        public TenancyOptions Options => _options;

        public JwtValidator? Jwt => _jwt;

        public Dictionary<string, TenantOptions> Tenants => _tenants;

        // The YAML's keys first; a hash the YAML does not know is looked up among the virtual keys (so the YAML decides a key in both).
        private ApiKeyMatch FindKey(ReadOnlySpan<char> key)
        {
            var match = _keys.Find(key);
            if (match.TenantId is not null || _virtualKeys.Find(key) is not { } found)
            {
                return match;
            }

            return new ApiKeyMatch(found.Key.TenantId, found.Revoked, found.Key.Id, found.Key, found.Expired);
        }

        public AuthenticationResult AuthenticateKey(string key)
        {
            var match = FindKey(key);
            return match.TenantId is null
                ? AuthenticationResult.Fail(AuthenticationFailure.InvalidApiKey, "Incorrect API key provided.")
                : Resolve(match);
        }

        private AuthenticationResult Resolve(ApiKeyMatch match)
        {
            if (match.Revoked)
            {
                return AuthenticationResult.Fail(AuthenticationFailure.RevokedApiKey, "The API key provided has been revoked.");
            }

            if (match.Expired)
            {
                return AuthenticationResult.Fail(AuthenticationFailure.RevokedApiKey, "The API key provided has expired.");
            }

            if (!_tenants.TryGetValue(match.TenantId!, out var tenant))
            {
                return AuthenticationResult.Fail(AuthenticationFailure.UnknownTenant, "The API key belongs to no tenant.");
            }

            // A virtual key with models of its own may use those only (each one its tenant may use: checked when it was created).
            if (match.Virtual is { Models.Count: > 0 } virtualKey)
            {
                tenant = tenant with { Models = virtualKey.Models };
            }

            return AuthenticationResult.Success(tenant, AuthenticationMethod.ApiKey, keyId: match.KeyId);
        }

        public async ValueTask<AuthenticationResult> ValidateJwtAsync(string token, CancellationToken cancellationToken)
        {
            var validation = await _jwt!.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
            if (validation.Failure != AuthenticationFailure.None)
            {
                return AuthenticationResult.Fail(validation.Failure, validation.Message);
            }

            return _tenants.TryGetValue(validation.TenantId!, out var tenant)
                ? AuthenticationResult.Success(tenant, AuthenticationMethod.Jwt, validation.Subject)
                : AuthenticationResult.Fail(AuthenticationFailure.UnknownTenant, "The bearer token names an unknown tenant.");
        }

        public AuthenticationResult AuthenticatePeer(CallerCredentials credentials)
        {
            // A principal or XFCC header is a claim the proxy makes; from anyone else it is a made-up string.
            if (!_options.Mtls.Enabled || !credentials.FromAuthenticatedProxy)
            {
                return AuthenticationResult.Fail(AuthenticationFailure.NoCredentials, "No API key provided.");
            }

            var candidates = new List<string>(4);
            if (!string.IsNullOrEmpty(credentials.PeerPrincipal))
            {
                candidates.Add(credentials.PeerPrincipal);
            }

            if (_options.Mtls.TrustForwardedClientCert && credentials.Headers.TryGetValue("x-forwarded-client-cert", out var xfcc))
            {
                candidates.AddRange(ForwardedClientCert.Identities(xfcc));
            }

            if (candidates.Count == 0)
            {
                return AuthenticationResult.Fail(AuthenticationFailure.NoCredentials, "No API key provided.");
            }

            foreach (var candidate in candidates)
            {
                if (_principals.TryGetValue(candidate, out var tenant))
                {
                    return AuthenticationResult.Success(tenant, AuthenticationMethod.Mtls, candidate);
                }
            }

            return AuthenticationResult.Fail(AuthenticationFailure.UnknownTenant, "The client certificate identity belongs to no tenant.");
        }

        // The first credential presented (a gateway key, a JWT, or something else), and, when any header carries a gateway key,
        // what that key resolves to: a request may carry a gateway key next to something else (a mesh JWT, the provider's own
        // key), but two gateway keys of different tenants or keys are refused rather than one of them picked silently.
        public string? FindPresentedCredential(IReadOnlyDictionary<string, string> headers, out AuthenticationResult? gatewayKey)
        {
            gatewayKey = null;
            string? first = null;
            ApiKeyMatch? matched = null;
            string? matchedHeader = null;
            foreach (var name in _options.GatewayKeyHeaders)
            {
                if (!headers.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
                {
                    continue;
                }

                var span = value.AsSpan().Trim();
                if (name == "authorization")
                {
                    if (!span.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    span = span["Bearer ".Length..].Trim();
                }

                if (span.IsEmpty)
                {
                    continue;
                }

                first ??= span.ToString();
                var match = FindKey(span);
                if (match.TenantId is null)
                {
                    continue;
                }

                if (matched is { } earlier && (earlier.TenantId != match.TenantId || earlier.KeyId != match.KeyId))
                {
                    gatewayKey = AuthenticationResult.Fail(AuthenticationFailure.ConflictingApiKeys,
                        $"The request carries two different gateway keys (in {matchedHeader} and {name}); send one.");
                    return first;
                }

                matched ??= match;
                matchedHeader ??= name;
            }

            if (matched is { } key)
            {
                gatewayKey = Resolve(key);
            }

            return first;
        }
    }
}
