using Mesh.Gateway.Core.Routing;

namespace Mesh.Gateway.Core.Tests.Routing.Simulation;

/// <summary>The acceptance figures, on virtual time (10,000 calls each); the figures are in docs/0021-routing-strategies.md.</summary>
public sealed class RoutingSimulationTests(ITestOutputHelper output)
{
    private const int Calls = 10_000;

    [Fact]
    public async Task LatencyAware_SameTrafficAsEqualWeights_CutsP99ByAtLeast40Percent()
    {
        var weighted = await new RoutingSimulation(RouteStrategies.Weighted, ejection: true, maxRetries: 1).RunAsync(Calls);
        var latency = await new RoutingSimulation(RouteStrategies.LatencyAware, ejection: true, maxRetries: 1).RunAsync(Calls);
        output.WriteLine($"weighted: {weighted}");
        output.WriteLine($"latency:  {latency}");

        Assert.True(latency.P99Ms <= weighted.P99Ms * 0.6, $"p99 {latency.P99Ms:F0} ms (latency-aware) vs {weighted.P99Ms:F0} ms (equal weights)");
    }

    [Fact]
    public async Task Ejection_WithRetries_KeepsCallerErrorsUnderOnePercent()
    {
        var without = await new RoutingSimulation(RouteStrategies.LatencyAware, ejection: false, maxRetries: 1).RunAsync(Calls);
        var with = await new RoutingSimulation(RouteStrategies.LatencyAware, ejection: true, maxRetries: 1).RunAsync(Calls);
        output.WriteLine($"no ejection: {without}");
        output.WriteLine($"ejection:    {with}");

        Assert.True(with.ErrorRate < 0.01, $"caller-visible errors {with.ErrorRate:P2} with ejection");
        Assert.True(without.ErrorRate > with.ErrorRate * 3, $"ejection should matter: {without.ErrorRate:P2} without vs {with.ErrorRate:P2} with");
        Assert.True(with.CallsC < without.CallsC / 3, $"C attempts {with.CallsC} with ejection vs {without.CallsC} without");
    }

    [Fact]
    public async Task EqualWeights_WithRetries_EjectionKeepsCallerErrorsUnderOnePercent()
    {
        var with = await new RoutingSimulation(RouteStrategies.Weighted, ejection: true, maxRetries: 1).RunAsync(Calls);
        output.WriteLine($"weighted + ejection: {with}");

        Assert.True(with.ErrorRate < 0.01, $"caller-visible errors {with.ErrorRate:P2}");
    }
}
