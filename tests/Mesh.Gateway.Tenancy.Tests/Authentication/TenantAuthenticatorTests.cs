using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Authentication;

public sealed class TenantAuthenticatorTests : IDisposable
{
    private const string KeyA = "mgw-team-a-0123456789";
    private const string RevokedKey = "mgw-team-a-old-key";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly JwtFixture _jwt = new();
    private readonly string _jwksFile = Path.GetTempFileName();
    private readonly ManualTimeProvider _time = new(Start);

    public TenantAuthenticatorTests() => File.WriteAllText(_jwksFile, _jwt.Jwks());

    public void Dispose()
    {
        _jwt.Dispose();
        File.Delete(_jwksFile);
    }

    [Fact]
    public async Task AuthenticateAsync_ValidKeyInBearer_ResolvesTenant()
    {
        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + KeyA)), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal("team-a", result.Tenant!.Id);
        Assert.Equal(AuthenticationMethod.ApiKey, result.Method);
    }

    [Theory]
    [InlineData("x-api-key")]
    [InlineData("api-key")]
    [InlineData("x-goog-api-key")]
    public async Task AuthenticateAsync_ValidKeyInProviderHeader_ResolvesTenant(string header)
    {
        var result = await Create().AuthenticateAsync(Headers((header, KeyA)), TestContext.Current.CancellationToken);

        Assert.Equal("team-a", result.Tenant?.Id);
    }

    [Fact]
    public async Task AuthenticateAsync_WrongKey_InvalidApiKey()
    {
        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer mgw-team-a-0123456788")), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(AuthenticationFailure.InvalidApiKey, result.Failure);
        Assert.DoesNotContain("0123456788", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticateAsync_RevokedKey_RevokedApiKey()
    {
        var result = await Create().AuthenticateAsync(Headers(("x-api-key", RevokedKey)), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.RevokedApiKey, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_NoCredentials_NoCredentials()
    {
        var result = await Create().AuthenticateAsync(Headers(("content-type", "application/json"), ("authorization", "Basic abc")), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.NoCredentials, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_ValidJwt_ResolvesTenantFromClaim()
    {
        var token = _jwt.Token(Start, tenant: "team-b");

        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("team-b", result.Tenant!.Id);
        Assert.Equal(AuthenticationMethod.Jwt, result.Method);
        Assert.Equal("svc-a", result.Subject);
    }

    [Fact]
    public async Task AuthenticateAsync_ExpiredJwt_TokenExpired()
    {
        var token = _jwt.Token(Start, lifetime: TimeSpan.FromMinutes(5));
        var authenticator = Create();
        _time.Advance(TimeSpan.FromMinutes(6));

        var result = await authenticator.AuthenticateAsync(Headers(("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.TokenExpired, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_JwtForOtherAudience_InvalidAudience()
    {
        var token = _jwt.Token(Start, audience: "someone-else");

        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.InvalidAudience, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_JwtFromOtherIssuer_InvalidIssuer()
    {
        var token = _jwt.Token(Start, issuer: "https://evil.test");

        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.InvalidIssuer, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_JwtSignedByUnknownKey_InvalidToken()
    {
        using var other = new JwtFixture("key-1");
        var token = other.Token(Start);

        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.InvalidToken, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_JwtForUnknownTenant_UnknownTenant()
    {
        var token = _jwt.Token(Start, tenant: "nobody");

        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.UnknownTenant, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_JwksFromUrl_FetchedOnceWithinRefreshAndAgainAfter()
    {
        var handler = new CountingHandler(_jwt.Jwks());
        using var http = new HttpClient(handler);
        var options = Options() with { Jwt = Options().Jwt! with { JwksFile = null, JwksUrl = new Uri("https://idp.test/jwks"), RefreshSeconds = 60 } };
        var authenticator = TenancyServiceCollectionExtensions.Create(options, _time, NullLoggerFactory.Instance, http);

        Assert.True((await authenticator.AuthenticateAsync(Headers(("authorization", "Bearer " + _jwt.Token(Start))), TestContext.Current.CancellationToken)).Succeeded);
        Assert.True((await authenticator.AuthenticateAsync(Headers(("authorization", "Bearer " + _jwt.Token(Start))), TestContext.Current.CancellationToken)).Succeeded);
        Assert.Equal(1, handler.Requests);

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.True((await authenticator.AuthenticateAsync(Headers(("authorization", "Bearer " + _jwt.Token(_time.GetUtcNow()))), TestContext.Current.CancellationToken)).Succeeded);
        Assert.Equal(2, handler.Requests);
    }

    [Fact]
    public async Task AuthenticateAsync_RotatedSigningKey_RefreshesAndAccepts()
    {
        var authenticator = Create();
        Assert.True((await authenticator.AuthenticateAsync(Headers(("authorization", "Bearer " + _jwt.Token(Start))), TestContext.Current.CancellationToken)).Succeeded);

        using var rotated = new JwtFixture("key-2");
        await File.WriteAllTextAsync(_jwksFile, rotated.Jwks(), TestContext.Current.CancellationToken);
        var result = await authenticator.AuthenticateAsync(Headers(("authorization", "Bearer " + rotated.Token(Start))), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Message);
    }

    [Fact]
    public async Task AuthenticateAsync_PeerPrincipal_ResolvesTenant()
    {
        var options = Options() with { Mtls = new MtlsOptions { Enabled = true } };
        var authenticator = TenancyServiceCollectionExtensions.Create(options, _time, NullLoggerFactory.Instance);

        var result = await authenticator.AuthenticateAsync(new CallerCredentials(new Dictionary<string, string>(), "spiffe://cluster.local/ns/app/sa/team-b", FromAuthenticatedProxy: true), TestContext.Current.CancellationToken);

        Assert.Equal("team-b", result.Tenant?.Id);
        Assert.Equal(AuthenticationMethod.Mtls, result.Method);
    }

    [Fact]
    public async Task AuthenticateAsync_TrustedForwardedClientCert_ResolvesTenantFromLastElement()
    {
        var options = Options() with { Mtls = new MtlsOptions { Enabled = true, TrustForwardedClientCert = true } };
        var authenticator = TenancyServiceCollectionExtensions.Create(options, _time, NullLoggerFactory.Instance);
        const string Xfcc = "By=spiffe://cluster.local/ns/x/sa/edge;URI=spiffe://cluster.local/ns/x/sa/other,"
            + "By=spiffe://cluster.local/ns/app/sa/gw;Hash=abc;Subject=\"CN=team b,O=acme\";URI=spiffe://cluster.local/ns/app/sa/team-b";

        var result = await authenticator.AuthenticateAsync(Headers(("x-forwarded-client-cert", Xfcc)) with { FromAuthenticatedProxy = true }, TestContext.Current.CancellationToken);

        Assert.Equal("team-b", result.Tenant?.Id);
    }

    [Fact]
    public async Task AuthenticateAsync_PrincipalAndXfccNotFromTheProxy_NoCredentials()
    {
        // Regression (issue 16): any caller could name a principal or write XFCC and authenticate as that tenant.
        var options = Options() with { Mtls = new MtlsOptions { Enabled = true, TrustForwardedClientCert = true } };
        var authenticator = TenancyServiceCollectionExtensions.Create(options, _time, NullLoggerFactory.Instance);
        var headers = new Dictionary<string, string> { ["x-forwarded-client-cert"] = "URI=spiffe://cluster.local/ns/app/sa/team-b" };

        var result = await authenticator.AuthenticateAsync(new CallerCredentials(headers, "spiffe://cluster.local/ns/app/sa/team-b"), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(AuthenticationFailure.NoCredentials, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_UntrustedForwardedClientCert_Ignored()
    {
        var options = Options() with { Mtls = new MtlsOptions { Enabled = true, TrustForwardedClientCert = false } };
        var authenticator = TenancyServiceCollectionExtensions.Create(options, _time, NullLoggerFactory.Instance);

        var result = await authenticator.AuthenticateAsync(Headers(("x-forwarded-client-cert", "URI=spiffe://cluster.local/ns/app/sa/team-b")), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.NoCredentials, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_UnknownPeerPrincipal_UnknownTenant()
    {
        var options = Options() with { Mtls = new MtlsOptions { Enabled = true } };
        var authenticator = TenancyServiceCollectionExtensions.Create(options, _time, NullLoggerFactory.Instance);

        var result = await authenticator.AuthenticateAsync(new CallerCredentials(new Dictionary<string, string>(), "spiffe://cluster.local/ns/app/sa/intruder", FromAuthenticatedProxy: true), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.UnknownTenant, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_TwoGatewayKeysOfDifferentTenants_RefusedNamingBothHeaders()
    {
        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + KeyA), ("x-api-key", "mgw-team-b")), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(AuthenticationFailure.ConflictingApiKeys, result.Failure);
        Assert.Contains("authorization", result.Message, StringComparison.Ordinal);
        Assert.Contains("x-api-key", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("mgw-", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticateAsync_ValidAndRevokedKeyOfOneTenant_RefusedAsConflicting()
    {
        var result = await Create().AuthenticateAsync(Headers(("x-api-key", KeyA), ("api-key", RevokedKey)), TestContext.Current.CancellationToken);

        Assert.Equal(AuthenticationFailure.ConflictingApiKeys, result.Failure);
    }

    [Fact]
    public async Task AuthenticateAsync_SameGatewayKeyInTwoHeaders_ResolvesTenant()
    {
        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + KeyA), ("x-api-key", KeyA)), TestContext.Current.CancellationToken);

        Assert.Equal("team-a", result.Tenant?.Id);
    }

    [Fact]
    public async Task AuthenticateAsync_ProviderKeyInBearerAndGatewayKeyInXApiKey_ResolvesByTheGatewayKey()
    {
        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer sk-proj-providers-own-key"), ("x-api-key", "mgw-team-b")), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal("team-b", result.Tenant!.Id);
    }

    [Fact]
    public async Task AuthenticateAsync_MeshJwtInBearerAndGatewayKeyInXApiKey_NotAConflict()
    {
        var token = _jwt.Token(Start, tenant: "team-b");

        var result = await Create().AuthenticateAsync(Headers(("authorization", "Bearer " + token), ("x-api-key", KeyA)), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal("team-a", result.Tenant!.Id);
    }

    private static CallerCredentials Headers(params (string Name, string Value)[] headers) =>
        new(headers.ToDictionary(h => h.Name, h => h.Value));

    private TenancyOptions Options() => new()
    {
        Tenants =
        [
            new TenantOptions { Id = "team-a", ApiKeys = [ApiKeyHash.Format(KeyA)], RevokedApiKeys = [ApiKeyHash.Format(RevokedKey)], Models = ["chat"] },
            new TenantOptions { Id = "team-b", ApiKeys = [ApiKeyHash.Format("mgw-team-b")], Models = ["*"], Principals = ["spiffe://cluster.local/ns/app/sa/team-b"] },
        ],
        Jwt = new JwtOptions { Issuer = JwtFixture.Issuer, Audiences = [JwtFixture.Audience], JwksFile = _jwksFile },
    };

    private TenantAuthenticator Create() => TenancyServiceCollectionExtensions.Create(Options(), _time, NullLoggerFactory.Instance);

    private sealed class CountingHandler(string body) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(body) });
        }
    }
}
