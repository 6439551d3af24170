using System.Text;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Tests.Wire;

public sealed class JsonStringLocatorTests
{
    private static readonly JsonStringLocator.Step[] ChatDelta = ["choices", 0, "delta", "content"];

    [Theory]
    [InlineData("""{"id":"x","choices":[{"index":0,"delta":{"content":"Hel\"lo"},"finish_reason":null}]}""", "\"Hel\\\"lo\"")]
    [InlineData("""{"choices":[{"delta":{"role":"assistant","content":""}}],"usage":null}""", "\"\"")]
    [InlineData("""{ "choices" : [ { "logprobs": {"content":[{"token":"a"}]}, "delta" : { "content" : "é \u00e9" } } ] }""", "\"é \\u00e9\"")]
    public void TryLocate_ChatDelta_RangeIsTheQuotedToken(string json, string token)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.True(JsonStringLocator.TryLocate(bytes, ChatDelta, out var start, out var end));

        Assert.Equal(token, Encoding.UTF8.GetString(bytes.AsSpan(start, end - start)));
    }

    [Theory]
    [InlineData("""{"choices":[]}""")]
    [InlineData("""{"choices":[{"delta":{}}]}""")]
    [InlineData("""{"choices":[{"delta":{"content":null}}]}""")]
    [InlineData("""{"choices":[{"delta":{"content":7}}]}""")]
    [InlineData("""{"choices":{"0":{"delta":{"content":"x"}}}}""")]
    [InlineData("""not json""")]
    public void TryLocate_PathMissingOrNotAString_False(string json) =>
        Assert.False(JsonStringLocator.TryLocate(Encoding.UTF8.GetBytes(json), ChatDelta, out _, out _));

    [Fact]
    public void TryLocate_SecondElement_SkipsNestedFirst()
    {
        var bytes = """{"a":[{"b":[1,{"c":"no"}]},{"c":"yes"}]}"""u8.ToArray();

        Assert.True(JsonStringLocator.TryLocate(bytes, ["a", 1, "c"], out var start, out var end));

        Assert.Equal("\"yes\"", Encoding.UTF8.GetString(bytes.AsSpan(start, end - start)));
    }
}
