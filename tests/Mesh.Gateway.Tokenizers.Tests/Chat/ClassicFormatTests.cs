namespace Mesh.Gateway.Tokenizers.Tests.Chat;

/// <summary>The classic chat format against prompt_tokens that OpenAI's API reported.</summary>
public sealed class ClassicFormatTests
{
    private static readonly TokenCounter s_counter = new();

    private static ChatTokenMessage M(string role, string content, string? name = null) => new() { Role = role, Content = content, Name = name };

    private static ChatTokenFunction F(string name, string? description, string parameters) => new(name, description, parameters);

    // hmarr/openai-chat-tokens tests/token-counts.test.ts (MIT): prompt_tokens of gpt-3.5-turbo for each case.
    public static TheoryData<string, ChatTokenMessage[], ChatTokenFunction[], int> HmarrCases() => new()
    {
        { "user hello", [M("user", "hello")], [], 8 },
        { "user hello world", [M("user", "hello world")], [], 9 },
        { "system hello", [M("system", "hello")], [], 8 },
        { "system hello:", [M("system", "hello:")], [], 9 },
        { "three messages", [M("system", "# Important: you're the best robot"), M("user", "hello robot"), M("assistant", "hello world")], [], 27 },
        { "function without description", [M("user", "hello")], [F("foo", null, """{"type":"object","properties":{}}""")], 31 },
        { "function with description", [M("user", "hello")], [F("foo", "Do a foo", """{"type":"object","properties":{}}""")], 36 },
        { "one string property", [M("user", "hello")], [F("bing_bong", "Do a bing bong", """{"type":"object","properties":{"foo":{"type":"string"}}}""")], 49 },
        {
            "two properties", [M("user", "hello")],
            [F("bing_bong", "Do a bing bong", """{"type":"object","properties":{"foo":{"type":"string"},"bar":{"type":"number","description":"A number"}}}""")], 57
        },
        {
            "nested object with enum", [M("user", "hello")],
            [F("bing_bong", "Do a bing bong", """{"type":"object","properties":{"foo":{"type":"object","properties":{"bar":{"type":"string","enum":["a","b","c"]},"baz":{"type":"boolean"}}}}}""")], 68
        },
        { "function result {}", [M("user", "hello world"), M("function", "{}", "do_stuff")], [], 15 },
        { "function result object", [M("user", "hello world"), M("function", """{"foo": "bar", "baz": 1.5}""", "do_stuff")], [], 28 },
        { "function result nested", [M("function", """{"a": { "b" : { "c": false}}}""", "dance_the_tango")], [], 24 },
        { "system and function", [M("system", "Hello"), M("user", "Hi there")], [F("do_stuff", null, """{"type":"object","properties":{}}""")], 35 },
        { "system with colon and function", [M("system", "Hello:"), M("user", "Hi there")], [F("do_stuff", null, """{"type":"object","properties":{}}""")], 35 },
        { "two systems and function", [M("system", "Hello:"), M("system", "Hello"), M("user", "Hi there")], [F("do_stuff", null, """{"type":"object","properties":{}}""")], 40 },
        {
            "recipe", [M("user", "hello")],
            [F("get_recipe", null, """
                {"type":"object","required":["ingredients","instructions","time_to_cook"],"properties":{
                  "ingredients":{"type":"array","items":{"type":"object","required":["name","unit","amount"],"properties":{
                    "name":{"type":"string"},"unit":{"enum":["grams","ml","cups","pieces","teaspoons"],"type":"string"},"amount":{"type":"number"}}}},
                  "instructions":{"type":"array","items":{"type":"string"},"description":"Steps to prepare the recipe (no numbering)"},
                  "time_to_cook":{"type":"number","description":"Total time to prepare the recipe in minutes"}}}
                """)], 106
        },
    };

    [Theory]
    [MemberData(nameof(HmarrCases))]
    public void CountChat_Gpt35Case_EqualsReportedPromptTokens(string name, ChatTokenMessage[] messages, ChatTokenFunction[] functions, int expected)
    {
        ChatTokenCount count = s_counter.CountChat(new ChatTokenRequest { Model = "gpt-3.5-turbo", Messages = messages, Tools = functions });

        Assert.True(expected == count.PromptTokens, $"{name}: expected {expected}, counted {count.PromptTokens}");
        Assert.Equal(TiktokenEncoding.Cl100kBaseName, count.Encoding);
    }

    [Theory]
    [InlineData("""{"foo": "bar", "baz": 1.5}""", 26)]
    [InlineData("{\"foo\":\"bar\", \"baz\":\n\n 1.5}", 25)]
    public void CountChat_Gpt35AssistantFunctionCall_EqualsReportedPromptTokens(string arguments, int expected)
    {
        var message = new ChatTokenMessage { Role = "assistant", Content = string.Empty, ToolCalls = [new ChatTokenToolCall("do_stuff", arguments)] };

        ChatTokenCount count = s_counter.CountChat(new ChatTokenRequest { Model = "gpt-3.5-turbo", Messages = [message] });

        Assert.Equal(expected, count.PromptTokens);
        Assert.True(count.Approximations.HasFlag(ChatTokenApproximations.ToolHistory));
    }

    // OpenAI cookbook "How to count tokens with tiktoken": the example conversation, as the API reported it.
    [Theory]
    [InlineData("gpt-3.5-turbo-0613", 129)]
    [InlineData("gpt-4-0613", 129)]
    [InlineData("gpt-4o", 124)]
    [InlineData("gpt-4o-mini", 124)]
    public void CountChat_CookbookExample_EqualsReportedPromptTokens(string model, int expected)
    {
        ChatTokenMessage[] messages =
        [
            M("system", "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
            M("system", "New synergies will help drive top-line growth.", "example_user"),
            M("system", "Things working well together will increase revenue.", "example_assistant"),
            M("system", "Let's circle back when we have more time to touch base on opportunities for increased leverage.", "example_user"),
            M("system", "Let's talk later when we're less busy about how to do better.", "example_assistant"),
            M("user", "This late pivot means we don't have time to boil the ocean for the client deliverable."),
        ];

        ChatTokenCount count = s_counter.CountChat(new ChatTokenRequest { Model = model, Messages = messages });

        Assert.Equal(expected, count.PromptTokens);
        Assert.Equal(TokenCountKind.Exact, count.Kind);
    }
}
