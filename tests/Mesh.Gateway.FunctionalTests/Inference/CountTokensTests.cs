using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Inference;

/// <summary>
/// CountTokens against recorded OpenAI traffic: the same request, sent through Generate to a fake provider replaying what OpenAI
/// answered, reports OpenAI's own prompt_tokens; CountTokens on the routed alias must give that number before any call is made.
/// </summary>
public sealed partial class CountTokensTests
{
    private const string Folder = "envoy-ai-gateway-cassettes";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Every recorded chat request with usage whose parts the contract can carry (audio input it cannot) and whose count is
    // exact: chat-multimodal's image is a remote URL of unknown size, chat-openai-agents-python's json_schema rendering is not
    // published; both have their own tests below.
    public static TheoryData<string> ExactCassettes() =>
    [
        "chat-basic.yaml", "chat-detailed-usage.yaml", "chat-image-to-text.yaml", "chat-json-mode.yaml", "chat-multiturn.yaml",
        "chat-parallel-tools.yaml", "chat-reasoning.yaml", "chat-streaming-detailed-usage.yaml", "chat-text-to-image-tool.yaml",
        "chat-tools.yaml", "chat-text-to-audio.yaml",
    ];

    [Theory]
    [MemberData(nameof(ExactCassettes))]
    public async Task CountTokens_RecordedRequestThroughAlias_EqualsPromptTokensGenerateReports(string cassette)
    {
        var (body, interaction) = Load(cassette);
        var model = body.GetProperty("model").GetString()!;
        var streamed = body.TryGetProperty("stream", out var s) && s.GetBoolean();
        await using var fake = await FakeProviderServer.StartAsync(Ct);
        fake.Default = interaction.ToFakeResponse();
        await using var sidecar = await InferenceSidecar.StartAsync(
            InferenceSidecar.Providers(fake.BaseUrl) + $"models:\n  - {{ name: chat, targets: [ {{ provider: p0, model: {model} }} ] }}\n");

        var count = await sidecar.Client.CountTokensAsync(OpenAIChatToProto.Count(body, "chat"), cancellationToken: Ct);
        var reported = await ReportedInputTokens(sidecar, OpenAIChatToProto.Generate(body, "chat"), streamed);

        Assert.Equal(PromptTokens(interaction.ResponseBody), reported);
        Assert.Equal(reported, count.TokenCount);
        Assert.Equal("p0", count.Provider);
        Assert.Equal(model, count.ProviderModel);
        Assert.Equal("o200k_base", count.Encoding);
        Assert.Equal(1, fake.RequestCount); // counting called no provider
        if (model.Contains("search", StringComparison.Ordinal))
        {
            Assert.False(count.Exact);
        }
        else
        {
            Assert.True(count.Exact, string.Join(", ", count.EstimatedParts));
            Assert.Empty(count.EstimatedParts);
        }
    }

    [Fact]
    public async Task CountTokens_SearchModelRecording_EqualsPromptTokensFlaggedAsEstimate()
    {
        var (body, interaction) = Load("chat-web-search.yaml");
        await using var sidecar = await InferenceSidecar.StartAsync(
            "providers:\n  - { name: openai, kind: openai, api_key: k }\nmodels:\n  - { name: search, targets: [ { provider: openai, model: gpt-4o-mini-search-preview } ] }\n");

        var count = await sidecar.Client.CountTokensAsync(OpenAIChatToProto.Count(body, "search"), cancellationToken: Ct);

        Assert.Equal(PromptTokens(interaction.ResponseBody), count.TokenCount);
        Assert.False(count.Exact);
        Assert.Equal(["search_model"], count.EstimatedParts);
    }

    [Fact]
    public async Task CountTokens_RemoteImage_EstimateNamingTheUnknownImageSize()
    {
        var (body, _) = Load("chat-multimodal.yaml");
        await using var sidecar = await InferenceSidecar.StartAsync(OpenAIConfig);

        var count = await sidecar.Client.CountTokensAsync(OpenAIChatToProto.Count(body, "chat"), cancellationToken: Ct);

        Assert.False(count.Exact);
        Assert.Equal(["image_size_unknown"], count.EstimatedParts);
        Assert.True(count.TokenCount > 1000); // a 1024x1024 image at gpt-5-nano's patch rate
    }

    [Fact]
    public async Task CountTokens_AnthropicTarget_EstimateSaysSoAndNamesTheTarget()
    {
        await using var sidecar = await InferenceSidecar.StartAsync(
            "providers:\n  - { name: anthropic, kind: anthropic, api_key: k }\n  - { name: openai, kind: openai, api_key: k }\n"
            + "models:\n  - name: chat\n    targets: [ { provider: openai, model: gpt-4o-mini, weight: 10 }, { provider: anthropic, model: claude-3-5-haiku-latest, weight: 90 } ]\n");
        var request = new CountTokensRequest { Model = "chat", Messages = { InferenceSidecar.Ask("chat", "How many tokens is this sentence?").Messages } };

        var count = await sidecar.Client.CountTokensAsync(request, cancellationToken: Ct);
        var exact = await sidecar.Client.CountTokensAsync(new CountTokensRequest(request) { Model = "openai/gpt-4o-mini" }, cancellationToken: Ct);

        Assert.Equal("anthropic", count.Provider);
        Assert.Equal("claude-3-5-haiku-latest", count.ProviderModel);
        Assert.False(count.Exact);
        Assert.Equal(["other_provider"], count.EstimatedParts);
        Assert.True(exact.Exact);
        Assert.Equal("gpt-4o-mini", exact.ProviderModel);
        Assert.Equal((int)Math.Ceiling(exact.TokenCount * 1.2), count.TokenCount); // claude's documented factor over o200k_base
    }

