using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Tests.Chat;

public sealed class ChatStreamAccumulatorTests
{
    [Fact]
    public void ToResponse_InterleavedToolCallDeltas_JoinsFragmentsPerIndex()
    {
        var acc = new ChatStreamAccumulator();
        acc.Add(new ChatChunk { Id = "r1", Model = "m-2024", TextDelta = "Hel" });
        acc.Add(new ChatChunk { TextDelta = "lo" });
        acc.Add(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = 1, Id = "b", Name = "g", ArgumentsFragment = "{\"y\"" }] });
        acc.Add(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = 0, Id = "a", Name = "f", ArgumentsFragment = "{}" }] });
        acc.Add(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = 1, ArgumentsFragment = ":2}" }] });
        acc.Add(new ChatChunk { FinishReason = ChatFinishReason.ToolCalls, ProviderFinishReason = "tool_calls" });
        acc.Add(new ChatChunk { Usage = new ChatUsage { InputTokens = 7, OutputTokens = 3 } });

        var response = acc.ToResponse("p");

        Assert.Equal("Hello", response.Text);
        Assert.Equal("r1", response.Id);
        Assert.Equal("m-2024", response.Model);
        Assert.Equal([new ChatToolCall("a", "f", "{}"), new ChatToolCall("b", "g", "{\"y\":2}")], response.ToolCalls);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(10, response.Usage.TotalTokens);
        Assert.Equal(5, acc.ContentChunkCount);
    }
}
