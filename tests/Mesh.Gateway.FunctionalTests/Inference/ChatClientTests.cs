using Mesh.Gateway.Client;
using Microsoft.Extensions.AI;
using Xunit;

namespace Mesh.Gateway.FunctionalTests.Inference;

public sealed class ChatClientTests
{
    [Fact]
    public async Task GetResponseAsync_RealSidecar_TextAndUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sidecar = await InferenceSidecar.StartAsync();
        using var inference = new MeshInferenceClient(sidecar.Address);
        var chat = inference.AsIChatClient("mock");

        var response = await chat.GetResponseAsync("Say hello", cancellationToken: ct);

        Assert.NotEmpty(response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.True(response.Usage!.OutputTokenCount > 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RealSidecar_UpdatesAddUpToTheUnaryText()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sidecar = await InferenceSidecar.StartAsync();
        using var inference = new MeshInferenceClient(sidecar.Address);
        var chat = inference.AsIChatClient("mock");
        var unary = await chat.GetResponseAsync("Say hello", cancellationToken: ct);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync("Say hello", cancellationToken: ct))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count >= 2);
        Assert.Equal(unary.Text, string.Concat(updates.Select(static u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        var usage = updates.ToChatResponse().Usage;
        Assert.Equal(unary.Usage!.OutputTokenCount, usage!.OutputTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownModel_ThrowsRpcExceptionNotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sidecar = await InferenceSidecar.StartAsync();
        using var inference = new MeshInferenceClient(sidecar.Address);
        var chat = inference.AsIChatClient("nope");

        var ex = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => chat.GetResponseAsync("hi", cancellationToken: ct));

        Assert.Equal(global::Grpc.Core.StatusCode.NotFound, ex.StatusCode);
    }
}
