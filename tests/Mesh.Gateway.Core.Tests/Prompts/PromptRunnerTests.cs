using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;
using static Mesh.Gateway.Core.Tests.Prompts.PromptFixtures;

namespace Mesh.Gateway.Core.Tests.Prompts;

public sealed class PromptRunnerTests
{
    private readonly List<InferenceContext> _calls = [];

    private static Dictionary<string, PromptValue> Text(string text) => new() { ["text"] = PromptValue.FromString(text) };

    [Fact]
    public async Task PrepareAsync_DefaultsFilled_RendersProductionVersion()
    {
        var runner = Runner(Registry(Summarize), _calls);

        var prepared = await PrepareAsync(runner, "summarize", Text("the report"));

        Assert.False(prepared.IsError);
        Assert.Equal("chat-fast", prepared.Request!.Model);
        Assert.Equal(ChatRole.System, prepared.Request.Messages[0].Role);
        Assert.Equal("Summarize in 50 words, formal, bullets=false: the report", prepared.Request.Messages[1].Text);
        Assert.Equal(new PromptCall("summarize", "1", "production"), prepared.Call);
        Assert.Empty(_calls);
    }

    [Fact]
    public async Task PrepareAsync_TypedValues_RenderedInvariantly()
    {
        var runner = Runner(Registry(Summarize), _calls);
        var variables = new Dictionary<string, PromptValue>
        {
            ["text"] = PromptValue.FromString("x"),
            ["words"] = PromptValue.FromNumber(12.5),
            ["tone"] = PromptValue.FromString("casual"),
            ["bullets"] = PromptValue.FromBoolean(true),
        };

        var prepared = await PrepareAsync(runner, "summarize", variables);

        Assert.Equal("Summarize in 12.5 words, casual, bullets=true: x", prepared.Request!.Messages[1].Text);
    }

    [Theory]
    [InlineData("staging", null, "2", "chat-big", "v2 t (50)")]
    [InlineData(null, "3", "3", "chat-big", "v3 t")]
    [InlineData(null, "2", "2", "chat-big", "v2 t (50)")]
    public async Task PrepareAsync_LabelOrVersion_RunsThatVersionOnItsModel(string? label, string? version, string expectedVersion, string expectedModel, string expectedText)
    {
        var runner = Runner(Registry(Summarize), _calls);

        var prepared = await PrepareAsync(runner, "summarize", Text("t"), label, version);

        Assert.Equal(expectedVersion, prepared.Call!.Version);
        Assert.Equal(label, prepared.Call.Label);
        Assert.Equal(expectedModel, prepared.Request!.Model);
        Assert.Equal(expectedText, prepared.Request.Messages[1].Text);
    }

    [Fact]
    public async Task PrepareAsync_NoProductionLabel_RunsLastVersion()
    {
        var template = Summarize with { Labels = new Dictionary<string, PromptLabelOptions>() };
        var runner = Runner(Registry(template), _calls);

        var prepared = await PrepareAsync(runner, "summarize", Text("t"));

        Assert.Equal("3", prepared.Call!.Version);
        Assert.Null(prepared.Call.Label);
    }

    [Theory]
    [InlineData("nope", null, null, "name")]
    [InlineData("summarize", "canary", null, "label")]
    [InlineData("summarize", null, "9", "version")]
    public async Task PrepareAsync_UnknownPromptLabelOrVersion_NotFoundNamingIt(string name, string? label, string? version, string field)
    {
        var runner = Runner(Registry(Summarize), _calls);

        var prepared = await PrepareAsync(runner, name, Text("t"), label, version);

        Assert.Equal(GatewayErrorCode.NotFound, prepared.Error!.Code);
        Assert.Equal(PromptErrors.PromptNotFound, prepared.Error.Reason);
        Assert.Equal(field, prepared.Error.Field);
    }

    [Fact]
    public async Task PrepareAsync_MissingRequiredVariable_InvalidArgumentNamingIt()
    {
        var runner = Runner(Registry(Summarize), _calls);

        var prepared = await PrepareAsync(runner, "summarize", new Dictionary<string, PromptValue>());

        Assert.Equal(GatewayErrorCode.InvalidArgument, prepared.Error!.Code);
        Assert.Equal("variables.text", prepared.Error.Field);
        Assert.Equal("variables.text: is required", prepared.Error.Message);
    }

