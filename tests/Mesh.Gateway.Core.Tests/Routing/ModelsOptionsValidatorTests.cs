using Mesh.Gateway.Core.Routing;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Tests.Routing;

public sealed class ModelsOptionsValidatorTests
{
    private static ModelsOptions Bind(Dictionary<string, string?> keys)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(keys).Build();
        return new ModelsOptions { Models = configuration.GetSection("models").Get<List<ModelRouteOptions>>() ?? [] };
    }

    [Fact]
    public void Validate_UnknownProviderEmptyTargetsBadWeight_ErrorsNameTheKeys()
    {
        var options = Bind(new()
        {
            ["models:0:name"] = "chat",
            ["models:0:targets:0:provider"] = "nope",
            ["models:0:targets:0:model"] = "gpt-4o-mini",
            ["models:0:targets:1:provider"] = "openai",
            ["models:0:targets:1:model"] = "gpt-4o",
            ["models:0:targets:1:weight"] = "-5",
            ["models:1:name"] = "empty",
            ["models:1:retry:max_retries"] = "11",
            ["models:1:timeouts:first_token_ms"] = "0",
            ["models:1:circuit_breaker:failure_ratio"] = "1.5",
        });

        var errors = ModelsOptionsValidator.Validate(options, ["openai", "mock"]);

        Assert.Contains("models[0].targets[0].provider: unknown provider 'nope' (configured providers: mock, openai)", errors);
        Assert.Contains("models[0].targets[1].weight: must be a finite number >= 0 (was -5)", errors);
        Assert.Contains("models[1].targets: must list at least one target", errors);
        Assert.Contains("models[1].retry.max_retries: must be between 0 and 10 (was 11)", errors);
        Assert.Contains("models[1].timeouts.first_token_ms: must be positive (was 0)", errors);
        Assert.Contains("models[1].circuit_breaker.failure_ratio: must be in (0, 1] (was 1.5)", errors);
    }

    [Fact]
    public void Create_IssueExampleShape_BindsTargetsWeightsAndFallbacks()
    {
        var options = Bind(new()
        {
            ["models:0:name"] = "chat",
            ["models:0:targets:0:provider"] = "openai",
            ["models:0:targets:0:model"] = "gpt-4o-mini",
            ["models:0:targets:0:weight"] = "90",
            ["models:0:targets:1:provider"] = "anthropic",
            ["models:0:targets:1:model"] = "claude-3-5-haiku-latest",
            ["models:0:targets:1:weight"] = "10",
            ["models:0:fallbacks:0:provider"] = "local",
            ["models:0:fallbacks:0:model"] = "llama3.1",
        });

        var table = RoutingTable.Create(options, ["openai", "anthropic", "local"]);

        var route = Assert.Single(table.Routes);
        Assert.Equal([90.0, 10.0], route.Targets.Select(static t => t.Weight));
        Assert.Equal("llama3.1", Assert.Single(route.Fallbacks).Model);
        Assert.Equal("gpt-4o-mini", route.PickTarget(0.89).Model);
        Assert.Equal("claude-3-5-haiku-latest", route.PickTarget(0.91).Model);
    }

    [Fact]
    public void Create_Invalid_ThrowsWithEveryError()
    {
        var options = Bind(new() { ["models:0:name"] = "chat" });

        var ex = Assert.Throws<InvalidOperationException>(() => RoutingTable.Create(options, ["mock"]));

        Assert.Contains("models[0].targets: must list at least one target", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoModelsWithMockProvider_ServesMock()
    {
        var table = RoutingTable.Create(new ModelsOptions(), ["mock"]);

        Assert.True(table.TryResolve("mock", out var route));
        Assert.Equal("mock", route.Targets[0].Provider);
    }
}
