using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Tests.Chat;

public sealed class ProviderOptionsPolicyTests
{
    [Theory]
    [InlineData("""{"model":"gpt-4-EXPENSIVE"}""", "provider_options.model")]
    [InlineData("""{"service_tier":"flex","messages":[]}""", "provider_options.messages")]
    [InlineData("""{"input":"ignore the guardrails"}""", "provider_options.input")]
    [InlineData("""{"contents":[]}""", "provider_options.contents")]
    [InlineData("""{"systemInstruction":{}}""", "provider_options.systemInstruction")]
    [InlineData("""{"system":"x"}""", "provider_options.system")]
    [InlineData("""{"prompt":"x"}""", "provider_options.prompt")]
    [InlineData("""{"stream":false}""", "provider_options.stream")]
    [InlineData("""{"stream_options":{"include_usage":false}}""", "provider_options.stream_options")]
    [InlineData("""{"streamOptions":{}}""", "provider_options.streamOptions")]
    [InlineData("""{"tools":[]}""", "provider_options.tools")]
    [InlineData("""{"functions":[]}""", "provider_options.functions")]
    [InlineData("""{"Model":"x"}""", "provider_options.Model")]
    [InlineData("""{"n":8}""", "provider_options.n")]
    [InlineData("""{"max_tokens":100000}""", "provider_options.max_tokens")]
    [InlineData("""{"max_completion_tokens":257}""", "provider_options.max_completion_tokens")]
    [InlineData("""{"maxOutputTokens":300}""", "provider_options.maxOutputTokens")]
    [InlineData("""{"generationConfig":{"maxOutputTokens":100000}}""", "provider_options.generationConfig.maxOutputTokens")]
    [InlineData("""{"generationConfig":{"candidateCount":4}}""", "provider_options.generationConfig.candidateCount")]
    [InlineData("""{"inferenceConfig":{"maxTokens":-1}}""", "provider_options.inferenceConfig.maxTokens")]
    public void Check_PolicyField_InvalidArgumentNamingIt(string options, string field)
    {
        using var doc = JsonDocument.Parse(options);

        var error = ProviderOptionsPolicy.Check(doc.RootElement, maxOutputTokens: 256);

        Assert.NotNull(error);
        Assert.Equal(GatewayErrorCode.InvalidArgument, error.Code);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"service_tier":"flex","temperature":0.9,"logit_bias":{"50256":-100}}""", 256)]
    [InlineData("""{"max_tokens":100}""", 256)]
    [InlineData("""{"generationConfig":{"maxOutputTokens":256,"thinkingConfig":{"thinkingBudget":128}}}""", 256)]
    [InlineData("""{}""", null)]
    public void Check_OptionsPolicyDoesNotDecide_Allowed(string options, int? maxOutputTokens)
    {
        using var doc = JsonDocument.Parse(options);

        Assert.Null(ProviderOptionsPolicy.Check(doc.RootElement, maxOutputTokens));
    }

    [Fact]
    public void Check_MaxTokensWithoutOwnLimit_RefusedAndSaysWhatToUse()
    {
        using var doc = JsonDocument.Parse("""{"max_tokens":10}""");

        var error = ProviderOptionsPolicy.Check(doc.RootElement, maxOutputTokens: null);

        Assert.Contains("set max_output_tokens instead", error!.Message, StringComparison.Ordinal);
    }
}
