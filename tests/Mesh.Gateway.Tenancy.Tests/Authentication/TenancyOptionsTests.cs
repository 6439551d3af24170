using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Authentication;

public sealed class TenancyOptionsTests
{
    [Fact]
    public void AddMeshTenancy_PlainShape_BindsTenantsKeysAndModels()
    {
        var hash = ApiKeyHash.Format("k1");
        var config = Config(("tenants:0:id", "team-a"), ("tenants:0:api_keys:0", hash), ("tenants:0:models:0", "chat"), ("tenants:0:models:1", "embed"),
            ("providers:0:name", "oai"), ("providers:0:kind", "openai"), ("providers:0:api_key", "sk-real"));
        using var sp = new ServiceCollection().AddMeshTenancy(config).BuildServiceProvider();

        var options = sp.GetRequiredService<TenancyOptions>();
        Assert.Equal("team-a", options.Tenants.Single().Id);
        Assert.Equal([hash], options.Tenants[0].ApiKeys);
        Assert.Equal(["chat", "embed"], options.Tenants[0].Models);
    }

    [Fact]
    public void ProviderCredentials_FromProviders_FirstKeyOfEachKind()
    {
        var credentials = ProviderCredentials.From(new ProvidersOptions
        {
            Providers =
            [
                new ProviderOptions { Name = "oai", Kind = "openai", ApiKey = "sk-real" },
                new ProviderOptions { Name = "oai-2", Kind = "openai", ApiKey = "sk-second" },
                new ProviderOptions { Name = "claude", Kind = "anthropic" },
            ],
        });

        Assert.True(credentials.TryGet("openai", out var key));
        Assert.Equal("sk-real", key);
        Assert.False(credentials.TryGet("anthropic", out _));
    }

    [Fact]
    public void AddMeshTenancy_PlaintextKey_FailsNamingTheKeyWithoutEchoingIt()
    {
        var config = Config(("tenants:0:id", "team-a"), ("tenants:0:api_keys:0", "sk-plaintext-secret"));

        using var sp = new ServiceCollection().AddMeshTenancy(config).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<TenantAuthenticator>());

        Assert.Contains("tenants[0].api_keys[0]: must be 'sha256:'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-plaintext-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_JwtWithoutKeysOrAudience_NamesEachKey()
    {
        var errors = TenancyOptionsValidator.Validate(new TenancyOptions { Jwt = new JwtOptions { Issuer = "x", RefreshSeconds = 0 } });

        Assert.Contains("auth.jwt.audiences: at least one audience is required", errors);
        Assert.Contains("auth.jwt: exactly one of jwks_file or jwks_url is required", errors);
        Assert.Contains("auth.jwt.refresh_seconds: must be positive (was 0)", errors);
    }

    [Fact]
    public void Validate_DuplicateIdsAndKeysAndUnknownOperation_Reported()
    {
        var hash = ApiKeyHash.Format("k");
        var errors = TenancyOptionsValidator.Validate(new TenancyOptions
        {
            Tenants =
            [
                new TenantOptions { Id = "a", ApiKeys = [hash] },
                new TenantOptions { Id = "a", ApiKeys = [hash], Operations = ["images"] },
            ],
        });

        Assert.Contains("tenants[1].id: duplicate tenant id 'a'", errors);
        Assert.Contains("tenants[1].api_keys[0]: the same key hash is already used at tenants[0].api_keys[0]", errors);
        Assert.Contains("tenants[1].operations[0]: must be one of chat, responses, embeddings (was 'images')", errors);
    }

    [Theory]
    [InlineData("gpt-4o-mini", true)]
    [InlineData("claude-3-5-haiku-latest", true)]
    [InlineData("claude", false)]
    [InlineData("gpt-4.1", false)]
    [InlineData("chat", true)]
    public void IsModelAllowed_Patterns_MatchExactOrPrefix(string model, bool expected)
    {
        var tenant = new TenantOptions { Id = "t", Models = ["chat", "gpt-4o-mini", "claude-3-5-*"] };

        Assert.Equal(expected, AccessPolicy.IsModelAllowed(tenant, model));
    }

    [Fact]
    public void Authorize_OperationNotListed_Denied()
    {
        var tenant = new TenantOptions { Id = "t", Models = ["*"], Operations = ["embeddings"] };

        Assert.Equal(AccessDenial.OperationNotAllowed, AccessPolicy.Authorize(tenant, "chat", "gpt-4o").Denial);
        Assert.True(AccessPolicy.Authorize(tenant, "embeddings", "text-embedding-3-small").Allowed);
    }

    [Fact]
    public void Authorize_TenantWithoutModels_DeniedByDefault()
    {
        Assert.Equal(AccessDenial.ModelNotAllowed, AccessPolicy.Authorize(new TenantOptions { Id = "t" }, "chat", "gpt-4o").Denial);
    }

    [Fact]
    public void ApiKeyHash_FormatThenParse_RoundTrips()
    {
        var text = ApiKeyHash.Format("abc");

        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", text);
        Assert.True(ApiKeyHash.TryParse(text, out var digest));
        Assert.Equal(32, digest.Length);
        Assert.False(ApiKeyHash.TryParse("sha256:zz", out _));
    }

    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();
}
