using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.OpenAI;
using Mesh.Gateway.Providers.Tests.Support;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.OpenAI;

/// <summary>
/// The cassettes hold request bodies real clients sent. Read each into the unified request (the same logical input) and
/// translate it back: the body the gateway sends must be the same JSON (key order aside).
/// </summary>
public sealed class RecordedRequestBodyTests
{
    public static TheoryData<string> ChatCassettes => [.. RecordedFixtures.Files("envoy-ai-gateway-cassettes", "*chat*.yaml")
        .Where(f => !f.Contains("audio-to-text", StringComparison.Ordinal) // input_audio parts are not in the unified model
            && !f.Contains("bad-request", StringComparison.Ordinal))]; // sends "content": null on purpose, which the unified model cannot say

    public static TheoryData<string> EmbeddingCassettes => [.. RecordedFixtures.Files("envoy-ai-gateway-cassettes", "embeddings-*.yaml")
        .Where(f => !f.Contains("embeddings-tokens", StringComparison.Ordinal) && !f.Contains("bad-request", StringComparison.Ordinal))]; // token-id inputs are not in the unified model

    [Theory]
    [MemberData(nameof(ChatCassettes))]
    public void CreateRequest_RecordedChatInput_EmitsEquivalentBody(string cassette)
    {
        var interaction = Cassette.Load(RecordedFixtures.PathOf(cassette))[0];
        var recorded = JsonNode.Parse(interaction.RequestBody)!.AsObject();
        var azure = interaction.Url.Host.Contains("azure", StringComparison.Ordinal);
        var request = OpenAIRequestMapper.Chat(recorded);
        var stream = (bool?)recorded["stream"] ?? false;
        var translator = azure
            ? new OpenAIChatTranslator("azure", OpenAIDialect.Azure, "2024-12-01-preview")
            : new OpenAIChatTranslator("openai", OpenAIDialect.OpenAI);

        var sent = translator.CreateRequest(request, new ProviderTarget("p", (string)recorded["model"]!), stream);
        var ours = JsonNode.Parse(sent.Body)!.AsObject();

        if (stream)
        {
            // The gateway always asks for usage on streams; a client may not have.
            Assert.True((bool)ours["stream_options"]!["include_usage"]!);
            ours.Remove("stream_options");
            recorded.Remove("stream_options");
        }

        foreach (var message in recorded["messages"]!.AsArray())
        {
            // The unified model has one system role; the gateway sends "system", which OpenAI takes as "developer" for reasoning models.
            if ((string?)message!["role"] == "developer")
            {
                message["role"] = "system";
            }
        }

        Assert.True(JsonNode.DeepEquals(recorded, ours), $"recorded {recorded.ToJsonString()}\nours     {ours.ToJsonString()}");
        Assert.Equal(azure ? "/openai/deployments/gpt-5-nano/chat/completions?api-version=2024-12-01-preview" : "chat/completions", azure ? "/" + sent.RelativeUri : sent.RelativeUri);
        Assert.Equal(interaction.Url.AbsolutePath, azure ? "/" + sent.RelativeUri.Split('?')[0] : "/v1/" + sent.RelativeUri);
    }

    [Theory]
    [MemberData(nameof(EmbeddingCassettes))]
    public void CreateRequest_RecordedEmbeddingInput_EmitsEquivalentBody(string cassette)
    {
        var interaction = Cassette.Load(RecordedFixtures.PathOf(cassette))[0];
        var recorded = JsonNode.Parse(interaction.RequestBody)!.AsObject();
        var request = OpenAIRequestMapper.Embedding(recorded, out _);

        var sent = new OpenAIEmbeddingTranslator("openai", OpenAIDialect.OpenAI).CreateRequest(request, new ProviderTarget("p", request.Model));
        var ours = JsonNode.Parse(sent.Body)!.AsObject();

        if (recorded["input"] is JsonValue single)
        {
            recorded["input"] = new JsonArray(single.DeepClone()); // one string and a one-element list are the same request
        }

        Assert.True(JsonNode.DeepEquals(recorded, ours), $"recorded {recorded.ToJsonString()}\nours     {ours.ToJsonString()}");
        Assert.Equal(interaction.Url.AbsolutePath, "/v1/" + sent.RelativeUri);
    }
}
