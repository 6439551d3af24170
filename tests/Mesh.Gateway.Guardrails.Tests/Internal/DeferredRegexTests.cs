using System.Text.RegularExpressions;
using Mesh.Gateway.Guardrails.Injection;
using Mesh.Gateway.Guardrails.Internal;
using Mesh.Gateway.Guardrails.Moderation;

namespace Mesh.Gateway.Guardrails.Tests.Internal;

/// <summary>The detectors' regexes are built on first use (issue 22); a pattern the engine cannot build still fails in a test.</summary>
public sealed class DeferredRegexTests
{
    [Fact]
    public void Value_NotReadYet_NotBuilt()
    {
        var regex = new DeferredRegex(@"\bhello\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking);

        Assert.False(regex.IsBuilt);
        Assert.Matches(regex.Value, "Say HELLO in five words.");
        Assert.True(regex.IsBuilt);
    }

    [Fact]
    public async Task Value_ManyFirstUsesAtOnce_OneRegex()
    {
        var regex = new DeferredRegex(@"\b(kill|hurt)\s+myself\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking);
        using var start = new Barrier(8);

        var built = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return regex.Value;
        })));

        Assert.All(built, r => Assert.Same(built[0], r));
    }

    [Fact]
    public void BuildAll_EveryModerationAndInjectionPattern_BuildsNonBacktracking()
    {
        var regexes = ModerationScorer.BuildAll().Concat(InjectionScorer.BuildAll()).ToList();

        Assert.Equal(ModerationLexicon.Rules.Length + 3 + 9, regexes.Count);
        Assert.All(regexes, r => Assert.True((r.Options & RegexOptions.NonBacktracking) != 0, r.ToString()));
    }
}
