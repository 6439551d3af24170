using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;
using static Mesh.Gateway.Core.Tests.Prompts.PromptFixtures;

namespace Mesh.Gateway.Core.Tests.Prompts;

public sealed class PromptVersionSelectorTests
{
    private const int Calls = 10_000;

    private static readonly Dictionary<string, PromptValue> Variables = new() { ["text"] = PromptValue.FromString("t") };

    [Fact]
    public async Task Select_StickyByKey_SplitWithinThreePercentOverTenThousandKeys()
    {
        var runner = Runner(Registry(Summarize), []);
        var first = 0;
        for (var i = 0; i < Calls; i++)
        {
            var prepared = await PrepareAsync(runner, "summarize", Variables, label: "ab", identity: new CallIdentity("acme", $"key-{i:x6}", CallIdentity.ApiKey));
            first += prepared.Call!.Version == "1" ? 1 : 0;
        }

        Assert.InRange(first / (double)Calls, 0.67, 0.73);
    }

    [Fact]
    public async Task Select_Random_SplitWithinThreePercentOverTenThousandCalls()
    {
        var runner = Runner(Registry(Summarize), [], new Random(20261207));
        var first = 0;
        for (var i = 0; i < Calls; i++)
        {
            var prepared = await PrepareAsync(runner, "summarize", Variables, label: "ab-random", identity: new CallIdentity("acme", "key-1", CallIdentity.ApiKey));
            first += prepared.Call!.Version == "1" ? 1 : 0;
        }

        Assert.InRange(first / (double)Calls, 0.67, 0.73);
    }

    [Fact]
    public async Task Select_StickyByKey_OneKeyAlwaysGetsTheSameVersion()
    {
        var runner = Runner(Registry(Summarize), []);
        for (var k = 0; k < 50; k++)
        {
            var identity = new CallIdentity("acme", $"key-{k}", CallIdentity.ApiKey);
            var versions = new HashSet<string>();
            for (var i = 0; i < 20; i++)
            {
                versions.Add((await PrepareAsync(runner, "summarize", Variables, label: "ab", identity: identity)).Call!.Version);
            }

            Assert.Single(versions);
        }
    }

    [Fact]
    public async Task Select_StickyByKey_BothVersionsServed()
    {
        var runner = Runner(Registry(Summarize), []);
        var versions = new HashSet<string>();
        for (var k = 0; k < 100; k++)
        {
            versions.Add((await PrepareAsync(runner, "summarize", Variables, label: "ab", identity: new CallIdentity("acme", $"key-{k}", CallIdentity.ApiKey))).Call!.Version);
        }

        Assert.Equal(["1", "3"], versions.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Point_DependsOnPromptLabelAndCaller()
    {
        var point = PromptVersionSelector.Point("summarize", "ab", "key-1");

        Assert.Equal(point, PromptVersionSelector.Point("summarize", "ab", "key-1"));
        Assert.NotEqual(point, PromptVersionSelector.Point("summarize", "ab", "key-2"));
        Assert.NotEqual(point, PromptVersionSelector.Point("summarize", "ab2", "key-1"));
        Assert.InRange(point, 0.0, 1.0);
    }
}
