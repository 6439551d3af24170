using Mesh.Gateway.Caching.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Caching.Tests;

public sealed class CacheOptionsBindingTests
{
    [Fact]
    public void AddResponseCache_SnakeCaseKeys_BoundIntoRouteAndTenantOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["cache:max_bytes"] = "2048",
            ["cache:routes:chat:ttl_seconds"] = "1",
            ["cache:routes:chat:cache_sampled"] = "true",
            ["cache:routes:chat:semantic_threshold"] = "0.9",
            ["cache:tenants:acme:ttl_seconds"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddMeshGateway(configuration).AddResponseCache();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ResponseCacheOptions>>().Value;

        Assert.Equal(2048, options.MaxBytes);
        Assert.Equal(1, options.Routes["chat"].TtlSeconds);
        Assert.True(options.Routes["chat"].CacheSampled);
        Assert.Equal(0.9, options.Routes["chat"].SemanticThreshold);
        Assert.Equal(0, options.Tenants["acme"].TtlSeconds);
    }

    [Fact]
    public void Validate_BadValues_OneErrorPerKey()
    {
        var options = new ResponseCacheOptions
        {
            Routes = { ["chat"] = new RouteCacheOptions { TtlSeconds = 0, SemanticThreshold = 1.5 } },
        };

        var result = new ResponseCacheOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("cache.routes.chat.ttl_seconds", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("cache.routes.chat.semantic_threshold", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EncoderNamesNoModelsRoute_ErrorNamesTheKeyAndTheRoute()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["models:0:name"] = "chat",
            ["models:1:name"] = "embed-small",
        }).Build();
        var validator = new CacheEncoderRouteValidator(configuration);

        var unknown = validator.Validate(null, new ResponseCacheOptions { Encoder = "embed-large" });
        var known = validator.Validate(null, new ResponseCacheOptions { Encoder = "embed-small" });

        Assert.True(unknown.Failed);
        Assert.Equal("cache.encoder: unknown model 'embed-large' (an Embed route named under models:)", Assert.Single(unknown.Failures!));
        Assert.True(known.Succeeded);
    }
}