    [Theory]
    [InlineData("words", "fifty", "variables.words: must be a number (was a string)")]
    [InlineData("bullets", "yes", "variables.bullets: must be a boolean (was a string)")]
    [InlineData("tone", "angry", "variables.tone: must be one of formal, casual")]
    public async Task PrepareAsync_WrongType_InvalidArgumentNamingIt(string name, string value, string message)
    {
        var runner = Runner(Registry(Summarize), _calls);
        var variables = Text("t");
        variables[name] = PromptValue.FromString(value);

        var prepared = await PrepareAsync(runner, "summarize", variables);

        Assert.Equal(GatewayErrorCode.InvalidArgument, prepared.Error!.Code);
        Assert.Equal($"variables.{name}", prepared.Error.Field);
        Assert.Equal(message, prepared.Error.Message);
    }

    [Fact]
    public async Task PrepareAsync_NumberForAString_InvalidArgument()
    {
        var runner = Runner(Registry(Summarize), _calls);

        var prepared = await PrepareAsync(runner, "summarize", new Dictionary<string, PromptValue> { ["text"] = PromptValue.FromNumber(3) });

        Assert.Equal("variables.text: must be a string (was a number)", prepared.Error!.Message);
    }

    [Fact]
    public async Task PrepareAsync_ExtraVariable_InvalidArgumentNamingIt()
    {
        var runner = Runner(Registry(Summarize), _calls);
        var variables = Text("t");
        variables["colour"] = PromptValue.FromString("red");

        var prepared = await PrepareAsync(runner, "summarize", variables);

        Assert.Equal(GatewayErrorCode.InvalidArgument, prepared.Error!.Code);
        Assert.Equal("variables.colour", prepared.Error.Field);
        Assert.Contains("is not a variable of prompt 'summarize'", prepared.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrepareAsync_BothLabelAndVersion_InvalidArgument()
    {
        var runner = Runner(Registry(Summarize), _calls);

        var prepared = await PrepareAsync(runner, "summarize", Text("t"), "staging", "2");

        Assert.Equal(GatewayErrorCode.InvalidArgument, prepared.Error!.Code);
    }

    [Fact]
    public async Task PrepareAsync_Chain_RunsTheSourcePromptThroughThePipelineFirst()
    {
        var runner = Runner(Registry(Extract, Answer), _calls);
        var variables = new Dictionary<string, PromptValue> { ["text"] = PromptValue.FromString("sky is blue"), ["question"] = PromptValue.FromString("colour?") };

        var prepared = await PrepareAsync(runner, "answer", variables);

        var step = Assert.Single(_calls);
        Assert.Equal("chat-fast", step.Model);
        Assert.True(step.Properties.TryGetValue(PromptCall.Key, out var stepPrompt));
        Assert.Equal("extract", stepPrompt.Name);
        Assert.Equal("Facts: answer(chat-fast): Extract the facts: sky is blue\nQuestion: colour?", prepared.Request!.Messages[1].Text);
        Assert.Equal("answer", prepared.Call!.Name);
    }

    [Fact]
    public async Task PrepareAsync_ChainMissesTheSourcesVariable_InvalidArgumentBeforeAnyCall()
    {
        var runner = Runner(Registry(Extract, Answer), _calls);

        var prepared = await PrepareAsync(runner, "answer", new Dictionary<string, PromptValue> { ["question"] = PromptValue.FromString("q") });

        Assert.Equal("variables.text", prepared.Error!.Field);
        Assert.Contains("prompt 'extract'", prepared.Error.Message, StringComparison.Ordinal);
        Assert.Empty(_calls);
    }

    [Fact]
    public async Task PrepareAsync_ChainedVariableGiven_InvalidArgument()
    {
        var runner = Runner(Registry(Extract, Answer), _calls);
        var variables = new Dictionary<string, PromptValue> { ["text"] = PromptValue.FromString("t"), ["question"] = PromptValue.FromString("q"), ["facts"] = PromptValue.FromString("f") };

        var prepared = await PrepareAsync(runner, "answer", variables);

        Assert.Equal("variables.facts", prepared.Error!.Field);
        Assert.Empty(_calls);
    }

    [Fact]
    public async Task PrepareAsync_ChainStepRefused_ReturnsItsErrorNamingThePrompt()
    {
        var pipeline = new InferencePipelineBuilder().Build((_, _) => ValueTask.FromResult(InferenceResult.Failure(new GatewayError { Code = GatewayErrorCode.ResourceExhausted, Reason = GatewayErrorReasons.RateLimited, Message = "slow down" })));
        var runner = new PromptRunner(Registry(Extract, Answer), pipeline, new PromptVersionSelector());
        var variables = new Dictionary<string, PromptValue> { ["text"] = PromptValue.FromString("t"), ["question"] = PromptValue.FromString("q") };

        var prepared = await PrepareAsync(runner, "answer", variables);

        Assert.Equal(GatewayErrorCode.ResourceExhausted, prepared.Error!.Code);
        Assert.Equal("extract", prepared.Error.Metadata["prompt"]);
    }
}
