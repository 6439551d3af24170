using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Mock;

namespace Mesh.Gateway.Providers.Tests.Mock;

public sealed class MockChatProviderTests
{
    private static readonly ProviderTarget Target = new("mock", "mock-1");

    [Fact]
    public async Task StreamAsync_SameInput_SameOutputAsComplete()
    {
        var provider = new MockChatProvider("mock", TimeSpan.Zero, TimeProvider.System);
        var request = new ChatRequest { Model = "mock", Messages = [ChatMessage.System("be brief"), ChatMessage.User("tell me a story")] };

        var whole = await provider.CompleteAsync(request, Target, TestContext.Current.CancellationToken);
        var acc = new ChatStreamAccumulator();
        await foreach (var item in provider.StreamAsync(request, Target, TestContext.Current.CancellationToken))
        {
            Assert.False(item.IsError);
            acc.Add(item.Chunk);
        }

        var streamed = acc.ToResponse("mock");
        Assert.True(whole.IsSuccess);
        Assert.Equal("Mock reply: tell me a story", whole.Value.Text);
        Assert.Equal(whole.Value.Text, streamed.Text);
        Assert.Equal(whole.Value.Usage, streamed.Usage);
        Assert.Equal(new ChatUsage { InputTokens = 8, OutputTokens = 6 }, whole.Value.Usage);
        Assert.Equal(6, acc.ContentChunkCount);
        Assert.Equal(ChatFinishReason.Stop, streamed.FinishReason);
    }

    [Fact]
    public async Task CompleteAsync_MaxOutputTokens_TruncatesWithLength()
    {
        var provider = new MockChatProvider("mock", TimeSpan.Zero, TimeProvider.System);
        var request = new ChatRequest { Model = "mock", Messages = [ChatMessage.User("one two three four")], MaxOutputTokens = 3 };

        var result = await provider.CompleteAsync(request, Target, TestContext.Current.CancellationToken);

        Assert.Equal("Mock reply: one ", result.Value!.Text);
        Assert.Equal(ChatFinishReason.Length, result.Value.FinishReason);
        Assert.Equal(3, result.Value.Usage.OutputTokens);
    }

    [Fact]
    public async Task CompleteAsync_ToolRequired_CallsNamedTool()
    {
        var provider = new MockChatProvider("mock", TimeSpan.Zero, TimeProvider.System);
        var request = new ChatRequest
        {
            Model = "mock",
            Messages = [ChatMessage.User("weather in Paris")],
            Tools = [new ChatToolDefinition { Name = "get_weather" }],
            ToolChoice = ChatToolChoice.Required,
        };

        var result = await provider.CompleteAsync(request, Target, TestContext.Current.CancellationToken);

        var call = Assert.Single(result.Value!.ToolCalls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("{\"input\":\"weather in Paris\"}", call.ArgumentsJson);
        Assert.Equal(ChatFinishReason.ToolCalls, result.Value.FinishReason);
    }

    [Fact]
    public async Task StreamAsync_Cancelled_StopsAtOnce()
    {
        var provider = new MockChatProvider("mock", TimeSpan.FromSeconds(30), TimeProvider.System);
        using var cts = new CancellationTokenSource();
        var request = new ChatRequest { Model = "mock", Messages = [ChatMessage.User("hi")] };
        var enumerator = provider.StreamAsync(request, Target, cts.Token).GetAsyncEnumerator(cts.Token);
        var move = enumerator.MoveNextAsync();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await move);
        await enumerator.DisposeAsync();
    }
}
