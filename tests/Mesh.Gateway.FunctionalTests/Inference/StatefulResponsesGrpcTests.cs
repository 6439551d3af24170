using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Inference;

/// <summary><c>previous_response_id</c>, built-in tools and <c>store</c> on the typed gRPC door, as on the HTTP door: carried to a
/// target of OpenAI's Responses API, its tool items and citations returned whole and streamed, refused naming the field
/// towards a model without such a target.</summary>
public sealed class StatefulResponsesGrpcTests : IAsyncLifetime
{
    private FakeProviderServer _upstream = null!;
    private SidecarHost _sidecar = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private V1.Inference.InferenceClient Client => new(_sidecar.Channel);

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync(Ct);
        _sidecar = await SidecarHost.StartAsync($$"""
            providers:
              - { name: responses, kind: openai, api: responses, api_key: sk-up, base_url: '{{_upstream.BaseUrl}}v1' }
              - { name: chat, kind: openai-compatible, api_key: sk-up, base_url: '{{_upstream.BaseUrl}}v1' }
            models:
              - { name: responses, targets: [ { provider: responses, model: gpt-4o-mini } ] }
              - { name: plain, targets: [ { provider: chat, model: gpt-4o-mini } ] }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Generate_ChainedWithWebSearch_UpstreamGetsAll_ItemsAndCitationsComeBack()
    {
        _upstream.Enqueue(FakeResponse.Json(Searched("resp_g1")));
        var request = InferenceSidecar.Ask("responses", "Who won the match?");
        request.PreviousResponseId = "resp_g0";
        request.BuiltinTools.Add(Struct.Parser.ParseJson("""{"type": "web_search", "search_context_size": "low"}"""));
        request.Store = false;

        var response = await Client.GenerateAsync(request, cancellationToken: Ct);

        Assert.Equal("resp_g1", response.Id);
        Assert.Equal("The home side won.", response.Text);
        var item = Assert.Single(response.ProviderItems);
        Assert.Equal("web_search_call", item.Fields["type"].StringValue);
        Assert.Equal("Who won", item.Fields["action"].StructValue.Fields["query"].StringValue);
        Assert.Equal("https://example.org/match", Assert.Single(response.TextAnnotations).Fields["url"].StringValue);
        using var sent = JsonDocument.Parse(_upstream.Requests[^1].BodyText);
        Assert.Equal("resp_g0", sent.RootElement.GetProperty("previous_response_id").GetString());
        Assert.False(sent.RootElement.GetProperty("store").GetBoolean());
        var tool = Assert.Single(sent.RootElement.GetProperty("tools").EnumerateArray());
        Assert.Equal("web_search", tool.GetProperty("type").GetString());
        Assert.Equal("low", tool.GetProperty("search_context_size").GetString());
    }

    [Fact]
    public async Task GenerateStream_WebSearch_ItemAndCitationArriveOnChunksOfTheirOwn()
    {
        _upstream.Enqueue(FakeResponse.Sse(SearchedStream("resp_g2")).SplitRandomly(seed: 7));
        var request = InferenceSidecar.Ask("responses", "Who won the match?");
        request.BuiltinTools.Add(Struct.Parser.ParseJson("""{"type": "web_search"}"""));

        using var call = Client.GenerateStream(request, cancellationToken: Ct);
        var chunks = new List<GenerateChunk>();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(Ct))
        {
            chunks.Add(chunk);
        }

        Assert.Equal("The home side won.", string.Concat(chunks.Select(static c => c.Text)));
        Assert.Equal("ws_1", Assert.Single(chunks, static c => c.ProviderItem is not null).ProviderItem.Fields["id"].StringValue);
        Assert.Equal("Match report", Assert.Single(chunks, static c => c.TextAnnotation is not null).TextAnnotation.Fields["title"].StringValue);
        Assert.Equal(4, chunks[^1].Usage.OutputTokens);
    }

    [Theory]
    [InlineData("prev", "previous_response_id")]
    [InlineData("tool", "tools")]
    public async Task Generate_StatefulTowardsModelWithoutResponsesTarget_InvalidArgumentNamingTheField(string what, string field)
    {
        var request = InferenceSidecar.Ask("plain", "Hello?");
        if (what == "prev")
        {
            request.PreviousResponseId = "resp_g0";
        }
        else
        {
            request.BuiltinTools.Add(Struct.Parser.ParseJson("""{"type": "web_search"}"""));
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => Client.GenerateAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith(field + ":", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Theory]
    [InlineData("""{"name": "x"}""", "builtin_tools[0].type: is required")]
    [InlineData("""{"type": "function", "name": "x"}""", "builtin_tools[0].type: a function tool is declared in tools")]
    public async Task Generate_BadBuiltInTool_InvalidArgumentNamingIt(string json, string detail)
    {
        var request = InferenceSidecar.Ask("responses", "Hello?");
        request.BuiltinTools.Add(Struct.Parser.ParseJson(json));

        var refused = await Assert.ThrowsAsync<RpcException>(() => Client.GenerateAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith(detail, refused.Status.Detail, StringComparison.Ordinal);
    }

    private const string SearchCall = """{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"Who won"}}""";

    private const string Citation = """{"type":"url_citation","start_index":0,"end_index":18,"url":"https://example.org/match","title":"Match report"}""";

    private static string Searched(string id) =>
        "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\",\"model\":\"gpt-4o-mini\",\"output\":[" + SearchCall
        + ",{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"The home side won.\",\"annotations\":["
        + Citation + "]}]}],\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"total_tokens\":13}}";

    private static string SearchedStream(string id)
    {
        var head = "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1,\"model\":\"gpt-4o-mini\",";
        return "event: response.created\ndata: {\"type\":\"response.created\",\"response\":" + head + "\"status\":\"in_progress\",\"output\":[]}}\n\n"
            + "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":" + SearchCall + "}\n\n"
            + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":1,\"content_index\":0,\"delta\":\"The home side won.\"}\n\n"
            + "event: response.output_text.annotation.added\ndata: {\"type\":\"response.output_text.annotation.added\",\"item_id\":\"msg_1\",\"output_index\":1,\"content_index\":0,\"annotation_index\":0,\"annotation\":" + Citation + "}\n\n"
            + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":" + head + "\"status\":\"completed\",\"output\":[],"
            + "\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"total_tokens\":13}}}\n\n";
    }
}
