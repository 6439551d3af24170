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
