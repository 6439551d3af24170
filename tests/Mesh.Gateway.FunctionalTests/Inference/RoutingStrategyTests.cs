using System.Diagnostics.Metrics;
using Grpc.Core;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Inference;

/// <summary>The routing strategies, canaries and match rules on the real sidecar (gRPC door), configured in YAML.</summary>
public sealed class RoutingStrategyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Generate_PriorityTargetKeepsFailing_EjectedAndTheNextTargetServes_StateOnTheMeter()
    {
        await using var failing = await FakeProviderServer.StartAsync(Ct);
        await using var healthy = await FakeProviderServer.StartAsync(Ct);
        failing.Default = FakeResponse.ServerError();
        healthy.Default = FakeResponse.OpenAIChat("from the second");
        var first = $"eject-{Guid.NewGuid():N}"[..14];
        await using var sidecar = await InferenceSidecar.StartAsync(
            $"providers:\n  - {{ name: {first}, kind: openai-compatible, base_url: '{failing.BaseUrl}v1', api_key: k }}\n"
            + $"  - {{ name: second, kind: openai-compatible, base_url: '{healthy.BaseUrl}v1', api_key: k }}\n"
            + "models:\n  - name: chat\n    strategy: priority\n    retry: { max_retries: 0 }\n    circuit_breaker: { enabled: false }\n"
            + "    outlier_detection: { consecutive_failures: 2, base_ejection_ms: 60000 }\n"
            + $"    targets: [ {{ provider: {first}, model: m1 }}, {{ provider: second, model: m2 }} ]\n");

        for (var i = 0; i < 2; i++)
        {
            var failed = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, failed.StatusCode);
        }

        var served = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct);

        Assert.Equal("from the second", served.Text);
        Assert.Equal("second", served.Provider);
        Assert.Equal(2, failing.RequestCount);
        Assert.Equal(1, ObserveState($"{first}/m1"));
    }

    [Fact]
    public async Task Generate_CanaryStickyByKey_OverrideMetadataPicksTheVariant()
    {
        await using var stable = await FakeProviderServer.StartAsync(Ct);
        await using var canary = await FakeProviderServer.StartAsync(Ct);
        stable.Default = FakeResponse.OpenAIChat("stable");
        canary.Default = FakeResponse.OpenAIChat("canary");
        await using var sidecar = await InferenceSidecar.StartAsync(
            "logging: { level: warning }\n" + InferenceSidecar.Providers(stable.BaseUrl, canary.BaseUrl)
            + "models:\n  - name: chat\n    targets: [ { name: old, provider: p0, model: m1 }, { name: new, provider: p1, model: m2 } ]\n"
            + "    canary:\n      sticky_by: header\n      sticky_header: x-user\n"
            + "      variants: [ { name: stable, weight: 90, targets: [old] }, { name: canary, weight: 10, targets: [new] } ]\n");

        var texts = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            texts.Add((await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), new Metadata { { "x-user", "user-7" } }, cancellationToken: Ct)).Text);
        }

        var forced = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), new Metadata { { "x-user", "user-7" }, { "x-mesh-variant", "canary" } }, cancellationToken: Ct);
        var forcedBack = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), new Metadata { { "x-user", "user-7" }, { "x-mesh-variant", "stable" } }, cancellationToken: Ct);

        Assert.Single(texts);
        Assert.Equal("canary", forced.Text);
        Assert.Equal("stable", forcedBack.Text);
    }

    [Fact]
    public async Task Generate_RuleOnTenantTier_GoldTenantGoesToItsTarget()
    {
        const string goldKey = "mesh-routing-gold";
        const string freeKey = "mesh-routing-free";
        await using var cheap = await FakeProviderServer.StartAsync(Ct);
        await using var premium = await FakeProviderServer.StartAsync(Ct);
        cheap.Default = FakeResponse.OpenAIChat("cheap");
        premium.Default = FakeResponse.OpenAIChat("premium");
        await using var sidecar = await InferenceSidecar.StartAsync(
            "logging: { level: warning }\n" + InferenceSidecar.Providers(cheap.BaseUrl, premium.BaseUrl)
            + "models:\n  - name: chat\n    targets: [ { name: cheap, provider: p0, model: m1 }, { name: premium, provider: p1, model: m2, weight: 0 } ]\n"
            + "    rules: [ { name: gold-tier, match: { tiers: [gold] }, targets: [premium] } ]\n"
            + $"tenants:\n  - {{ id: gold-co, tier: gold, api_keys: [\"{ApiKeyHash.Format(goldKey)}\"], models: [\"*\"] }}\n"
            + $"  - {{ id: free-co, labels: {{ region: eu }}, api_keys: [\"{ApiKeyHash.Format(freeKey)}\"], models: [\"*\"] }}\n");

        var gold = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), new Metadata { { "authorization", "Bearer " + goldKey } }, cancellationToken: Ct);
        var free = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), new Metadata { { "authorization", "Bearer " + freeKey } }, cancellationToken: Ct);

        Assert.Equal("premium", gold.Text);
        Assert.Equal("cheap", free.Text);
    }

    [Fact]
    public async Task Start_UnknownStrategyCanaryWeightsDoNotSumRuleNamesUnknownTarget_FailsNamingEveryKey()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => InferenceSidecar.StartAsync(
            "providers:\n  - { name: mock, kind: mock }\nmodels:\n  - name: chat\n    strategy: fastest\n"
            + "    targets: [ { name: a, provider: mock, model: m1 }, { name: b, provider: mock, model: m2 } ]\n"
            + "    canary: { variants: [ { name: x, weight: 50, targets: [a] }, { name: y, weight: 30, targets: [c] } ] }\n"
            + "    rules: [ { match: { tools: true }, targets: [d] } ]\n"));

        Assert.Contains("models[0].strategy: unknown strategy 'fastest'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("models[0].canary.variants: the weights are percentages and must sum to 100 (they sum to 80)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("models[0].canary.variants[1].targets: unknown target 'c'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("models[0].rules[0].targets: unknown target 'd'", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The latest <c>mesh.gateway.target.state</c> of <paramref name="target"/>, read as an OpenTelemetry reader would.</summary>
    private static int? ObserveState(string target)
    {
        int? state = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatewayTelemetry.Meter.Name && instrument.Name == GenAiMetricNames.TargetState)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == GenAiAttributes.MeshTarget && (string?)tag.Value == target)
                {
                    state = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return state;
    }
}
