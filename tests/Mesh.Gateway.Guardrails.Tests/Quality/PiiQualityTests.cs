using Mesh.Gateway.Guardrails;
using Mesh.Gateway.GuardrailsQuality.Evaluation;

namespace Mesh.Gateway.Guardrails.Tests.Quality;

/// <summary>Floors on Presidio's recognizer cases: precision and recall >= 0.95 per required entity type (every detector candidate counts).</summary>
public sealed class PiiQualityTests
{
    private static readonly Lazy<List<PiiEvaluation.Counts>> Results = new(() => PiiEvaluation.Evaluate(new GuardrailEngine(), threshold: 0));

    [Theory]
    [InlineData("email")]
    [InlineData("credit_card")]
    [InlineData("iban")]
    [InlineData("ip_address")]
    [InlineData("us_ssn")]
    [InlineData("phone")]
    public void Presidio_RequiredEntity_PrecisionAndRecallAtLeast095(string type)
    {
        var c = Results.Value.Single(r => r.Type == type);

        Assert.True(c.Tp + c.Fn >= 5, $"{type}: too few labelled spans ({c.Tp + c.Fn})");
        Assert.True(c.Precision >= 0.95, $"{type}: precision {c.Precision:F3} (tp {c.Tp}, fp {c.Fp})");
        Assert.True(c.Recall >= 0.95, $"{type}: recall {c.Recall:F3} (tp {c.Tp}, fn {c.Fn})");
    }
}
