using System.Text;
using System.Text.Json;
using Envoy.Service.ExtProc.V3;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tests.Support;
using Mesh.Gateway.Providers.Wire;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

/// <summary>Upstream data a broken or hostile provider could send, in rewrite mode and on a buffered JSON response: nothing
/// throws out of the processor, and no address reaches the client uninspected (cases found in review).</summary>
public sealed class HostileUpstreamTests
{
    private static string Run(ApiSchema schema, string stream)
    {
        var sse = new SseResponseProcessor(WireCodecs.For(schema), new TestGuard());
        return Encoding.UTF8.GetString(sse.OnChunk(Encoding.UTF8.GetBytes(stream), endOfStream: true)!.Value.Span);
    }

    // TryRead succeeds (it never reads the odd property name); SetStreamText materialises the JsonObject -> property name GetString.
    [Fact]
    public void Rewrite_FinishEvent_LoneSurrogatePropertyName_DoesNotThrow()
    {
        var stream = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"mail john.doe@example.com\"},\"finish_reason\":\"stop\"}],\"\\ud800\":1}\n\ndata: [DONE]\n\n";
        var output = Run(ApiSchema.OpenAIChat, stream);
        Assert.DoesNotContain("john.doe", output, StringComparison.Ordinal);
    }

    // Responses API: response.completed repeats the whole text; MapWhole -> JsonValue.TryGetValue<string> on a lone surrogate.
    [Fact]
    public void Rewrite_ResponsesCompleted_LoneSurrogateText_DoesNotThrow()
    {
        var stream = "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"output\":[{\"content\":[{\"type\":\"output_text\",\"text\":\"mail john.doe@example.com \\ud800\"}]}]}}\n\n";
        var output = Run(ApiSchema.OpenAIResponses, stream);
        Assert.DoesNotContain("john.doe", output, StringComparison.Ordinal);
    }

    // The same property spelled with an escape: is it caught as a duplicate?
    [Fact]
    public void Rewrite_EscapedDuplicateName_NotBypassed()
    {
        var stream = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\",\"\\u0063ontent\":\"mail john.doe@example.com now\"}}]}\n\ndata: [DONE]\n\n";
        var output = Run(ApiSchema.OpenAIChat, stream);
        Assert.DoesNotContain("john.doe", output, StringComparison.Ordinal);
    }

    // WHATWG SSE strips exactly one space after "data:"; clients json.loads the rest, leading whitespace included.
    [Theory]
    [InlineData("data:  ")]
    [InlineData("data: \t")]
    [InlineData("data: \ndata: ")]
    public void Rewrite_LeadingWhitespaceBeforeJson_NotForwardedUnredacted(string prefix)
    {
        var stream = prefix + "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"mail john.doe@example.com now\"}}]}\n\ndata: [DONE]\n\n";
        var output = Run(ApiSchema.OpenAIChat, stream);
        Assert.DoesNotContain("john.doe", output, StringComparison.Ordinal);
    }

