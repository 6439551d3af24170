using Mesh.Gateway.Core.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Providers.Tests.Registry;

public sealed class AddMeshProvidersTests
{
    [Fact]
    public void AddMeshProviders_SnakeCaseKeys_BindsAndRegistersByName()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["providers:0:name"] = "fast-mock",
            ["providers:0:kind"] = "mock",
            ["providers:0:delay_per_token_ms"] = "7",
            ["providers:0:connect_timeout_ms"] = "1234",
        }).Build();

        using var services = new ServiceCollection().AddMeshProviders(configuration).BuildServiceProvider();
        var options = services.GetRequiredService<ProvidersOptions>();
        var registry = services.GetRequiredService<IProviderRegistry>();

        var bound = Assert.Single(options.Providers);
        Assert.Equal(7, bound.DelayPerTokenMs);
        Assert.Equal(1234, bound.ConnectTimeoutMs);
        Assert.True(registry.TryGetChat("fast-mock", out var provider));
        Assert.Equal(ProviderKind.Mock, provider.Kind);
        Assert.True(registry.TryGetEmbedding("fast-mock", out _));
        Assert.False(registry.TryGetChat("other", out _));
    }

    [Fact]
    public void AddMeshProviders_NoSection_RegistersDefaultMock()
    {
        using var services = new ServiceCollection().AddMeshProviders(new ConfigurationBuilder().Build()).BuildServiceProvider();

        Assert.Equal(["mock"], services.GetRequiredService<IProviderRegistry>().Names);
    }

    [Fact]
    public void AddMeshProviders_InvalidEntry_OptionsValidationNamesKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["providers:0:name"] = "m",
            ["providers:0:kind"] = "mock",
            ["providers:0:delay_per_token_ms"] = "-1",
        }).Build();

        using var services = new ServiceCollection().AddMeshProviders(configuration).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ProvidersOptions>());
        Assert.Contains("providers[0].delay_per_token_ms: must not be negative (was -1)", ex.Message, StringComparison.Ordinal);
    }
}
