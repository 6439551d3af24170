using System.Text.Json.Nodes;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Tests.Wire;

/// <summary>A message the gateway adds to a request (a prompt decorator's), written where each schema keeps it, and the role
/// each schema gives a request text.</summary>
public sealed class RequestMessageWireTests
{
    public static TheoryData<string, string, string> SystemTexts() => new()
    {
        // schema, body, the body after a system text "S" is added first
        { nameof(ApiSchema.OpenAIChat), """{"model":"m","messages":[{"role":"user","content":"U"}]}""", """{"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":"U"}]}""" },
        { nameof(ApiSchema.AnthropicMessages), """{"model":"m","messages":[{"role":"user","content":"U"}]}""", """{"system":[{"type":"text","text":"S"}],"model":"m","messages":[{"role":"user","content":"U"}]}""" },
        { nameof(ApiSchema.AnthropicMessages), """{"model":"m","system":"Old","messages":[]}""", """{"model":"m","system":[{"type":"text","text":"S"},{"type":"text","text":"Old"}],"messages":[]}""" },
        { nameof(ApiSchema.GeminiGenerate), """{"contents":[{"role":"user","parts":[{"text":"U"}]}]}""", """{"systemInstruction":{"parts":[{"text":"S"}]},"contents":[{"role":"user","parts":[{"text":"U"}]}]}""" },
        { nameof(ApiSchema.GeminiGenerate), """{"contents":[],"system_instruction":{"parts":[{"text":"Old"}]}}""", """{"contents":[],"system_instruction":{"parts":[{"text":"S"},{"text":"Old"}]}}""" },
        { nameof(ApiSchema.OpenAIResponses), """{"model":"m","input":"U"}""", """{"instructions":"S","model":"m","input":"U"}""" },
        { nameof(ApiSchema.OpenAIResponses), """{"model":"m","instructions":"Old","input":"U"}""", "{\"model\":\"m\",\"instructions\":\"S\\n\\nOld\",\"input\":\"U\"}" },
    };

    [Theory]
    [MemberData(nameof(SystemTexts))]
    public void AddRequestMessage_SystemText_WhereTheSchemaKeepsIt(string schema, string body, string expected)
    {
        var root = JsonNode.Parse(body)!.AsObject();

        Assert.True(WireCodecs.For(Enum.Parse<ApiSchema>(schema)).AddRequestMessage(root, RequestTextKind.System, "S", append: false));

        Assert.Equal(expected, root.ToJsonString());
    }

    public static TheoryData<string, string, string> UserMessages() => new()
    {
        // schema, body, the body after a user message "A" is appended
        { nameof(ApiSchema.OpenAIChat), """{"messages":[{"role":"user","content":"U"}]}""", """{"messages":[{"role":"user","content":"U"},{"role":"user","content":"A"}]}""" },
        { nameof(ApiSchema.AnthropicMessages), """{"messages":[{"role":"user","content":"U"}]}""", """{"messages":[{"role":"user","content":"U"},{"role":"user","content":"A"}]}""" },
        { nameof(ApiSchema.GeminiGenerate), """{"contents":[{"role":"user","parts":[{"text":"U"}]}]}""", """{"contents":[{"role":"user","parts":[{"text":"U"}]},{"role":"user","parts":[{"text":"A"}]}]}""" },
        { nameof(ApiSchema.OpenAIResponses), """{"input":"U"}""", """{"input":[{"role":"user","content":"U"},{"role":"user","content":"A"}]}""" },
    };

    [Theory]
    [MemberData(nameof(UserMessages))]
    public void AddRequestMessage_UserMessageAppended_LastInTheConversation(string schema, string body, string expected)
    {
        var root = JsonNode.Parse(body)!.AsObject();

        Assert.True(WireCodecs.For(Enum.Parse<ApiSchema>(schema)).AddRequestMessage(root, RequestTextKind.Message, "A", append: true));

        Assert.Equal(expected, root.ToJsonString());
    }

    [Fact]
    public void AddRequestMessage_EmbeddingsSchema_NoPlaceForIt()
    {
        var root = JsonNode.Parse("""{"input":"x"}""")!.AsObject();

        Assert.False(WireCodecs.For(ApiSchema.OpenAIEmbeddings).AddRequestMessage(root, RequestTextKind.System, "S", append: false));
        Assert.Equal("""{"input":"x"}""", root.ToJsonString());
    }

    public static TheoryData<string, string> Roles() => new()
    {
        { nameof(ApiSchema.OpenAIChat), """{"messages":[{"role":"developer","content":"S"},{"role":"user","content":"U"},{"role":"assistant","content":"A"}]}""" },
        { nameof(ApiSchema.AnthropicMessages), """{"system":"S","messages":[{"role":"user","content":"U"},{"role":"assistant","content":[{"type":"text","text":"A"}]}]}""" },
        { nameof(ApiSchema.GeminiGenerate), """{"contents":[{"role":"user","parts":[{"text":"U"}]},{"role":"model","parts":[{"text":"A"}]}],"systemInstruction":{"parts":[{"text":"S"}]}}""" },
        { nameof(ApiSchema.OpenAIResponses), """{"instructions":"S","input":[{"role":"user","content":"U"},{"role":"assistant","content":[{"type":"output_text","text":"A"}]}]}""" },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public void VisitRequestTexts_EachSchema_TheRoleOfEachText(string schema, string body)
    {
        var seen = new Dictionary<string, RequestTextKind>();

        WireCodecs.For(Enum.Parse<ApiSchema>(schema)).VisitRequestTexts(JsonNode.Parse(body)!, (text, kind) =>
        {
            seen[text] = kind;
            return text;
        });

        Assert.Equal(RequestTextKind.System, seen["S"]);
        Assert.Equal(RequestTextKind.Message, seen["U"]);
        Assert.Equal(RequestTextKind.Assistant, seen["A"]);
    }
}
