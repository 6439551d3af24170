using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mesh.Gateway.Tenancy.Tests.Authentication;

/// <summary>An RSA signing key, its JWKS document and a token factory.</summary>
internal sealed class JwtFixture : IDisposable
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "mesh-gateway";

    private readonly RSA _rsa = RSA.Create(2048);

    public JwtFixture(string kid = "key-1")
    {
        Key = new RsaSecurityKey(_rsa) { KeyId = kid };
    }

    public RsaSecurityKey Key { get; }

    public string Jwks()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = Key.KeyId });
        var key = new Dictionary<string, string?> { ["kty"] = jwk.Kty, ["kid"] = jwk.Kid, ["use"] = "sig", ["alg"] = "RS256", ["n"] = jwk.N, ["e"] = jwk.E };
        return JsonSerializer.Serialize(new { keys = new[] { key } });
    }

    public string Token(DateTimeOffset now, string tenant = "team-a", string audience = Audience, string issuer = Issuer, TimeSpan? lifetime = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + (lifetime ?? TimeSpan.FromMinutes(10))).UtcDateTime,
            Claims = new Dictionary<string, object> { ["tenant"] = tenant, ["sub"] = "svc-a" },
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public void Dispose() => _rsa.Dispose();
}
