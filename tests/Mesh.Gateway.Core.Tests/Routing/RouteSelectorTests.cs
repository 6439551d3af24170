using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Routing.Health;
using Mesh.Gateway.Core.Tests.Fakes;

namespace Mesh.Gateway.Core.Tests.Routing;

public sealed class RouteSelectorTests
{
    private readonly FakeTimeProvider _time = new();

    private static RouteTargetOptions T(string name, double weight = 1, decimal? input = null, decimal? output = null) =>
        new() { Name = name, Provider = "p", Model = name, Weight = weight, InputCostPerMillion = input, OutputCostPerMillion = output };

    private static ModelRoute Route(ModelRouteOptions options) =>
        RoutingTable.Create(new ModelsOptions { Models = [options with { Name = "chat" }] }, ["p"]).Routes[0];

    private static ModelRouteOptions Canary(double canaryPercent, string stickyBy = CanaryStickiness.Key, string? header = null) => new()
    {
        Targets = [T("stable"), T("canary")],
        Canary = new CanaryOptions
        {
            StickyBy = stickyBy,
            StickyHeader = header,
            Variants =
            [
                new CanaryVariantOptions { Name = "stable", Weight = 100 - canaryPercent, Targets = ["stable"] },
                new CanaryVariantOptions { Name = "canary", Weight = canaryPercent, Targets = ["canary"] },
            ],
        },
    };

    private RouteSelector Selector(TargetHealthRegistry? health = null, Func<double>? sample = null, IModelPriceLookup? prices = null) =>
        new(health ?? new TargetHealthRegistry(_time, publish: false), prices, sample ?? new Random(1).NextDouble);

    [Fact]
    public void Canary_TenThousandKeys_WithinTwoPointsOfWeightAndStablePerKey()
    {
        var route = Route(Canary(10));
        var rebuilt = Route(Canary(10));
        var selector = Selector();
        var other = Selector(sample: new Random(99).NextDouble);
        var canary = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var request = new RouteRequest { TenantId = "t", KeyId = $"key-{i}" };
            var first = selector.Select(route, request);
            var again = other.Select(rebuilt, request);
            Assert.Equal(first.Variant, again.Variant);
            Assert.Equal(first.Candidates[0].Target.Name, first.Variant);
            if (first.Variant == "canary")
            {
                canary++;
            }
        }

