using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;

namespace Mesh.Gateway.Core.Tests.Prompts;

public sealed class PromptDecoratorStepTests
{
    private static readonly PromptRegistry Registry = PromptRegistry.Create(new PromptsOptions
    {
        Decorators =
        [
            new() { Content = "house style" },
            new() { Tenants = ["acme"], Content = "acme first" },
            new() { Tenants = ["acme"], Models = ["chat-*"], Position = "append", Content = "acme last on chat" },
            new() { Models = ["embed"], Content = "never on chat" },
        ],
    });

    private static async Task<IReadOnlyList<ChatMessage>> SentUpstream(string? tenant, string model)
    {
        IReadOnlyList<ChatMessage>? sent = null;
        var pipeline = new InferencePipelineBuilder()
            .AddStep(new PromptDecoratorStep(Registry))
            .Build((context, _) =>
            {
                sent = context.ChatRequest!.Messages;
                return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse()));
            });
        var call = InferenceContext.ForChat(new ChatRequest { Model = model, Messages = [ChatMessage.System("caller system"), ChatMessage.User("hi")] }, false, TimeProvider.System);
        call.Identity = tenant is null ? null : new CallIdentity(tenant, null, CallIdentity.ApiKey);
        await pipeline.ExecuteAsync(call, TestContext.Current.CancellationToken);
        return sent!;
    }

    [Fact]
    public async Task InvokeAsync_TenantAndRouteMatch_PrependsInOrderAndAppends()
    {
        var sent = await SentUpstream("acme", "chat-fast");

        Assert.Equal(["house style", "acme first", "caller system", "hi", "acme last on chat"], sent.Select(static m => m.Text));
        Assert.Equal(ChatRole.System, sent[^1].Role);
    }

    [Fact]
    public async Task InvokeAsync_OtherTenant_OnlyTheDecoratorForEveryone()
    {
        var sent = await SentUpstream("globex", "chat-fast");

        Assert.Equal(["house style", "caller system", "hi"], sent.Select(static m => m.Text));
    }

    [Fact]
    public async Task InvokeAsync_NoTenant_TenantDecoratorsSkipped()
    {
        var sent = await SentUpstream(null, "other");

        Assert.Equal(["house style", "caller system", "hi"], sent.Select(static m => m.Text));
    }
}
