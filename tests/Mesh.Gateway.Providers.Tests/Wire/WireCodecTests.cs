using System.Text.Json;
using Mesh.Gateway.Providers.Sse;
using Mesh.Gateway.Providers.Tests.Recorded;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Tests.Wire;

public sealed class WireCodecTests
{
    [Fact]
    public void For_EverySchema_TheCodecOfThatSchema()
    {
        foreach (var schema in Enum.GetValues<ApiSchema>())
        {
            Assert.Equal(schema, WireCodecs.For(schema).Schema);
        }
    }

    // The recordings of the schemas the proxy door reads, that end in an answer (not an error).
    public static TheoryData<string> UsageCases() =>
    [
        .. RecordedCase.Cases
            .Where(c => SchemaOf(c.Value.Schema) is not null && c.Value.Expect["error"] is null && c.Value.Replay != "eventstream")
            .Select(c => c.Key)
            .Order(StringComparer.Ordinal),
    ];

    // The proxy door's reading of usage and the translators' agree on every recording: both are held to the figures
    // make_expected.py derived from the recordings independently (input includes cached and tool-use prompt tokens).
    [Theory]
    [MemberData(nameof(UsageCases))]
    public void ReadUsage_EveryRecordedAnswer_TheRecordedUsage(string name)
    {
        var c = RecordedCase.Cases[name];
        var codec = WireCodecs.For(SchemaOf(c.Schema)!.Value);
        var body = RecordedTrafficTests.BuildResponse(c).Body;
        var usage = new UsageAccumulator();
        if (c.Replay is "sse" or "chunks" || (c.Replay == "cassette" && c.Stream))
        {
            var events = new List<SseEvent>();
            var sse = new SseReassembler();
            sse.Push(body.Span, events);
            sse.Complete(events);
            foreach (var e in events)
            {
                if (Observe(codec, e.Data, usage))
                {
                    // A few recordings hold several answers in turn. Read as the translators read them: an end event that
                    // carries the usage (Responses' response.completed) ends the answer; where the usage comes before the
                    // end event (Anthropic's message_delta), the last answer's usage is the one left.
                    break;
                }
            }
        }
        else
        {
            _ = Observe(codec, body, usage);
        }

        var expected = c.Expect["usage"]!;
        Assert.Equal(
            ((int)expected["input"]!, (int)expected["output"]!, (int)expected["cached"]!, (int)expected["reasoning"]!),
            (usage.InputTokens, usage.OutputTokens, usage.CachedInputTokens, usage.ReasoningTokens));
    }

    // Reads the event's usage; true when the event ends the stream and carries usage itself.
    private static bool Observe(IWireCodec codec, ReadOnlyMemory<byte> json, UsageAccumulator usage)
    {
        if (json.Span.TrimStart(" \t\r\n"u8) is not [(byte)'{', ..])
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var reportedBefore = usage.Reported;
            usage.Reported = false;
            usage.Observe(codec, doc.RootElement);
            var carriesUsage = usage.Reported;
            usage.Reported |= reportedBefore;
            return carriesUsage && codec.Stream.EndsStream(doc.RootElement);
        }
        catch (JsonException)
        {
            // As the door: an event that is not JSON carries no usage.
            return false;
        }
    }

    private static ApiSchema? SchemaOf(string schema) => schema switch
    {
        "openai-chat" or "openai-compatible" or "azure-openai" => ApiSchema.OpenAIChat,
        "openai-responses" => ApiSchema.OpenAIResponses,
        "anthropic" => ApiSchema.AnthropicMessages,
        "gemini" => ApiSchema.GeminiGenerate,
        _ => null,
    };
}
