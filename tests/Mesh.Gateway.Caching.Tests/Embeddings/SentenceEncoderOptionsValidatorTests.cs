using Mesh.Gateway.Embeddings;

namespace Mesh.Gateway.Caching.Tests.Embeddings;

public sealed class SentenceEncoderOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Int8AndPasses()
    {
        var options = new SentenceEncoderOptions();

        Assert.Equal("int8", options.Precision);
        Assert.True(new SentenceEncoderOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_UnknownPrecisionAndNoWindows_EachNamedByItsKey()
    {
        var result = new SentenceEncoderOptionsValidator().Validate(null, new SentenceEncoderOptions { Precision = "fp16", MaxWindows = 0 });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, static f => f.StartsWith("sentence_encoder.precision: 'fp16'", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, static f => f.StartsWith("sentence_encoder.max_windows: 0", StringComparison.Ordinal));
    }
}
