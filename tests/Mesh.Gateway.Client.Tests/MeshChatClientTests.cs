using Xunit;
using System.Text.Json;
using Mesh.Gateway.V1;
using Microsoft.Extensions.AI;
using AI = Microsoft.Extensions.AI;

namespace Mesh.Gateway.Client.Tests;

public sealed class MeshChatClientTests
{
    private static MeshChatClient NewClient(string? model = "chat")
    {
        var inference = new MeshInferenceClient(new Uri("http://127.0.0.1:1"));
        return (MeshChatClient)inference.AsIChatClient(model);
    }

    [Fact]
    public void ToRequest_MessagesAndOptions_MapOntoTheContract()
    {
        var client = NewClient();
        var options = new ChatOptions
        {
            ModelId = "other",
            Instructions = "Be brief.",
            Temperature = 0.2f,
            TopP = 0.9f,
            MaxOutputTokens = 64,
            StopSequences = ["END"],
            Seed = 7,
            ResponseFormat = AI.ChatResponseFormat.Json,
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
            Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Weather of a city")],
        };
        AI.ChatMessage[] messages =
        [
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
        ];

        var request = client.ToRequest(messages, options);

        Assert.Equal("other", request.Model);
        Assert.Equal([Role.System, Role.User, Role.Assistant, Role.Tool], request.Messages.Select(static m => m.Role));
        Assert.Equal("Be brief.", request.Messages[0].Content[0].Text);
        Assert.Equal("get_weather", request.Messages[2].ToolCalls[0].Name);
        Assert.Equal("Paris", JsonDocument.Parse(request.Messages[2].ToolCalls[0].Arguments).RootElement.GetProperty("city").GetString());
        Assert.Equal("call_1", request.Messages[3].ToolCallId);
        Assert.Equal("sunny", request.Messages[3].Content[0].Text);
        Assert.Equal(0.2, request.Temperature, 3);
        Assert.Equal(64, request.MaxOutputTokens);
        Assert.Equal(["END"], request.Stop);
        Assert.Equal(7, request.Seed);
        Assert.Equal(ResponseFormatType.JsonObject, request.ResponseFormat.Type);
        Assert.Equal("get_weather", request.ToolChoice.ToolName);
        var tool = Assert.Single(request.Tools);
        Assert.Equal("Weather of a city", tool.Description);
        Assert.True(tool.Parameters.Fields["properties"].StructValue.Fields.ContainsKey("city"));
    }

    [Fact]
    public void ToRequest_NoModelAnywhere_Throws()
    {
        var client = NewClient(model: null);

        Assert.Throws<InvalidOperationException>(() => client.ToRequest([new AI.ChatMessage(ChatRole.User, "hi")], null));
    }

    [Fact]
    public void GetService_Metadata_NamesTheDefaultModel()
    {
        IChatClient client = NewClient("chat");

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.Equal("chat", metadata!.DefaultModelId);
        Assert.NotNull(client.GetService<MeshInferenceClient>());
    }
}
