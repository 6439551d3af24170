using System.Text;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Providers.OpenAI;
using Mesh.Gateway.Providers.Wire;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

public sealed class OpenAIChatChunkTests
{
    private static readonly JsonStringLocator.Step[] ChatDelta = ["choices", 0, "delta", "content"];

    [Theory]
    [MemberData(nameof(SseResponseProcessorFastPathTests.ChatEvents), MemberType = typeof(SseResponseProcessorFastPathTests))]
    public void TryRead_ChatEvent_AcceptsOnlyPlainTextDeltas(string data, bool plain)
    {
        var bytes = Encoding.UTF8.GetBytes(data);

        Assert.Equal(plain, OpenAIChatChunk.TryRead(bytes, out var content, out var start, out var end));

        if (plain && content is not null)
        {
            // The same token the rewrite path's locator finds, and its text unescaped.
            Assert.True(JsonStringLocator.TryLocate(bytes, ChatDelta, out var s, out var e));
            Assert.Equal((s, e), (start, end));
            Assert.Equal(content, System.Text.Json.JsonSerializer.Deserialize<string>(bytes.AsSpan(start, end - start)));
        }
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}]}""", "Hel")]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"caf\u00e9 \ud83d\ude00 \"q\" \\ \n"}}]}""", "café 😀 \"q\" \\ \n")]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"usage":null}""", "")]
    public void TryRead_TextDelta_ContentUnescaped(string data, string expected)
    {
        Assert.True(OpenAIChatChunk.TryRead(Encoding.UTF8.GetBytes(data), out var content, out _, out _));

        Assert.Equal(expected, content);
    }

    [Fact]
    public void TryRead_DeltaWithoutContent_AcceptedWithNoText()
    {
        Assert.True(OpenAIChatChunk.TryRead("""{"choices":[{"index":0,"delta":{"role":"assistant"}}]}"""u8, out var content, out var start, out var end));

        Assert.Null(content);
        Assert.Equal((0, 0), (start, end));
    }

    [Fact]
    public void TryRead_InvalidUtf8InContent_Refused() =>
        Assert.False(OpenAIChatChunk.TryRead([.. """{"choices":[{"index":0,"delta":{"content":"a"""u8, 0xFF, .. "\"}}]}"u8], out _, out _, out _));
}
