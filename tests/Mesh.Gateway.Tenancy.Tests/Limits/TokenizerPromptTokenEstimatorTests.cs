using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Tokens;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tokenizers;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Limits;

/// <summary>The gRPC door's limits count prompt tokens with the tokenizer the Envoy door uses (issue 15: it counted 3 bytes per token).</summary>
public sealed class TokenizerPromptTokenEstimatorTests
{
    private static readonly ChatRequest Request = new()
    {
        Model = "chat",
        Messages = [ChatMessage.System("You are terse."), ChatMessage.User("Summarise the quarterly report in three short bullet points, please.")],
    };

    [Fact]
    public void EstimateInputTokens_AliasOfAnOpenAIModel_TheTokenizersExactCountForTheTargetModel()
    {
        var estimator = new TokenizerPromptTokenEstimator(TokenCounter.Default, Routes("chat", "gpt-4o-mini"));

        var tokens = estimator.EstimateInputTokens(Request);

        var exact = TokenCounter.Default.CountChat(ChatTokenRequestMapper.ToTokenRequest(Request, "gpt-4o-mini"));
        Assert.Equal(TokenCountKind.Exact, exact.Kind);
        Assert.Equal(exact.PromptTokens, tokens);
        Assert.True(tokens < new ConservativePromptTokenEstimator().EstimateInputTokens(Request), "the exact count is below the 3-bytes-per-token rule here");
    }

    [Fact]
    public void EstimateInputTokens_ModelWithoutAKnownEncoding_NeverBelowTheConservativeRule()
    {
        var estimator = new TokenizerPromptTokenEstimator(TokenCounter.Default, Routes("chat", "claude-3-5-haiku-latest"));

        var tokens = estimator.EstimateInputTokens(Request);

        Assert.True(tokens >= new ConservativePromptTokenEstimator().EstimateInputTokens(Request));
    }

    private static RoutingTableHolder Routes(string alias, string model) => new(RoutingTable.Create(
        new ModelsOptions { Models = [new ModelRouteOptions { Name = alias, Targets = [new RouteTargetOptions { Provider = "p", Model = model }] }] },
        ["p"]));
}
