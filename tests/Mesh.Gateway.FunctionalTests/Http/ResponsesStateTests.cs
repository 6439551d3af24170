using System.ClientModel;
using System.Text;
using System.Text.Json;
using Mesh.Gateway.Testing;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // The SDK marks its Responses client as evaluation-only; it is the client these features belong to.

namespace Mesh.Gateway.FunctionalTests.Http;

/// <summary><c>previous_response_id</c> and OpenAI's built-in tools through the HTTP door, with the OpenAI .NET SDK: carried to
/// a Responses target (the upstream's response ids reach the SDK, so that conversations chain), refused naming the field
/// towards a route without one.</summary>
public sealed class ResponsesStateTests(HttpDoorFixture fixture) : IClassFixture<HttpDoorFixture>
{
    [Fact]
    public async Task CreateResponse_ChainedWithBuiltInToolTowardsResponsesTarget_UpstreamGetsBothAndIdsChain()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = fixture.OpenAI().GetResponsesClient();
        fixture.Upstream.Enqueue(ResponseJson("resp_up_1", "Paris."), ResponseJson("resp_up_2", "About 2.1 million people."));

        var first = new CreateResponseOptions { Model = "responses" };
        first.InputItems.Add(ResponseItem.CreateUserMessageItem("What is the capital of France?"));
        ResponseResult opened = await client.CreateResponseAsync(first, ct);

        Assert.Equal("resp_up_1", opened.Id);
        Assert.Equal("Paris.", opened.GetOutputText());
        using (var sent = JsonDocument.Parse(fixture.Upstream.Requests[^1].BodyText))
        {
            Assert.False(sent.RootElement.TryGetProperty("previous_response_id", out _));
        }

        var next = new CreateResponseOptions { Model = "responses", PreviousResponseId = opened.Id, Tools = { ResponseTool.CreateWebSearchTool() } };
        next.InputItems.Add(ResponseItem.CreateUserMessageItem("And its population?"));
        ResponseResult continued = await client.CreateResponseAsync(next, ct);

        Assert.Equal("resp_up_2", continued.Id);
        Assert.Equal("About 2.1 million people.", continued.GetOutputText());
        Assert.Equal("resp_up_1", continued.PreviousResponseId);
        using var body = JsonDocument.Parse(fixture.Upstream.Requests[^1].BodyText);
        Assert.Equal("resp_up_1", body.RootElement.GetProperty("previous_response_id").GetString());
        Assert.Equal("web_search", Assert.Single(body.RootElement.GetProperty("tools").EnumerateArray()).GetProperty("type").GetString());

        // Only the new input goes up (the stored context is the provider's), and the guardrails saw it as any input.
        var input = Assert.Single(body.RootElement.GetProperty("input").EnumerateArray());
        Assert.Equal("And its population?", input.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task CreateResponseStreaming_PreviousResponseId_UpstreamIdFromFirstEventToLast()
    {
        var ct = TestContext.Current.CancellationToken;
        fixture.Upstream.Enqueue(ResponseStream("resp_up_3", ["It is ", "sunny."]).SplitRandomly(seed: 3));
        var options = new CreateResponseOptions { Model = "responses", PreviousResponseId = "resp_up_2", StreamingEnabled = true };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("And the weather?"));
        var text = new StringBuilder();
        var ids = new List<string>();

        await foreach (var update in await fixture.OpenAI().GetResponsesClient().CreateResponseStreamingAsync(options, ct))
        {
            switch (update)
            {
                case StreamingResponseCreatedUpdate created:
                    ids.Add(created.Response.Id);
                    break;
                case StreamingResponseOutputTextDeltaUpdate delta:
                    text.Append(delta.Delta);
                    break;
                case StreamingResponseCompletedUpdate completed:
                    ids.Add(completed.Response.Id);
                    Assert.Equal(9, completed.Response.Usage.InputTokenCount);
                    break;
            }
        }

        Assert.Equal("It is sunny.", text.ToString());
        Assert.Equal(["resp_up_3", "resp_up_3"], ids);
        using var body = JsonDocument.Parse(fixture.Upstream.Requests[^1].BodyText);
        Assert.Equal("resp_up_2", body.RootElement.GetProperty("previous_response_id").GetString());
    }

    /// <summary>A built-in tool's output items and the text's citations reach the SDK as the target sent them, whole and
    /// streamed; <c>store</c> says what the target does with the response, and the caller's <c>store: false</c> reaches it.</summary>
    [Fact]
    public async Task CreateResponse_WebSearch_SearchCallItemAndCitationsPassedOn_StoreAsTheTargetKeepsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = fixture.OpenAI().GetResponsesClient();
        fixture.Upstream.Enqueue(SearchedJson("resp_ws_1"));

        var options = new CreateResponseOptions { Model = "responses", Tools = { ResponseTool.CreateWebSearchTool() } };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Who won the match?"));
        ResponseResult result = await client.CreateResponseAsync(options, ct);

