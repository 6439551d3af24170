namespace Mesh.Gateway.Tokenizers.Tests.Chat;

public sealed class ModelTokenizerTests
{
    [Theory]
    [InlineData("gpt-4o", TiktokenEncoding.O200kBaseName)]
    [InlineData("gpt-4o-mini-2024-07-18", TiktokenEncoding.O200kBaseName)]
    [InlineData("chatgpt-4o-latest", TiktokenEncoding.O200kBaseName)]
    [InlineData("gpt-4.1-nano", TiktokenEncoding.O200kBaseName)]
    [InlineData("gpt-4.5-preview", TiktokenEncoding.O200kBaseName)]
    [InlineData("o1-mini", TiktokenEncoding.O200kBaseName)]
    [InlineData("o3", TiktokenEncoding.O200kBaseName)]
    [InlineData("o4-mini", TiktokenEncoding.O200kBaseName)]
    [InlineData("gpt-5-nano-2025-08-07", TiktokenEncoding.O200kBaseName)]
    [InlineData("GPT-5", TiktokenEncoding.O200kBaseName)]
    [InlineData("openai/gpt-4o", TiktokenEncoding.O200kBaseName)]
    [InlineData("gpt-oss-120b", TiktokenEncoding.O200kHarmonyName)]
    [InlineData("gpt-4", TiktokenEncoding.Cl100kBaseName)]
    [InlineData("gpt-4-turbo", TiktokenEncoding.Cl100kBaseName)]
    [InlineData("gpt-3.5-turbo", TiktokenEncoding.Cl100kBaseName)]
    [InlineData("gpt-35-turbo", TiktokenEncoding.Cl100kBaseName)]
    [InlineData("text-embedding-3-small", TiktokenEncoding.Cl100kBaseName)]
    [InlineData("text-embedding-ada-002", TiktokenEncoding.Cl100kBaseName)]
    public void Resolve_OpenAiModel_IsExactWithItsEncoding(string model, string encoding)
    {
        ModelTokenizer tokenizer = ModelTokenizerResolver.Default.Resolve(model);

        Assert.Equal(encoding, tokenizer.Encoding.Name);
        Assert.Equal(TokenCountKind.Exact, tokenizer.Kind);
    }

    [Theory]
    [InlineData("claude-3-5-sonnet-20241022", 1.20)]
    [InlineData("anthropic.claude-3-haiku-20240307-v1:0", 1.20)]
    [InlineData("gemini-2.0-flash", 1.05)]
    [InlineData("meta.llama3-70b-instruct-v1:0", 1.10)]
    [InlineData("mistral-large-latest", 1.15)]
    [InlineData("amazon.titan-text-express-v1", 1.15)]
    [InlineData("some-new-model", 1.25)]
    public void Resolve_OtherProvidersModel_IsAnEstimateByFamily(string model, double factor)
    {
        ModelTokenizer tokenizer = ModelTokenizerResolver.Default.Resolve(model);

        Assert.Equal(TokenCountKind.Estimate, tokenizer.Kind);
        Assert.Equal(factor, tokenizer.EstimateFactor);
    }

    [Fact]
    public void CountText_Estimate_IsO200kCountTimesFactorRoundedUp()
    {
        const string text = "The quick brown fox jumps over the lazy dog.";
        int o200k = TiktokenEncoding.O200kBase.CountTokens(text);
        var counter = new TokenCounter();

        TokenCount claude = counter.CountText("claude-sonnet-4", text);
        TokenCount gpt = counter.CountText("gpt-4o", text);

        Assert.Equal(new TokenCount(o200k, TokenCountKind.Exact, TiktokenEncoding.O200kBaseName), gpt);
        Assert.Equal((int)Math.Ceiling(o200k * 1.2), claude.Tokens);
        Assert.False(claude.IsExact);
    }

    [Fact]
    public void Options_NewModelPrefixAndFactor_OverrideTheBuiltInTable()
    {
        var counter = new TokenCounter(new TokenizerOptions
        {
            ModelEncodings = new Dictionary<string, string> { ["my-finetune-"] = "cl100k_base", ["gpt-4o-legacy"] = "cl100k_base" },
            EstimateFactors = new Dictionary<string, double> { ["claude"] = 1.5 },
            DefaultEstimateFactor = 2.0,
        });

        Assert.Equal(TiktokenEncoding.Cl100kBaseName, counter.Resolve("my-finetune-v2").Encoding.Name);
        Assert.Equal(TiktokenEncoding.Cl100kBaseName, counter.Resolve("gpt-4o-legacy-1").Encoding.Name);
        Assert.Equal(TiktokenEncoding.O200kBaseName, counter.Resolve("gpt-4o").Encoding.Name);
        Assert.Equal(1.5, counter.Resolve("claude-3-opus").EstimateFactor);
        Assert.Equal(2.0, counter.Resolve("unknown").EstimateFactor);
    }

    [Fact]
    public void Options_UnknownEncoding_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelTokenizerResolver(new TokenizerOptions
        {
            ModelEncodings = new Dictionary<string, string> { ["x-"] = "p50k_base" },
        }));
        Assert.Contains("p50k_base", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadEntries_NameTheKeyPathAndTheProblem()
    {
        var options = new TokenizerOptions
        {
            ModelEncodings = new Dictionary<string, string> { ["x-"] = "p50k_base" },
            EstimateFactors = new Dictionary<string, double> { ["claude"] = 0.5 },
            DefaultEstimateFactor = 20,
        };

        Assert.Equal(
            [
                "tokenizers.model_encodings.x-: unknown encoding 'p50k_base' (known: o200k_base, cl100k_base, o200k_harmony)",
                "tokenizers.estimate_factors.claude: must be between 1 and 10 (was 0.5)",
                "tokenizers.default_estimate_factor: must be between 1 and 10 (was 20)",
            ],
            options.Validate("tokenizers"));
        Assert.Empty(new TokenizerOptions().Validate("tokenizers"));
    }

    [Fact]
    public void CountChat_OtherProvider_IsScaledAndMarkedEstimate()
    {
        var counter = new TokenCounter();
        ChatTokenMessage[] messages = [ChatTokenMessage.Text("user", "Hello there, how are you doing today?")];

        ChatTokenCount gpt = counter.CountChat(new ChatTokenRequest { Model = "gpt-4o", Messages = messages });
        ChatTokenCount claude = counter.CountChat(new ChatTokenRequest { Model = "claude-3-5-haiku", Messages = messages });

        Assert.Equal((int)Math.Ceiling(gpt.PromptTokens * 1.2), claude.PromptTokens);
        Assert.Equal(TokenCountKind.Estimate, claude.Kind);
        Assert.Equal(ChatTokenApproximations.OtherProvider, claude.Approximations);
    }

    [Fact]
    public void Encode_ForModel_AppendsIdsAndCounts()
    {
        var ids = new List<int> { -1 };
        TokenCount count = new TokenCounter().Encode("gpt-4", "hello world", ids);

        Assert.Equal([-1, 15339, 1917], ids);
        Assert.Equal(2, count.Tokens);
    }
}