    [Fact]
    public async Task CountTokens_Text_ExactWithTokenIds()
    {
        await using var sidecar = await InferenceSidecar.StartAsync(OpenAIConfig);

        var count = await sidecar.Client.CountTokensAsync(new CountTokensRequest { Model = "chat", Text = "hello world", IncludeTokenIds = true }, cancellationToken: Ct);

        Assert.Equal(2, count.TokenCount);
        Assert.True(count.Exact);
        Assert.Equal([24912u, 2375u], count.TokenIds); // o200k_base, as tiktoken gives them
    }

    [Fact]
    public async Task CountTokens_ProviderModelName_ResolvesToTheTargetThatUsesIt()
    {
        await using var sidecar = await InferenceSidecar.StartAsync(OpenAIConfig);

        var count = await sidecar.Client.CountTokensAsync(new CountTokensRequest { Model = "gpt-5-nano", Text = "hello world" }, cancellationToken: Ct);

        Assert.Equal("openai", count.Provider);
        Assert.Equal(2, count.TokenCount);
    }

    [Fact]
    public async Task CountTokens_UnknownModel_NotFoundNamingIt()
    {
        await using var sidecar = await InferenceSidecar.StartAsync(OpenAIConfig);

        var ex = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.CountTokensAsync(new CountTokensRequest { Model = "gpt-9000", Text = "hi" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("'gpt-9000'", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("MODEL_NOT_FOUND", InferenceSidecar.Info(ex).Reason);
    }

    [Theory]
    [InlineData("no-model", "model")]
    [InlineData("nothing", "messages")]
    [InlineData("both", "text")]
    [InlineData("bad-role", "messages[0].role")]
    [InlineData("ids-for-chat", "include_token_ids")]
    [InlineData("unknown-tool-choice", "tool_choice.tool_name")]
    public async Task CountTokens_BadInput_InvalidArgumentNamingTheField(string scenario, string field)
    {
        await using var sidecar = await InferenceSidecar.StartAsync(OpenAIConfig);
        var ask = InferenceSidecar.Ask("chat").Messages;
        var request = scenario switch
        {
            "no-model" => new CountTokensRequest { Text = "hi" },
            "nothing" => new CountTokensRequest { Model = "chat" },
            "both" => new CountTokensRequest { Model = "chat", Text = "hi", Messages = { ask } },
            "bad-role" => new CountTokensRequest { Model = "chat", Messages = { new V1.Message { Role = (Role)42, Content = { new ContentPart { Text = "?" } } } } },
            "ids-for-chat" => new CountTokensRequest { Model = "chat", Messages = { ask }, IncludeTokenIds = true },
            _ => new CountTokensRequest { Model = "chat", Messages = { ask }, ToolChoice = new ToolChoice { ToolName = "missing" } },
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.CountTokensAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith(field + ":", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CountTokens_TenantsConfigured_AuthenticatesAndAuthorizesTheModel()
    {
        const string key = "mesh-count-key";
        await using var sidecar = await InferenceSidecar.StartAsync(OpenAIConfig
            + $"  - {{ name: other, targets: [ {{ provider: openai, model: gpt-4o-mini }} ] }}\ntenants:\n  - {{ id: team-a, api_keys: [\"{Tenancy.Authentication.ApiKeyHash.Format(key)}\"], models: [chat] }}\n");
        var request = new CountTokensRequest { Model = "chat", Text = "hello world" };
        var withKey = new Metadata { { "authorization", "Bearer " + key } };

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.CountTokensAsync(request, cancellationToken: Ct).ResponseAsync);
        var allowed = await sidecar.Client.CountTokensAsync(request, withKey, cancellationToken: Ct);
        var denied = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.CountTokensAsync(new CountTokensRequest(request) { Model = "other" }, withKey, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(2, allowed.TokenCount);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("'other'", denied.Status.Detail, StringComparison.Ordinal);
    }

    private const string OpenAIConfig =
        "providers:\n  - { name: openai, kind: openai, api_key: k }\nmodels:\n  - { name: chat, targets: [ { provider: openai, model: gpt-5-nano } ] }\n";

    private static async Task<long> ReportedInputTokens(InferenceSidecar sidecar, GenerateRequest request, bool streamed)
    {
        if (!streamed)
        {
            return (await sidecar.Client.GenerateAsync(request, cancellationToken: Ct)).Usage.InputTokens;
        }

        using var call = sidecar.Client.GenerateStream(request, cancellationToken: Ct);
        GenerateChunk? last = null;
        while (await call.ResponseStream.MoveNext(Ct))
        {
            last = call.ResponseStream.Current;
        }

        return last!.Usage.InputTokens;
    }

    private static (JsonElement Body, CassetteInteraction Interaction) Load(string cassette)
    {
        var interaction = Cassette.Load(RecordedFixtures.PathOf(Path.Combine(Folder, cassette)))
            .First(static i => i.Url.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal) && PromptTokensPattern().IsMatch(i.ResponseBody));
        return (JsonDocument.Parse(interaction.RequestBody).RootElement.Clone(), interaction);
    }

    private static long PromptTokens(string responseBody) =>
        long.Parse(PromptTokensPattern().Matches(responseBody)[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("\"prompt_tokens\"\\s*:\\s*(\\d+)")]
    private static partial Regex PromptTokensPattern();
}