        var search = Assert.IsType<WebSearchCallResponseItem>(result.OutputItems[0]);
        Assert.Equal("ws_1", search.Id);
        var message = Assert.IsAssignableFrom<MessageResponseItem>(result.OutputItems[1]);
        var citation = Assert.IsType<UriCitationMessageAnnotation>(Assert.Single(Assert.Single(message.Content).OutputTextAnnotations));
        Assert.Equal(new Uri("https://example.org/match"), citation.Uri);
        Assert.Equal("Match report", citation.Title);
        Assert.Equal("The home side won.", result.GetOutputText());
        using (var raw = JsonDocument.Parse(await RawAsync("""{"model":"responses","input":"again","tools":[{"type":"web_search"}]}""", SearchedJson("resp_ws_2"), ct)))
        {
            Assert.True(raw.RootElement.GetProperty("store").GetBoolean());
            Assert.Equal("web_search_call", raw.RootElement.GetProperty("output")[0].GetProperty("type").GetString());
            Assert.Equal("Who won", raw.RootElement.GetProperty("output")[0].GetProperty("action").GetProperty("query").GetString());
        }

        using (var unstored = JsonDocument.Parse(await RawAsync("""{"model":"responses","input":"again","store":false}""", ResponseJson("resp_ns", "ok"), ct)))
        {
            Assert.False(unstored.RootElement.GetProperty("store").GetBoolean());
        }

        using (var sent = JsonDocument.Parse(fixture.Upstream.Requests[^1].BodyText))
        {
            Assert.False(sent.RootElement.GetProperty("store").GetBoolean());
        }