        Assert.InRange(canary / 10_000.0, 0.08, 0.12);
    }

    [Fact]
    public void Canary_StickyByHeader_SameValueSameVariantAndOverrideWins()
    {
        var route = Route(Canary(50, CanaryStickiness.Header, "X-User"));
        var selector = Selector();
        var variants = Enumerable.Range(0, 20)
            .Select(i => selector.Select(route, new RouteRequest { Headers = new Dictionary<string, string> { ["x-user"] = "u-42" } }).Variant)
            .Distinct()
            .ToList();
        var forced = selector.Select(route, new RouteRequest { Headers = new Dictionary<string, string> { ["x-user"] = "u-42", ["x-mesh-variant"] = "canary" } });
        var forcedStable = selector.Select(route, new RouteRequest { Headers = new Dictionary<string, string> { ["x-user"] = "u-42", ["x-mesh-variant"] = "stable" } });

        Assert.Single(variants);
        Assert.Equal("canary", forced.Variant);
        Assert.Equal("canary", forced.Candidates[0].Target.Name);
        Assert.Equal("stable", forcedStable.Candidates[0].Target.Name);
    }

    [Fact]
    public void Rules_TierToolsImagesTaskRegionAndPromptLength_PickTheirTargets()
    {
        var route = Route(new ModelRouteOptions
        {
            Targets = [T("cheap"), T("premium", 0), T("vision", 0), T("tools", 0), T("long", 0), T("eu", 0), T("code", 0)],
            Rules =
            [
                new RouteRuleOptions { Name = "gold", Match = new RouteMatchOptions { Tiers = ["gold"] }, Targets = ["premium"] },
                new RouteRuleOptions { Match = new RouteMatchOptions { Images = true }, Targets = ["vision"] },
                new RouteRuleOptions { Match = new RouteMatchOptions { Tools = true }, Targets = ["tools"] },
                new RouteRuleOptions { Match = new RouteMatchOptions { MinPromptTokens = 1_000 }, Targets = ["long"] },
                new RouteRuleOptions { Match = new RouteMatchOptions { Regions = ["eu-west-1"] }, Targets = ["eu"] },
                new RouteRuleOptions { Match = new RouteMatchOptions { Tasks = ["code"] }, Targets = ["code"] },
            ],
        });
        var selector = Selector();
        static ChatRequest Chat(string text) => new() { Model = "chat", Messages = [ChatMessage.User(text)] };
        string Pick(RouteRequest request) => selector.Select(route, request).Candidates[0].Target.Name;

        Assert.Equal("cheap", Pick(new RouteRequest { Chat = Chat("hi") }));
        Assert.Equal("premium", Pick(new RouteRequest { Chat = Chat("hi"), TenantLabels = new Dictionary<string, string> { ["tier"] = "gold" } }));
        Assert.Equal("vision", Pick(new RouteRequest { Chat = new ChatRequest { Model = "chat", Messages = [new ChatMessage { Role = ChatRole.User, Content = [new ImageContentPart { Url = new Uri("https://example.com/a.png") }] }] } }));
        Assert.Equal("tools", Pick(new RouteRequest { Chat = Chat("hi") with { Tools = [new ChatToolDefinition { Name = "f" }] } }));
        Assert.Equal("long", Pick(new RouteRequest { Chat = Chat(string.Join(' ', Enumerable.Repeat("word", 2_000))) }));
        Assert.Equal("eu", Pick(new RouteRequest { Chat = Chat("hi"), Headers = new Dictionary<string, string> { ["x-mesh-region"] = "eu-west-1" } }));
        Assert.Equal("eu", Pick(new RouteRequest { Chat = Chat("hi"), TenantLabels = new Dictionary<string, string> { ["region"] = "eu-west-1" } }));
        Assert.Equal("code", Pick(new RouteRequest { Chat = Chat("hi") with { Metadata = new Dictionary<string, string> { ["task"] = "code" } } }));
        Assert.Equal("gold", selector.Select(route, new RouteRequest { TenantLabels = new Dictionary<string, string> { ["tier"] = "gold" } }).Rule);
    }

    [Fact]
    public void LeastBusy_PicksTheTargetWithFewestInFlight()
    {
        var health = new TargetHealthRegistry(_time, publish: false);
        var route = Route(new ModelRouteOptions { Strategy = RouteStrategies.LeastBusy, Targets = [T("a"), T("b"), T("c")] });
        health.Get(route.Targets[0]).Begin();
        health.Get(route.Targets[0]).Begin();
        health.Get(route.Targets[2]).Begin();

        var picked = Selector(health).Select(route, new RouteRequest()).Candidates[0].Target.Name;

        Assert.Equal("b", picked);
    }

    [Fact]
    public void Cost_CheapestWithinLatencyBound_ElseFastest()
    {
        var health = new TargetHealthRegistry(_time, publish: false);
        var route = Route(new ModelRouteOptions
        {
            Strategy = RouteStrategies.CostAware,
            LatencyBoundMs = 500,
            Targets = [T("dear", input: 10, output: 30), T("cheap-slow", input: 0.1m, output: 0.4m), T("mid", input: 1, output: 2)],
        });
        Observe(health, route.Targets[0], 200);
        Observe(health, route.Targets[1], 900);
        Observe(health, route.Targets[2], 300);
        var selector = Selector(health);

        Assert.Equal("mid", selector.Select(route, new RouteRequest()).Candidates[0].Target.Name);

        var tight = Route(new ModelRouteOptions { Strategy = RouteStrategies.CostAware, LatencyBoundMs = 100, Targets = route.Targets.Select(t => T(t.Name, input: t.Price!.InputPerMillion, output: t.Price.OutputPerMillion)).ToList() });
        Assert.Equal("dear", selector.Select(tight, new RouteRequest()).Candidates[0].Target.Name);
    }

    [Fact]
    public void Cost_TargetWithoutPrice_UsesThePriceTable()
    {
        var route = Route(new ModelRouteOptions { Strategy = RouteStrategies.CostAware, Targets = [T("gpt-4o"), T("gpt-4o-mini")] });
        var prices = new Prices(new Dictionary<string, (decimal, decimal)> { ["gpt-4o"] = (2.5m, 10m), ["gpt-4o-mini"] = (0.15m, 0.6m) });

        Assert.Equal("gpt-4o-mini", Selector(prices: prices).Select(route, new RouteRequest()).Candidates[0].Target.Name);
    }

    [Fact]
    public void Priority_FirstNotEjectedInOrder()
    {
        var health = new TargetHealthRegistry(_time, publish: false);
        var route = Route(new ModelRouteOptions { Strategy = RouteStrategies.Priority, Targets = [T("first"), T("second"), T("third")] });
        var selector = Selector(health);
        Assert.Equal("first", selector.Select(route, new RouteRequest()).Candidates[0].Target.Name);

        for (var i = 0; i < 5; i++)
        {
            Fail(health, route.Targets[0], route.OutlierDetection);
        }

        Assert.Equal(TargetState.Ejected, health.GetState(route.Targets[0]));
        Assert.Equal("second", selector.Select(route, new RouteRequest()).Candidates[0].Target.Name);
    }

    [Fact]
    public void Ejection_BackoffThenOneProbe_SuccessRestoresFailureDoublesTheEjection()
    {
        var health = new TargetHealthRegistry(_time, publish: false);
        var route = Route(new ModelRouteOptions
        {
            Strategy = RouteStrategies.Priority,
            Targets = [T("a"), T("b")],
            OutlierDetection = new OutlierDetectionOptions { ConsecutiveFailures = 3, BaseEjectionMs = 10_000, MaxEjectionMs = 60_000 },
        });
        var a = route.Targets[0];
        var selector = Selector(health);
        for (var i = 0; i < 3; i++)
        {
            Fail(health, a, route.OutlierDetection);
        }

        Assert.Equal("b", selector.Select(route, new RouteRequest()).Candidates[0].Target.Name);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TargetState.Probing, health.GetState(a));
        Assert.Equal("a", selector.Select(route, new RouteRequest()).Candidates[0].Target.Name);

        var probe = health.Get(a).Begin();
        Assert.Equal("b", selector.Select(route, new RouteRequest()).Candidates[0].Target.Name);
        health.Get(a).End(probe, AttemptOutcome.Failure, route.OutlierDetection);
        Assert.Equal(TargetState.Ejected, health.GetState(a));
        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(TargetState.Ejected, health.GetState(a));
        _time.Advance(TimeSpan.FromSeconds(1));

        var second = health.Get(a).Begin();
        health.Get(a).End(second, AttemptOutcome.Success, route.OutlierDetection);
        Assert.Equal(TargetState.Healthy, health.GetState(a));
        Assert.Equal("a", selector.Select(route, new RouteRequest()).Candidates[0].Target.Name);
    }

    [Fact]
    public void Ejection_FailurePercentageOverWindow_Ejects()
    {
        var health = new TargetHealthRegistry(_time, publish: false);
        var options = new OutlierDetectionOptions { ConsecutiveFailures = 0, FailurePercentage = 30, MinimumRequests = 10, WindowMs = 10_000 };
        var route = Route(new ModelRouteOptions { Targets = [T("a"), T("b")], OutlierDetection = options });
        var a = route.Targets[0];
        for (var i = 0; i < 10; i++)
        {
            var ticket = health.Get(a).Begin();
            health.Get(a).End(ticket, i % 4 == 0 ? AttemptOutcome.Failure : AttemptOutcome.Success, options);
        }

        Assert.Equal(TargetState.Healthy, health.GetState(a));
        Fail(health, a, options);
        Fail(health, a, options);

        Assert.Equal(TargetState.Ejected, health.GetState(a));
    }

    [Fact]
    public void Ejection_CappedByMaxEjectedPercent_SoonestToReturnComesBack()
    {
        var health = new TargetHealthRegistry(_time, publish: false);
        var options = new OutlierDetectionOptions { ConsecutiveFailures = 1, MaxEjectedPercent = 50 };
        var route = Route(new ModelRouteOptions { Strategy = RouteStrategies.Priority, Targets = [T("a"), T("b"), T("c"), T("d")], OutlierDetection = options });
        foreach (var target in route.Targets.Take(3))
        {
            Fail(health, target, options);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = Selector(health).Select(route, new RouteRequest()).Candidates[0].Target.Name;

        Assert.Equal("a", first);
    }

    [Fact]
    public void LatencyAware_PrefersTheFasterTarget()
    {
        var health = new TargetHealthRegistry(_time, publish: false);
        var route = Route(new ModelRouteOptions { Strategy = RouteStrategies.LatencyAware, Targets = [T("fast"), T("slow")] });
        Observe(health, route.Targets[0], 100);
        Observe(health, route.Targets[1], 400);
        var selector = Selector(health);

        var picks = Enumerable.Range(0, 100).Select(_ => selector.Select(route, new RouteRequest()).Candidates[0].Target.Name).ToList();

        Assert.All(picks, p => Assert.Equal("fast", p));
    }

    [Fact]
    public void LatencyAware_FastTargetCarryingItsUsualLoad_StillWins()
    {
        // The fast target was measured with 12 calls in flight and has 12 in flight now: its load is usual, not a queue.
        var health = new TargetHealthRegistry(_time, publish: false);
        var route = Route(new ModelRouteOptions { Strategy = RouteStrategies.LatencyAware, Targets = [T("fast"), T("slow")] });
        for (var i = 0; i < 11; i++)
        {
            health.Get(route.Targets[0]).Begin();
        }

        for (var i = 0; i < 5; i++)
        {
            Observe(health, route.Targets[0], 100);
        }

        Observe(health, route.Targets[1], 400);
        var selector = Selector(health);

        var picks = Enumerable.Range(0, 100).Select(_ => selector.Select(route, new RouteRequest()).Candidates[0].Target.Name).ToList();

        Assert.All(picks, p => Assert.Equal("fast", p));
    }

    [Fact]
    public void LatencyAware_LoadBeyondWhatTheEstimateWasMeasuredUnder_Spreads()
    {
        // Both answer in 100 ms one call at a time; three calls already queued on a make b the better choice.
        var health = new TargetHealthRegistry(_time, publish: false);
        var route = Route(new ModelRouteOptions { Strategy = RouteStrategies.LatencyAware, Targets = [T("a"), T("b")] });
        Observe(health, route.Targets[0], 100);
        Observe(health, route.Targets[1], 100);
        for (var i = 0; i < 3; i++)
        {
            health.Get(route.Targets[0]).Begin();
        }

        var selector = Selector(health);

        var picks = Enumerable.Range(0, 100).Select(_ => selector.Select(route, new RouteRequest()).Candidates[0].Target.Name).ToList();

        Assert.All(picks, p => Assert.Equal("b", p));
    }

    [Fact]
    public async Task Router_CanaryAssignment_RecordedInDecisionAndServedByVariant()
    {
        var stable = new ScriptedProvider("stable") { Default = Step.Text("from stable") };
        var canary = new ScriptedProvider("canary") { Default = Step.Text("from canary") };
        var models = new ModelsOptions
        {
            Models =
            [
                new ModelRouteOptions
                {
                    Name = "chat",
                    Targets = [new RouteTargetOptions { Provider = "stable", Model = "m" }, new RouteTargetOptions { Provider = "canary", Model = "m2" }],
                    Canary = new CanaryOptions
                    {
                        StickyBy = CanaryStickiness.Tenant,
                        Variants =
                        [
                            new CanaryVariantOptions { Name = "v1", Weight = 50, Targets = ["stable/m"] },
                            new CanaryVariantOptions { Name = "v2", Weight = 50, Targets = ["canary/m2"] },
                        ],
                    },
                },
            ],
        };
        var harness = new RouterHarness(models, null, stable, canary);
        for (var i = 0; i < 20; i++)
        {
            var context = harness.Context("chat", streaming: i % 2 == 0);
            context.Identity = new CallIdentity($"tenant-{i}", null, CallIdentity.ApiKey);
            var result = await harness.Router.HandleAsync(context, TestContext.Current.CancellationToken);
            if (result.Stream is { } stream)
            {
                await foreach (var _ in stream)
                {
                }
            }

            Assert.True(context.Properties.TryGetValue(RoutingPropertyKeys.Decision, out var decision));
            Assert.Equal(decision.Variant == "v1" ? "stable" : "canary", context.ServedTarget!.Provider);
            Assert.Equal(RouteStrategies.Weighted, decision.Strategy);
            Assert.Equal(0, harness.Router.Health.GetInFlight(new RouteTarget(context.ServedTarget.Provider, context.ServedTarget.Model, 1, null)));
        }

        Assert.NotEmpty(stable.Calls);
        Assert.NotEmpty(canary.Calls);
    }

    private void Observe(TargetHealthRegistry health, RouteTarget target, int ms)
    {
        var ticket = health.Get(target).Begin();
        _time.Advance(TimeSpan.FromMilliseconds(ms));
        health.Get(target).End(ticket, AttemptOutcome.Success, new OutlierDetectionOptions());
    }

    private static void Fail(TargetHealthRegistry health, RouteTarget target, OutlierDetectionOptions options)
    {
        var ticket = health.Get(target).Begin();
        health.Get(target).End(ticket, AttemptOutcome.Failure, options);
    }

    private sealed class Prices(Dictionary<string, (decimal Input, decimal Output)> table) : IModelPriceLookup
    {
        public bool TryGetPerMillion(string model, out decimal input, out decimal output)
        {
            var found = table.TryGetValue(model, out var price);
            (input, output) = price;
            return found;
        }
    }
}
