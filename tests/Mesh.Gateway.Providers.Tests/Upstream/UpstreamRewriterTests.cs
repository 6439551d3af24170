using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Providers.Upstream;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Tests.Upstream;

public sealed class UpstreamRewriterTests
{
    private static RouteTarget Target(string provider, string model) => new(provider, model, 1, null);

    private static string? Header(UpstreamRewrite rewrite, string name) => rewrite.SetHeaders.FirstOrDefault(h => h.Key == name).Value;

    [Fact]
    public void For_OpenAIChatToOpenAICompatible_ClusterHostPathModelAndBearer()
    {
        var provider = new ProviderOptions { Name = "vllm", Kind = ProviderKinds.OpenAICompatible, BaseUrl = "http://vllm.internal:8000/v1", ApiKey = "sk-vllm" };

        var rewrite = UpstreamRewriter.For(ApiSchema.OpenAIChat, "/v1/chat/completions", Target("vllm", "llama-3.1-8b"), provider, out var why)!;
        var body = JsonNode.Parse("""{"model":"gpt-4o-mini","messages":[]}""")!.AsObject();

        Assert.Null(why);
        Assert.Equal("vllm", Header(rewrite, UpstreamRewrite.ClusterHeader));
        Assert.Equal("vllm.internal:8000", Header(rewrite, UpstreamRewrite.HostHeader));
        Assert.Equal("/v1/chat/completions", rewrite.Path);
        Assert.Equal("Bearer sk-vllm", Header(rewrite, "authorization"));
        Assert.Equal(["api-key", "x-api-key", "x-goog-api-key"], rewrite.RemoveHeaders);
        Assert.True(rewrite.ApplyModel(body));
        Assert.Equal("llama-3.1-8b", (string?)body["model"]);
    }

    [Fact]
    public void For_OpenAIChatToAzure_DeploymentPathApiVersionAndApiKey()
    {
        var provider = new ProviderOptions { Name = "azure-eu", Kind = ProviderKinds.AzureOpenAI, BaseUrl = "https://eu.openai.azure.com", ApiKey = "az-key", ApiVersion = "2024-10-21", Deployment = "gpt4o-eu" };

        var rewrite = UpstreamRewriter.For(ApiSchema.OpenAIChat, "/v1/chat/completions", Target("azure-eu", "gpt-4o"), provider, out _)!;

        Assert.Equal("/openai/deployments/gpt4o-eu/chat/completions?api-version=2024-10-21", rewrite.Path);
        Assert.Equal("eu.openai.azure.com", rewrite.Host);
        Assert.Equal("az-key", Header(rewrite, "api-key"));
        Assert.Contains("authorization", rewrite.RemoveHeaders);
    }

    [Fact]
    public void For_AnthropicMessages_MessagesPathKeyAndVersion()
    {
        var provider = new ProviderOptions { Name = "claude", Kind = ProviderKinds.Anthropic, ApiKey = "sk-ant", AnthropicVersion = "2023-06-01" };

        var rewrite = UpstreamRewriter.For(ApiSchema.AnthropicMessages, "/v1/messages", Target("claude", "claude-haiku-4-5"), provider, out _)!;

        Assert.Equal("/v1/messages", rewrite.Path);
        Assert.Equal("api.anthropic.com", rewrite.Host);
        Assert.Equal("sk-ant", Header(rewrite, "x-api-key"));
        Assert.Equal("2023-06-01", Header(rewrite, "anthropic-version"));
        Assert.Equal("claude-haiku-4-5", rewrite.BodyModel);
    }

    [Fact]
    public void For_GeminiStream_ModelInPathQueryKeptNoBodyModel()
    {
        var provider = new ProviderOptions { Name = "gemini", Kind = ProviderKinds.Gemini, ApiKey = "g-key" };

        var rewrite = UpstreamRewriter.For(ApiSchema.GeminiGenerate, "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", Target("gemini", "gemini-2.5-flash"), provider, out _)!;
        var body = JsonNode.Parse("""{"contents":[]}""")!.AsObject();

        Assert.Equal("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", rewrite.Path);
        Assert.Equal("generativelanguage.googleapis.com", rewrite.Host);
        Assert.Equal("g-key", Header(rewrite, "x-goog-api-key"));
        Assert.False(rewrite.ApplyModel(body));
        Assert.Null(body["model"]);
    }

    [Fact]
    public void For_NoKeyConfigured_KeepsTheAppsCredentials()
    {
        var provider = new ProviderOptions { Name = "openai", Kind = ProviderKinds.OpenAI };

        var rewrite = UpstreamRewriter.For(ApiSchema.OpenAIResponses, "/v1/responses", Target("openai", "gpt-4.1"), provider, out _)!;

        Assert.Empty(rewrite.RemoveHeaders);
        Assert.Null(Header(rewrite, "authorization"));
        Assert.Equal("/v1/responses", rewrite.Path);
    }

    [Theory]
    [InlineData(ProviderKinds.Anthropic)]
    [InlineData(ProviderKinds.Bedrock)]
    [InlineData(ProviderKinds.Mock)]
    public void For_OpenAIChatToAnotherSchema_RefusedWithReason(string kind)
    {
        var provider = new ProviderOptions { Name = "other", Kind = kind, Region = "us-east-1" };

        var rewrite = UpstreamRewriter.For(ApiSchema.OpenAIChat, "/v1/chat/completions", Target("other", "m"), provider, out var why);

        Assert.Null(rewrite);
        Assert.Contains("does not take OpenAIChat requests", why, StringComparison.Ordinal);
    }
}
