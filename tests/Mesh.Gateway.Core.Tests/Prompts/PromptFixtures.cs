using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;

namespace Mesh.Gateway.Core.Tests.Prompts;

/// <summary>Templates the prompt tests share, and a runner over a pipeline whose terminal answers with what it received.</summary>
internal static class PromptFixtures
{
    public static PromptTemplateOptions Summarize => new()
    {
        Name = "summarize",
        Variables =
        [
            new() { Name = "text" },
            new() { Name = "words", Type = "number", Default = "50" },
            new() { Name = "tone", Type = "enum", Values = ["formal", "casual"], Default = "formal" },
            new() { Name = "bullets", Type = "boolean", Default = "false" },
        ],
        Versions =
        [
            Version("1", "chat-fast", "Summarize in {{words}} words, {{tone}}, bullets={{bullets}}: {{text}}"),
            Version("2", "chat-big", "v2 {{ text }} ({{words}})"),
            Version("3", "chat-big", "v3 {{text}}"),
        ],
        Labels = new Dictionary<string, PromptLabelOptions>
        {
            ["production"] = new() { Version = "1" },
            ["staging"] = new() { Version = "2" },
            ["ab"] = new() { Weights = new Dictionary<string, double> { ["1"] = 70, ["3"] = 30 } },
            ["ab-random"] = new() { Weights = new Dictionary<string, double> { ["1"] = 70, ["3"] = 30 }, Sticky = "random" },
        },
    };

    // extract ← answer: 'answer' takes the output of 'extract' as {{facts}}.
    public static PromptTemplateOptions Extract => new()
    {
        Name = "extract",
        Variables = [new() { Name = "text" }],
        Versions = [Version("1", "chat-fast", "Extract the facts: {{text}}")],
    };

    public static PromptTemplateOptions Answer => new()
    {
        Name = "answer",
        Variables = [new() { Name = "facts", From = "extract" }, new() { Name = "question" }],
        Versions = [Version("1", "chat-big", "Facts: {{facts}}\nQuestion: {{question}}")],
    };

    public static PromptVersionOptions Version(string id, string model, string user) => new()
    {
        Version = id,
        Model = model,
        Messages = [new() { Role = "system", Content = "You are terse." }, new() { Role = "user", Content = user }],
    };

    public static PromptRegistry Registry(params PromptTemplateOptions[] templates) =>
        PromptRegistry.Create(new PromptsOptions { Templates = templates });

    /// <summary>A runner whose pipeline answers each call with "answer(&lt;model&gt;): &lt;last message&gt;" and records the calls.</summary>
    public static PromptRunner Runner(PromptRegistry registry, List<InferenceContext> calls, Random? random = null)
    {
        var pipeline = new InferencePipelineBuilder().Build((context, _) =>
        {
            calls.Add(context);
            var text = $"answer({context.Model}): {context.ChatRequest!.Messages[^1].Text}";
            return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = text }));
        });
        return new PromptRunner(registry, pipeline, new PromptVersionSelector(random));
    }

    public static InferenceContext NewCall(ChatRequest chat) => InferenceContext.ForChat(chat, isStreaming: false, TimeProvider.System);

    public static Task<PromptPreparation> PrepareAsync(PromptRunner runner, string name, IReadOnlyDictionary<string, PromptValue> variables, string? label = null, string? version = null, CallIdentity? identity = null) =>
        runner.PrepareAsync(new PromptInvocation { Name = name, Label = label, Version = version, Variables = variables }, identity, NewCall, TestContext.Current.CancellationToken).AsTask();
}
