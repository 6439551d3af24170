using System.Globalization;
using System.Text;

namespace Mesh.Gateway.Testing;

/// <summary>What the fake provider answers to one request, and how it misbehaves while doing so.</summary>
public sealed record FakeResponse
{
    public int Status { get; init; } = 200;

    public string ContentType { get; init; } = "application/json";

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Wait before sending the status line and headers.</summary>
    public TimeSpan HeadersDelay { get; init; }

    /// <summary>Wait after the headers, before the first body byte (a slow first token).</summary>
    public TimeSpan FirstByteDelay { get; init; }

    /// <summary>Wait between body pieces.</summary>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>When set, the body is written in pieces of random sizes (1..<see cref="MaxChunkSize"/>) from this seed, each flushed.</summary>
    public int? SplitSeed { get; init; }

    public int MaxChunkSize { get; init; } = 64;

    /// <summary>When set, the body ends after this many bytes and the connection closes (HTTP/2: the stream is reset): a disconnect mid-stream, after every byte before the cut has been delivered.</summary>
    public int? DisconnectAfterBytes { get; init; }

    /// <summary>When set, the body stops after this many bytes and the response stays open, sending nothing more, until the
    /// client goes away: a provider stalled mid-stream (for a caller that cancels, or a deadline, after a known part).</summary>
    public int? StallAfterBytes { get; init; }

    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    public static FakeResponse Json(string json, int status = 200) => new() { Status = status, Body = Encoding.UTF8.GetBytes(json) };

    public static FakeResponse Sse(string body) => Sse(Encoding.UTF8.GetBytes(body));

    public static FakeResponse Sse(ReadOnlyMemory<byte> body) => new() { ContentType = "text/event-stream", Body = body };

    public static FakeResponse AwsEventStream(ReadOnlyMemory<byte> body) => new() { ContentType = "application/vnd.amazon.eventstream", Body = body };

    /// <summary>A recorded body replayed with its recorded status and content type.</summary>
    public static FakeResponse Recorded(int status, string contentType, ReadOnlyMemory<byte> body) => new() { Status = status, ContentType = contentType, Body = body };

    /// <summary>HTTP 429 with Retry-After (whole seconds) and an OpenAI-shaped error body.</summary>
    public static FakeResponse RateLimited(TimeSpan retryAfter) => Json(
        "{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
        429) with
    {
        Headers = new Dictionary<string, string> { ["Retry-After"] = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture) },
    };

    /// <summary>HTTP 500 with an OpenAI-shaped error body.</summary>
    public static FakeResponse ServerError() => Json(
        "{\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}",
        500);

    /// <summary>HTTP 529 with Anthropic's overloaded_error body.</summary>
    public static FakeResponse Overloaded() => Json("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}", 529);

    /// <summary>HTTP 400 with an OpenAI-shaped error body carrying <paramref name="message"/>.</summary>
    public static FakeResponse BadRequest(string message) => Json(
        "{\"error\":{\"message\":" + System.Text.Json.JsonSerializer.Serialize(message, TestingJsonContext.Default.String) + ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}",
        400);

    /// <summary>A 200 JSON body cut off in the middle.</summary>
    public static FakeResponse BrokenJson() => Json("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hel");

    /// <summary>An OpenAI chat stream whose second event is not server-sent events syntax.</summary>
    public static FakeResponse BrokenSseLine() => Sse(
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
        + "dat@ {\"broken\n\n"
        + "data: [DONE]\n\n");

    /// <summary>An OpenAI chat stream whose second event holds broken JSON.</summary>
    public static FakeResponse BrokenJsonInStream() => Sse(
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\n\n"
        + "data: [DONE]\n\n");

    /// <summary>An OpenAI chat completion body with the given text and usage.</summary>
    public static FakeResponse OpenAIChat(string text, int inputTokens = 5, int outputTokens = 3, string model = "gpt-4o-mini") =>
        Json(OpenAIStreams.Completion(text, inputTokens, outputTokens, model));

    /// <summary>An OpenAI chat stream (one event per delta, finish, usage chunk, [DONE]).</summary>
    public static FakeResponse OpenAIChatStream(IReadOnlyList<string> deltas, int inputTokens = 5, int outputTokens = 3, string model = "gpt-4o-mini") =>
        Sse(OpenAIStreams.Stream(deltas, inputTokens, outputTokens, model));

    public FakeResponse SplitRandomly(int seed, int maxChunkSize = 17) => this with { SplitSeed = seed, MaxChunkSize = maxChunkSize };

    public FakeResponse WithFirstByteDelay(TimeSpan delay) => this with { FirstByteDelay = delay };

    public FakeResponse WithHeadersDelay(TimeSpan delay) => this with { HeadersDelay = delay };

    public FakeResponse DisconnectAfter(int bodyBytes) => this with { DisconnectAfterBytes = bodyBytes };

    public FakeResponse StallAfter(int bodyBytes) => this with { StallAfterBytes = bodyBytes };
}