    // Buffered JSON response with a UTF-8 BOM (Python's json.loads(bytes)/requests .json() accept it): inspected or refused?
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BufferedJson_BomOrOversized_NotDeliveredUninspected(bool bom)
    {
        var session = await AtResponseBodyAsync(EnvoyTestBed.Deps(options: bom ? null : new Mesh.Gateway.Envoy.Configuration.EnvoyOptions { MaxRequestBodyBytes = 200 }), 200);
        var ct = TestContext.Current.CancellationToken;
        var json = """{"choices":[{"index":0,"message":{"role":"assistant","content":"mail john.doe@example.com"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""" + (bom ? "" : new string(' ', 300));
        var bytes = (bom ? new byte[] { 0xEF, 0xBB, 0xBF } : []).Concat(Encoding.UTF8.GetBytes(json)).ToArray();
        var answer = await session.HandleAsync(Messages.ResponseBody(bytes, endOfStream: true), ct);
        if (bom)
        {
            // Read past the byte order mark: inspected and redacted like any other answer.
            Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseBody, answer!.ResponseCase);
            var body = answer.ResponseBody.Response.BodyMutation.Body.ToStringUtf8();
            Assert.DoesNotContain("john.doe", body, StringComparison.Ordinal);
            Assert.Contains("[EMAIL]", body, StringComparison.Ordinal);
        }
        else
        {
            // Too large to buffer, so too large to inspect: refused rather than passed on unread.
            Assert.Equal(ProcessingResponse.ResponseOneofCase.ImmediateResponse, answer!.ResponseCase);
            Assert.Equal(502, (int)answer.ImmediateResponse.Status.Code);
        }
    }

    // The fast path skips unknown top-level properties unread, so a delta event with "id" twice is accepted and kept as the
    // shape of the synthetic event; FlushHeldText then materialises it with JsonNode -> ArgumentException (duplicate key).
    [Theory]
    [InlineData("\"id\":\"a\",\"id\":\"b\",")]
    [InlineData("\"\\ud800\":1,")]
    public void Rewrite_FastPathDeltaWithOddTopLevelName_ThenDone_DoesNotThrow(string extra)
    {
        var stream = "data: {" + extra + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"mail john.doe@example.com\"}}]}\n\ndata: [DONE]\n\n";
        var output = Run(ApiSchema.OpenAIChat, stream);
        Assert.DoesNotContain("john.doe", output, StringComparison.Ordinal);
    }

    // A body that is not JSON: on a success the guard cannot inspect it, so the client gets a 502; an error page goes on.
    [Theory]
    [InlineData(200, true)]
    [InlineData(500, false)]
    public async Task BufferedResponse_NotJson_RefusedOnSuccessOnly(int status, bool refused)
    {
        var session = await AtResponseBodyAsync(EnvoyTestBed.Deps(), status);
        var ct = TestContext.Current.CancellationToken;

        var answer = await session.HandleAsync(Messages.ResponseBody("<html>mail john.doe@example.com</html>"u8, endOfStream: true), ct);

        Assert.Equal(refused ? ProcessingResponse.ResponseOneofCase.ImmediateResponse : ProcessingResponse.ResponseOneofCase.ResponseBody, answer!.ResponseCase);
        if (refused)
        {
            Assert.Equal(502, (int)answer.ImmediateResponse.Status.Code);
            Assert.DoesNotContain("john.doe", answer.ImmediateResponse.Body.ToStringUtf8(), StringComparison.Ordinal);
        }
    }

    // A buffered JSON response the response guard cannot read without ambiguity (a property named twice: a redaction of one
    // copy would leave the other for a client that keeps it) or at all (a lone surrogate escape): the client does not get
    // it, and its usage is still settled.
    [Theory]
    [InlineData("""{"choices":[{"index":0,"message":{"role":"assistant","content":"safe","content":"mail john.doe@example.com"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""")]
    [InlineData("""{"choices":[{"index":0,"message":{"role":"assistant","content":"mail john.doe@example.com \ud83d"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""")]
    public async Task ResponseJson_GuardCannotReadIt_502AndUsageSettled(string json)
    {
        var ledger = new RecordingLedger();
        var session = await AtResponseBodyAsync(EnvoyTestBed.Deps(ledger: ledger), 200);
        var ct = TestContext.Current.CancellationToken;

        var answer = await session.HandleAsync(Messages.ResponseBody(Encoding.UTF8.GetBytes(json), endOfStream: true), ct);
        await session.EndAsync(cancelled: false, ct);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.ImmediateResponse, answer!.ResponseCase);
        Assert.Equal(502, (int)answer.ImmediateResponse.Status.Code);
        var body = answer.ImmediateResponse.Body.ToStringUtf8();
        Assert.DoesNotContain("john.doe", body, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(body);
        Assert.Contains("could not be inspected", doc.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var settled = Assert.Single(ledger.Settled);
        Assert.Equal((3L, 4L), (settled.InputTokens, settled.OutputTokens));
    }

    // A session of a chat request that has had its answer's headers: the next message is the buffered JSON body.
    private static async Task<ExtProcSession> AtResponseBodyAsync(ExtProcDependencies deps, int status)
    {
        var session = new ExtProcSession(deps);
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), ct);
        await session.HandleAsync(Messages.ResponseHeaders(status, "application/json"), ct);
        return session;
    }
}
