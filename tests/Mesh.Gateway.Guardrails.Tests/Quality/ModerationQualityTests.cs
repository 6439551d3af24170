using Mesh.Gateway.Guardrails;
using Mesh.Gateway.GuardrailsQuality.Evaluation;

namespace Mesh.Gateway.Guardrails.Tests.Quality;

/// <summary>Floors on the held-out half of hatecheck and toxigen, at what the local rules reach (see docs/guardrails-quality.md for the gap).</summary>
public sealed class ModerationQualityTests
{
    private static readonly Lazy<List<ModerationEvaluation.Counts>> HeldOut = new(() => ModerationEvaluation.Evaluate(new GuardrailEngine(), SplitPart.HeldOut));

    [Theory]
    [InlineData("hatecheck", "hate", 0.83, 0.58)]
    [InlineData("toxigen", "hate", 0.85, 0.25)]
    [InlineData("hatecheck", "violence", 0.25, 0.30)]
    public void HeldOut_Category_PrecisionAndRecallAtLeastFloor(string set, string category, double precision, double recall)
    {
        var c = HeldOut.Value.Single(r => r.Set == set && r.Category == category);

        Assert.True(c.Precision >= precision, $"{set}/{category}: precision {c.Precision:F3}");
        Assert.True(c.Recall >= recall, $"{set}/{category}: recall {c.Recall:F3}");
    }

    [Theory]
    [InlineData("self_harm")]
    [InlineData("sexual")]
    [InlineData("harassment")]
    public void HeldOut_UnlabelledCategory_RarelyFlagsHateSpeechSets(string category)
    {
        foreach (var c in HeldOut.Value.Where(r => r.Category == category))
        {
            Assert.True(c.FlagRate <= 0.03, $"{c.Set}/{category}: flag rate {c.FlagRate:F3}");
        }
    }
}
