using System.Text;
using System.Text.Json;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tests.Support;
using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Testing;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

/// <summary>Regression: a moderation finding cut the text of an OpenAI stream, but the client still got the provider's
/// finish_reason "stop" and nothing said why the answer ended (the gRPC door reports content_filter).</summary>
public sealed class SseModerationCutTests
{
    // Short: the cut is found when the text run ends.
    private static readonly string[] Short = ["Here is the plan. ", "I will kill ", "them all tomorrow. ", "More text."];

    // Long: the cut is found mid-stream, with text still to come.
    private static readonly string[] Long =
    [
        "Here is the plan, and it is a long one with many careful steps written out in full detail for you. ",
        "I will kill ",
        "them all tomorrow. ",
        "More text after the cut that must never reach the client.",
    ];

    public static TheoryData<string[]> Deltas() => new() { Short, Long };

    [Theory]
    [MemberData(nameof(Deltas))]
    public async Task OnChunk_ModerationCut_FinishReasonContentFilterAndNoTextPastTheCut(string[] deltas)
    {
        var bytes = Encoding.UTF8.GetBytes(OpenAIStreams.Stream(deltas, 5, 3, "gpt-4o-mini"));
        for (var size = 7; size <= bytes.Length; size += 61)
        {
            var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), await PipelineGuard.CreateAsync());
            var output = new StringBuilder();
            for (var offset = 0; offset < bytes.Length; offset += size)
            {
                var length = Math.Min(size, bytes.Length - offset);
                output.Append(Encoding.UTF8.GetString(sse.OnChunk(bytes.AsSpan(offset, length), offset + length == bytes.Length)!.Value.Span));
            }

            var (text, finishes, usage) = Read(output.ToString());
            Assert.StartsWith("Here is the plan", text, StringComparison.Ordinal);
            Assert.DoesNotContain("kill", text, StringComparison.Ordinal);
            Assert.DoesNotContain("More text", text, StringComparison.Ordinal);
            Assert.Equal(["content_filter"], finishes);
            Assert.True(usage, "the usage chunk still reaches the client");
            Assert.EndsWith("data: [DONE]\n\n", output.ToString(), StringComparison.Ordinal);
        }
    }

    private static (string Text, List<string> Finishes, bool Usage) Read(string sse)
    {
        var text = new StringBuilder();
        var finishes = new List<string>();
        var usage = false;
        foreach (var line in sse.Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line["data: ".Length..]);
            usage |= doc.RootElement.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object;
            foreach (var choice in doc.RootElement.GetProperty("choices").EnumerateArray())
            {
                if (choice.GetProperty("delta").TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
                {
                    text.Append(c.GetString());
                }

                if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
                {
                    finishes.Add(f.GetString()!);
                }
            }
        }

        return (text.ToString(), finishes, usage);
    }
}
