using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>Validates bearer JWTs (issuer, audience, lifetime, signature) and reads the tenant claim.</summary>
internal sealed class JwtValidator
{
    private readonly JwtOptions _options;
    private readonly JwksKeySource _keys;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public JwtValidator(JwtOptions options, JwksKeySource keys, TimeProvider time)
    {
        _options = options;
        _keys = keys;
        _time = time;
    }

    /// <summary>True when the text has the shape of a compact JWS (three base64url parts, JSON header).</summary>
    public static bool LooksLikeJwt(ReadOnlySpan<char> token) =>
        token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count('.') == 2;

    public async ValueTask<JwtValidation> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetKeysAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return JwtValidation.Fail(AuthenticationFailure.KeysUnavailable, "The token signing keys are unavailable.");
        }

        var result = await _handler.ValidateTokenAsync(token, Parameters(keys)).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Key rotation: a kid we have not seen yet. Refresh (rate-limited) and try once more.
            keys = await _keys.GetKeysAsync(forceRefresh: true, cancellationToken).ConfigureAwait(false);
            if (keys is not null)
            {
                result = await _handler.ValidateTokenAsync(token, Parameters(keys)).ConfigureAwait(false);
            }
        }

        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenExpiredException => JwtValidation.Fail(AuthenticationFailure.TokenExpired, "The bearer token has expired."),
                SecurityTokenInvalidAudienceException => JwtValidation.Fail(AuthenticationFailure.InvalidAudience, "The bearer token is not meant for this gateway (audience)."),
                SecurityTokenInvalidIssuerException => JwtValidation.Fail(AuthenticationFailure.InvalidIssuer, "The bearer token comes from an untrusted issuer."),
                _ => JwtValidation.Fail(AuthenticationFailure.InvalidToken, "The bearer token is invalid."),
            };
        }

        if (result.SecurityToken is not JsonWebToken jwt || jwt.ValidTo == DateTime.MinValue)
        {
            return JwtValidation.Fail(AuthenticationFailure.InvalidToken, "The bearer token has no expiry.");
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var skew = TimeSpan.FromSeconds(_options.ClockSkewSeconds);
        if (jwt.ValidTo + skew <= now)
        {
            return JwtValidation.Fail(AuthenticationFailure.TokenExpired, "The bearer token has expired.");
        }

        if (jwt.ValidFrom != DateTime.MinValue && jwt.ValidFrom - skew > now)
        {
            return JwtValidation.Fail(AuthenticationFailure.InvalidToken, "The bearer token is not valid yet.");
        }

        var tenant = result.Claims.TryGetValue(_options.TenantClaim, out var value) ? value?.ToString() : null;
        var subject = result.Claims.TryGetValue("sub", out var sub) ? sub?.ToString() : null;
        return string.IsNullOrEmpty(tenant)
            ? JwtValidation.Fail(AuthenticationFailure.InvalidToken, $"The bearer token has no '{_options.TenantClaim}' claim.")
            : new JwtValidation(tenant, subject, AuthenticationFailure.None, string.Empty);
    }

    private TokenValidationParameters Parameters(IReadOnlyList<SecurityKey> keys) => new()
    {
        ValidIssuer = _options.Issuer,
        ValidAudiences = _options.Audiences,
        IssuerSigningKeys = keys,
        ValidateIssuer = true,
        ValidateAudience = true,
        // Lifetime is checked below against the injected TimeProvider (TokenValidationParameters.TimeProvider is not public in 8.16).
        ValidateLifetime = false,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(_options.ClockSkewSeconds),
    };
}
