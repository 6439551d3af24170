using System.Text;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Providers.Wire;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Http;

public sealed class RequestBodyReaderTests
{
    private static readonly ProviderApi OpenAIChat = new("openai", "chat", ApiSchema.OpenAIChat, null, false);

    [Theory]
    [InlineData("""{"model":"mock","model":"gpt-4o-mini","messages":[]}""", "model")]
    [InlineData("""{"model":"mock","mod\u0065l":"gpt-4o-mini"}""", "model")]
    [InlineData("""{"model":"mock","stream":false,"stream":true}""", "stream")]
    [InlineData("""{"model":"mock","messages":[],"messages":[{"role":"user","content":"x"}]}""", "messages")]
    [InlineData("""{"model":"mock","tools":[],"tools":[{"type":"function"}]}""", "tools")]
    [InlineData("""{"model":"mock","messages":[{"role":"user","content":"a","content":"b"}]}""", "content")]
    [InlineData("""{"model":"mock","max_tokens":10,"max_tokens":100000}""", "max_tokens")]
    public void Read_DuplicateKey_RefusedNamingTheKey(string json, string key)
    {
        var reading = RequestBodyReader.Read(Encoding.UTF8.GetBytes(json), OpenAIChat);

        Assert.Null(reading.Root);
        Assert.Null(reading.Model);
        Assert.Equal((400, "duplicate_key"), Shown(reading.Error));
        Assert.Contains($"'{key}'", reading.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SameKeyInSiblingObjects_Accepted()
    {
        var reading = RequestBodyReader.Read(
            """{"model":"gpt-4o-mini","messages":[{"role":"system","content":"a"},{"role":"user","content":"b"}]}"""u8, OpenAIChat);

        Assert.Null(reading.Error);
        Assert.Equal("gpt-4o-mini", reading.Model);
    }

    [Fact]
    public void Read_PathNamesTheModel_PathWins()
    {
        var gemini = new ProviderApi("gemini", "chat", ApiSchema.GeminiGenerate, "gemini-2.0-flash", false);

        var reading = RequestBodyReader.Read("""{"model":"gpt-4o","contents":[]}"""u8, gemini);

        Assert.Equal("gemini-2.0-flash", reading.Model);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini",""")]
    [InlineData("""["model","gpt-4o-mini"]""")]
    public void Read_NotAWholeObject_Refused(string json)
    {
        var reading = RequestBodyReader.Read(Encoding.UTF8.GetBytes(json), OpenAIChat);

        Assert.Equal((400, "invalid_json"), Shown(reading.Error));
    }

    // What the app sees of the refusal: the HTTP status and the error code of the body.
    private static (int?, string?) Shown(Mesh.Gateway.Core.Pipeline.GatewayError? error) =>
        error is null ? (null, null) : (EnvoyErrors.HttpStatus(error), EnvoyErrors.WireCode(error));
}
