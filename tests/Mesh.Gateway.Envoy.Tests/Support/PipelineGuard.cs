using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Envoy.Tests.Support;

/// <summary>The real response steps as the door feeds a streamed answer: the guardrails feature's steps (<c>guardrails:</c>
/// keys as given, the default policy without) run for one streamed call whose upstream is a <see cref="DoorUpstream"/>.</summary>
internal static class PipelineGuard
{
    public static async Task<StepResponseGuard> CreateAsync(Dictionary<string, string?>? guardrails = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(guardrails ?? []).Build();
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddMeshInferenceGuardrails(config);
        var pipeline = services.BuildServiceProvider().BuildInferencePipeline(DoorUpstream.Terminal);
        var context = InferenceContext.ForChat(new ChatRequest { Model = "gpt-4o-mini", Messages = [ChatMessage.User("Tidy my account.")] }, isStreaming: true, TimeProvider.System);
        var upstream = new DoorUpstream();
        upstream.Attach(context);
        var result = await pipeline.ExecuteAsync(context, CancellationToken.None);
        return new StepResponseGuard(upstream, new InferenceStreamPump(result.Stream!), "gpt-4o-mini");
    }
}
