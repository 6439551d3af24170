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
    [Fact]
    public void Validate_StrategyCanaryRulesAndOutliers_EveryErrorCaughtAtStart()
    {
        var options = Bind(new()
        {
            ["models:0:name"] = "chat",
            ["models:0:strategy"] = "fastest",
            ["models:0:targets:0:provider"] = "openai",
            ["models:0:targets:0:model"] = "gpt-4o",
            ["models:0:targets:0:name"] = "big",
            ["models:0:targets:1:provider"] = "openai",
            ["models:0:targets:1:model"] = "gpt-4o-mini",
            ["models:0:canary:sticky_by"] = "cookie",
            ["models:0:canary:variants:0:name"] = "stable",
            ["models:0:canary:variants:0:weight"] = "80",
            ["models:0:canary:variants:0:targets:0"] = "big",
            ["models:0:canary:variants:1:name"] = "canary",
            ["models:0:canary:variants:1:weight"] = "10",
            ["models:0:canary:variants:1:targets:0"] = "small",
            ["models:0:rules:0:match:tiers:0"] = "gold",
            ["models:0:rules:0:targets:0"] = "huge",
            ["models:0:rules:1:match:min_prompt_tokens"] = "100",
            ["models:0:rules:1:match:max_prompt_tokens"] = "10",
            ["models:0:rules:1:targets:0"] = "openai/gpt-4o-mini",
            ["models:0:outlier_detection:failure_percentage"] = "150",
            ["models:0:outlier_detection:max_ejection_ms"] = "10",
            ["models:1:name"] = "cheap",
            ["models:1:strategy"] = "latency",
            ["models:1:latency_bound_ms"] = "500",
            ["models:1:targets:0:provider"] = "openai",
            ["models:1:targets:0:model"] = "gpt-4o",
            ["models:1:targets:1:provider"] = "openai",
            ["models:1:targets:1:model"] = "gpt-4o",
            ["models:1:rules:0:match:tools"] = "true",
            ["models:1:rules:0:targets:0"] = "openai/gpt-4o",
        });

        var errors = ModelsOptionsValidator.Validate(options, ["openai"]);

        Assert.Contains("models[0].strategy: unknown strategy 'fastest' (one of: weighted, latency, least_busy, cost, priority)", errors);
        Assert.Contains("models[0].canary.sticky_by: unknown value 'cookie' (one of: tenant, key, header)", errors);
        Assert.Contains("models[0].canary.variants: the weights are percentages and must sum to 100 (they sum to 90)", errors);
        Assert.Contains("models[0].canary.variants[1].targets: unknown target 'small' (the route's targets: big, openai/gpt-4o-mini)", errors);
        Assert.Contains("models[0].rules[0].targets: unknown target 'huge' (the route's targets: big, openai/gpt-4o-mini)", errors);
        Assert.Contains("models[0].rules[1].match.max_prompt_tokens: must be at least min_prompt_tokens (100) (was 10)", errors);
        Assert.Contains("models[0].outlier_detection.failure_percentage: must be in [0, 100] (was 150)", errors);
        Assert.Contains("models[0].outlier_detection.max_ejection_ms: must be at least base_ejection_ms (30000) (was 10)", errors);
        Assert.Contains("models[1].latency_bound_ms: only the cost strategy reads it (strategy is 'latency')", errors);
        Assert.Contains("models[1].targets[1].name: duplicate target name 'openai/gpt-4o' (give the targets distinct names)", errors);
        Assert.Throws<InvalidOperationException>(() => RoutingTable.Create(options, ["openai"]));
    }

    [Fact]
    public void Create_CanaryAndRulesByName_ResolvesTheirTargets()
    {
        var options = Bind(new()
        {
            ["models:0:name"] = "chat",
            ["models:0:strategy"] = "least_busy",
            ["models:0:targets:0:provider"] = "openai",
            ["models:0:targets:0:model"] = "gpt-4o",
            ["models:0:targets:0:name"] = "big",
            ["models:0:targets:1:provider"] = "openai",
            ["models:0:targets:1:model"] = "gpt-4o-mini",
            ["models:0:canary:sticky_by"] = "header",
            ["models:0:canary:sticky_header"] = "X-User",
            ["models:0:canary:variants:0:name"] = "stable",
            ["models:0:canary:variants:0:weight"] = "95",
            ["models:0:canary:variants:0:targets:0"] = "big",
            ["models:0:canary:variants:1:name"] = "canary",
            ["models:0:canary:variants:1:weight"] = "5",
            ["models:0:canary:variants:1:targets:0"] = "openai/gpt-4o-mini",
            ["models:0:rules:0:name"] = "gold",
            ["models:0:rules:0:match:tiers:0"] = "gold",
            ["models:0:rules:0:targets:0"] = "big",
        });

        Assert.Empty(ModelsOptionsValidator.Validate(options, ["openai"]));
        var route = RoutingTable.Create(options, ["openai"]).Routes[0];

        Assert.Equal(RouteStrategies.LeastBusy, route.Strategy);
        Assert.Equal("x-user", route.Canary!.StickyHeader);
        Assert.Equal(["big", "openai/gpt-4o-mini"], route.Canary.Variants.Select(static v => v.Targets[0].Name));
        Assert.Equal(0.95, route.Canary.Variants[0].UpperBound, 6);
        Assert.Equal("gold", route.Rules[0].Name);
        Assert.Equal("gpt-4o", route.Rules[0].Targets[0].Model);
    }
}
