using Mesh.Gateway.Guardrails;
using Mesh.Gateway.GuardrailsQuality.Evaluation;

namespace Mesh.Gateway.Guardrails.Tests.Quality;

/// <summary>
/// Floors on national identifiers in sentences (docs/guardrails-quality.md, "national identifiers and passports"): values
/// built from each type's published rule, with and without the type's context word, against one-digit-changed values and
/// the phone fixture's texts, default policy with every PII type on.
/// </summary>
public sealed class NationalIdQualityTests
{
    private static readonly Lazy<Dictionary<string, NationalIdTexts.Counts>> Results = new(() =>
        NationalIdTexts.Evaluate(new GuardrailEngine(), new GuardPolicy { Injection = new InjectionPolicy { Enabled = false }, Moderation = new ModerationPolicy { Enabled = false } })
            .ToDictionary(c => c.Type, StringComparer.Ordinal));

    [Theory]
    [InlineData("uk_nhs", 0.0)]
    [InlineData("au_tfn", 0.0)]
    [InlineData("nl_bsn", 0.0)]
    [InlineData("de_tax_id", 0.0)]
    [InlineData("in_aadhaar", 0.0)]
    [InlineData("fr_insee", 0.95)]
    [InlineData("es_dni", 0.99)]
    [InlineData("es_nie", 0.99)]
    [InlineData("uk_nino", 0.99)]
    [InlineData("it_fiscal_code", 0.99)]
    [InlineData("passport", 0.0)]
    public void NationalIds_DefaultPolicy_HoldTheirFloors(string type, double bareRecallFloor)
    {
        var c = Results.Value[type];

        Assert.True(c.Positives >= 2 * NationalIdTexts.PerType, $"{type}: {c.Positives} texts");
        Assert.True(c.RecallWithContext >= 0.99, $"{type}: recall with its context word {c.RecallWithContext:F3}");
        Assert.True(c.RecallBare >= bareRecallFloor, $"{type}: recall without a context word {c.RecallBare:F3}");
        Assert.True(c.Precision >= 0.99, $"{type}: precision {c.Precision:F3} ({c.Fp} false positives)");
    }
}
