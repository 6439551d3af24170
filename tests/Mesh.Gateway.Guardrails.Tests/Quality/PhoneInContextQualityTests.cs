using Mesh.Gateway.Guardrails;
using Mesh.Gateway.GuardrailsQuality.Evaluation;

namespace Mesh.Gateway.Guardrails.Tests.Quality;

/// <summary>
/// Floors on phone numbers in context (libphonenumber's example numbers for every region, in six written forms, inside
/// sentences; plus sentences of numbers that are not phones). The rules were not written with these texts in view; the
/// floors are what libphonenumber validation reaches (docs/guardrails-quality.md), so they never slide back.
/// </summary>
public sealed class PhoneInContextQualityTests
{
    private static readonly GuardPolicy PhoneOnly = new()
    {
        Pii = new PiiPolicy { Entities = [PiiEntityTypes.Phone] },
        Injection = new InjectionPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Enabled = false },
    };

    private static readonly Lazy<List<PhoneTexts.Counts>> Results = new(() => PhoneTexts.Evaluate(new GuardrailEngine(), PhoneOnly));

    [Theory]
    [InlineData("international", 0.99)]
    [InlineData("E.164", 0.99)]
    [InlineData("international, hyphens", 0.99)]
    [InlineData("00 prefix", 0.99)]
    [InlineData("(+CC)", 0.99)]
    [InlineData("national (no country code)", 0.55)]
    public void PhoneInContext_DefaultPolicy_RecallAndPrecisionHoldTheirFloors(string format, double recallFloor)
    {
        var c = Results.Value.Single(r => r.Format == format);

        Assert.True(c.Texts >= 1000, $"{format}: {c.Texts} texts");
        Assert.True(c.Recall >= recallFloor, $"{format}: recall {c.Recall:F3} (tp {c.Tp}, fn {c.Fn})");
        Assert.True(c.Precision >= 0.99, $"{format}: precision {c.Precision:F3} (tp {c.Tp}, fp {c.Fp})");
    }

    [Fact]
    public void NumbersThatAreNotPhones_AtMostTwoFindings()
    {
        var c = Results.Value.Single(r => r.Format == "not phones");

        // Known: a 4-4-4 ticket number and a 0-prefixed part number still read as phones (rule shapes, no country code to validate).
        Assert.True(c.Fp <= 2, $"{c.Fp} phone findings in {c.Texts} texts without phones");
    }

    [Theory]
    [InlineData("Call me on +44 20 7946 0958 tonight.", "+44 20 7946 0958")]
    [InlineData("Ring (+33) 1 23 45 67 89 for the desk.", "(+33) 1 23 45 67 89")]
    [InlineData("From abroad dial 0049 30 901820 please.", "0049 30 901820")]
    [InlineData("Niue's operator is on +683 7290.", "+683 7290")]
    public void ValidInternationalNumber_IsRedactedWithoutAContextWord(string text, string number)
    {
        var result = new GuardrailEngine().Inspect(text, GuardDirection.Input, PhoneOnly);

        var finding = Assert.Single(result.Findings);
        Assert.Equal(number, text[finding.Utf16Start..finding.Utf16End]);
        Assert.DoesNotContain(number, result.RedactedText, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidInternationalNumber_IsNotAFindingWithoutContext()
    {
        // +44 followed by digits no British number plan has: libphonenumber says invalid, so the shape alone is not enough.
        var result = new GuardrailEngine().Inspect("The sample id is +44 0000 000000 in the log.", GuardDirection.Input, PhoneOnly);

        Assert.Empty(result.Findings);
    }
}
