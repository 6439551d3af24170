using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Core.Tests.Composition;

public sealed class MeshGatewayBuilderTests
{
    private static readonly IConfiguration Empty = new ConfigurationBuilder().Build();

    private sealed record SampleOptions
    {
        public int Size { get; init; }
    }

    private sealed class SampleValidator : IValidateOptions<SampleOptions>
    {
        public ValidateOptionsResult Validate(string? name, SampleOptions options) =>
            MeshOptions.Result(options.Size < 0 ? [$"sample.size: must not be negative (was {options.Size})"] : []);
    }

    private static void ValidateOnStart(IServiceProvider services) => services.GetRequiredService<IStartupValidator>().Validate();

    [Fact]
    public void Start_RequiredFeatureMissing_FailsNamingTheCallToAdd()
    {
        var services = new ServiceCollection();
        var gateway = services.AddMeshGateway(Empty);
        gateway.TryAddFeature("AddEnvoyDoor");
        gateway.Requires("AddEnvoyDoor", "AddLimits");
        gateway.Requires("AddEnvoyDoor", "AddTenancy");
        gateway.TryAddFeature("AddTenancy");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));

        Assert.Equal(["AddEnvoyDoor() needs AddLimits(): add it to AddMeshGateway(...)"], error.Failures);
    }

    [Fact]
    public void Start_RequiredFeatureAddedLater_Starts()
    {
        var services = new ServiceCollection();
        var gateway = services.AddMeshGateway(Empty);
        gateway.TryAddFeature("AddInferenceApi");
        gateway.Requires("AddInferenceApi", "AddProviders");
        services.AddMeshGateway(Empty).TryAddFeature("AddProviders");
        using var provider = services.BuildServiceProvider();

        ValidateOnStart(provider);
    }

    [Fact]
    public void TryAddFeature_SameFeatureTwice_SecondIsRefused()
    {
        var services = new ServiceCollection();

        Assert.True(services.AddMeshGateway(Empty).TryAddFeature("AddProviders"));
        Assert.False(services.AddMeshGateway(Empty).TryAddFeature("AddProviders"));
    }

    [Fact]
    public void AddBoundOptions_Valid_ResolvesTheBoundInstanceEverywhere()
    {
        var bound = new SampleOptions { Size = 3 };
        using var provider = new ServiceCollection()
            .TryAddValidator<SampleOptions, SampleValidator>()
            .AddBoundOptions(bound).Services
            .BuildServiceProvider();

        ValidateOnStart(provider);
        Assert.Same(bound, provider.GetRequiredService<SampleOptions>());
        Assert.Same(bound, provider.GetRequiredService<IOptions<SampleOptions>>().Value);
    }

    [Fact]
    public void AddBoundOptions_Invalid_StartAndResolutionFailWithTheKey()
    {
        using var provider = new ServiceCollection()
            .TryAddValidator<SampleOptions, SampleValidator>()
            .AddBoundOptions(new SampleOptions { Size = -1 }).Services
            .BuildServiceProvider();

        var atStart = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));
        var atUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<SampleOptions>());

        Assert.Equal(["sample.size: must not be negative (was -1)"], atStart.Failures);
        Assert.Equal(atStart.Failures, atUse.Failures);
    }

    [Fact]
    public void AddBoundOptions_BindErrors_ReportedAsValidationFailures()
    {
        using var provider = new ServiceCollection()
            .AddBoundOptions(new SampleOptions(), ["sample.size: must be a number (was 'big')"]).Services
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));

        Assert.Equal(["sample.size: must be a number (was 'big')"], error.Failures);
    }
}