        // Streamed: the item arrives as added + done, the citation as its own event, and both are in the completed response.
        fixture.Upstream.Enqueue(SearchedStream("resp_ws_3").SplitRandomly(seed: 5));
        var streamed = new CreateResponseOptions { Model = "responses", StreamingEnabled = true, Tools = { ResponseTool.CreateWebSearchTool() } };
        streamed.InputItems.Add(ResponseItem.CreateUserMessageItem("Who won the match?"));
        var doneItems = new List<ResponseItem>();
        var citations = new List<ResponseMessageAnnotation>();
        var text = new StringBuilder();
        ResponseResult? completed = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(streamed, ct))
        {
            switch (update)
            {
                case StreamingResponseOutputItemDoneUpdate done:
                    doneItems.Add(done.Item);
                    break;
                case StreamingResponseOutputTextAnnotationAddedUpdate added:
                    citations.Add(added.Annotation);
                    break;
                case StreamingResponseOutputTextDeltaUpdate delta:
                    text.Append(delta.Delta);
                    break;
                case StreamingResponseCompletedUpdate end:
                    completed = end.Response;
                    break;
            }
        }

        Assert.Equal("The home side won.", text.ToString());
        Assert.IsType<WebSearchCallResponseItem>(doneItems[0]);
        Assert.Equal(new Uri("https://example.org/match"), Assert.IsType<UriCitationMessageAnnotation>(Assert.Single(citations)).Uri);
        Assert.NotNull(completed);
        Assert.IsType<WebSearchCallResponseItem>(completed.OutputItems[0]);
        Assert.Single(Assert.IsAssignableFrom<MessageResponseItem>(completed.OutputItems[1]).Content[0].OutputTextAnnotations);
    }

    private async Task<string> RawAsync(string body, FakeResponse upstream, CancellationToken ct)
    {
        fixture.Upstream.Enqueue(upstream);
        using var http = new HttpClient { BaseAddress = fixture.Sidecar.HttpAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", HttpDoorFixture.Key);
        using var answer = await http.PostAsync(new Uri("v1/responses", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), ct);
        var text = await answer.Content.ReadAsStringAsync(ct);
        Assert.True(answer.IsSuccessStatusCode, text);
        return text;
    }

    private const string SearchCall = "{\"type\":\"web_search_call\",\"id\":\"ws_1\",\"status\":\"completed\",\"action\":{\"type\":\"search\",\"query\":\"Who won\"}}";

    private const string Citation = "{\"type\":\"url_citation\",\"start_index\":0,\"end_index\":18,\"url\":\"https://example.org/match\",\"title\":\"Match report\"}";

    private static FakeResponse SearchedJson(string id) => FakeResponse.Json(
        "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\",\"model\":\"gpt-4o-mini\",\"output\":[" + SearchCall + ",{\"type\":\"message\",\"id\":\"msg_1\","
        + "\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"The home side won.\",\"annotations\":[" + Citation + "]}]}],"
        + "\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"total_tokens\":13}}");

    private static FakeResponse SearchedStream(string id)
    {
        var head = "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1,\"model\":\"gpt-4o-mini\",";
        return FakeResponse.Sse(
            "event: response.created\ndata: {\"type\":\"response.created\",\"response\":" + head + "\"status\":\"in_progress\",\"output\":[]}}\n\n"
            + "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"web_search_call\",\"id\":\"ws_1\",\"status\":\"in_progress\"}}\n\n"
            + "event: response.web_search_call.completed\ndata: {\"type\":\"response.web_search_call.completed\",\"output_index\":0,\"item_id\":\"ws_1\"}\n\n"
            + "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":" + SearchCall + "}\n\n"
            + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":1,\"content_index\":0,\"delta\":\"The home side won.\"}\n\n"
            + "event: response.output_text.annotation.added\ndata: {\"type\":\"response.output_text.annotation.added\",\"item_id\":\"msg_1\",\"output_index\":1,\"content_index\":0,\"annotation_index\":0,\"annotation\":" + Citation + "}\n\n"
            + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":" + head + "\"status\":\"completed\",\"output\":[],"
            + "\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"total_tokens\":13}}}\n\n");
    }

    [Theory]
    [InlineData("gpt-4o-mini")]
    [InlineData("claude")]
    [InlineData("gemini")]
    [InlineData("bedrock")]
    public async Task CreateResponse_StatefulFieldsTowardsRouteWithoutResponsesTarget_400NamingTheField(string model)
    {
        var ct = TestContext.Current.CancellationToken;
        var client = fixture.OpenAI().GetResponsesClient();
        var requests = fixture.Upstream.Requests.Count;

        var chained = new CreateResponseOptions { Model = model, PreviousResponseId = "resp_up_1" };
        chained.InputItems.Add(ResponseItem.CreateUserMessageItem("And its population?"));
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => client.CreateResponseAsync(chained, ct));
        Assert.Equal(400, refused.Status);
        Assert.StartsWith("previous_response_id:", Parity.HttpDoor.Message(refused), StringComparison.Ordinal);

        var searching = new CreateResponseOptions { Model = model, Tools = { ResponseTool.CreateWebSearchTool() } };
        searching.InputItems.Add(ResponseItem.CreateUserMessageItem("News?"));
        var tool = await Assert.ThrowsAsync<ClientResultException>(() => client.CreateResponseAsync(searching, ct));
        Assert.Equal(400, tool.Status);
        Assert.StartsWith("tools[0].type:", Parity.HttpDoor.Message(tool), StringComparison.Ordinal);

        Assert.Equal(requests, fixture.Upstream.Requests.Count);
    }

    /// <summary>The exact cache, on for the Responses route, answers a repeated stateless call and never a stateful one: the
    /// same new input after a stored conversation is another question.</summary>
    [Fact]
    public async Task CreateResponse_CachedRoute_StatelessRepeatServedFromCacheStatefulRepeatReachesUpstream()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var upstream = await FakeProviderServer.StartAsync(ct);
        await using var sidecar = await Infrastructure.SidecarHost.StartAsync($$"""
            providers:
              - { name: responses, kind: openai, api: responses, api_key: sk-up, base_url: '{{upstream.BaseUrl}}v1' }
            models:
              - { name: responses, targets: [ { provider: responses, model: gpt-4o-mini } ] }
            cache:
              routes:
                responses: { ttl_seconds: 300 }
            """);
        using var http = new HttpClient { BaseAddress = sidecar.HttpAddress };
        async Task<string> AskAsync(string? previous)
        {
            var body = "{\"model\":\"responses\",\"temperature\":0,\"input\":\"And its population?\"" + (previous is null ? string.Empty : ",\"previous_response_id\":\"" + previous + "\"") + "}";
            using var answer = await http.PostAsync("v1/responses", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
            using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(ct));
            return json.RootElement.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!;
        }

        upstream.Enqueue(ResponseJson("resp_a", "stateless"), ResponseJson("resp_b", "after Paris"), ResponseJson("resp_c", "after Paris again"));
        Assert.Equal("stateless", await AskAsync(null));
        Assert.Equal("stateless", await AskAsync(null));
        Assert.Single(upstream.Requests);

        Assert.Equal("after Paris", await AskAsync("resp_up_1"));
        Assert.Equal("after Paris again", await AskAsync("resp_up_1"));
        Assert.Equal(3, upstream.Requests.Count);
    }

    private static FakeResponse ResponseJson(string id, string text) => FakeResponse.Json(
        "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\",\"model\":\"gpt-4o-mini\",\"output\":[{\"type\":\"message\",\"id\":\"msg_1\","
        + "\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":" + Quote(text) + ",\"annotations\":[]}]}],"
        + "\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"total_tokens\":13}}");

    private static FakeResponse ResponseStream(string id, IReadOnlyList<string> deltas)
    {
        var head = "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1,\"model\":\"gpt-4o-mini\",";
        return FakeResponse.Sse(
            "event: response.created\ndata: {\"type\":\"response.created\",\"response\":" + head + "\"status\":\"in_progress\",\"output\":[]}}\n\n"
            + string.Concat(deltas.Select(d => "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":" + Quote(d) + "}\n\n"))
            + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":" + head + "\"status\":\"completed\",\"output\":[],"
            + "\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"total_tokens\":13}}}\n\n");
    }

    private static string Quote(string text) => "\"" + JsonEncodedText.Encode(text).ToString() + "\"";
}
