using System.Globalization;
using System.Text;
using System.Text.Json;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>The messages Envoy sends for one streamed chat completion, built once and reused by every exchange.</summary>
/// <remarks>ext_proc: request headers (ext_authz's metadata forwarded), the BUFFERED request body (an 8 KiB chat with an email
/// address and a card number to redact), response headers (200, text/event-stream), 50 SSE chunks of an OpenAI stream (47
/// content deltas, the finish chunk, the usage chunk, [DONE]), then end of stream. ext_authz: the same request's Check, with
/// the body attached as Envoy's with_request_body sends it.</remarks>
internal sealed class EnvoyExchangeMessages
{
    public const int TargetBodyBytes = 8 * 1024;
    public const int SseChunks = 50;

    private static readonly string[] Words =
    [
        "the", "order", "customer", "delivery", "invoice", "account", "please", "review", "attached", "summary", "before", "Friday",
        "meeting", "notes", "project", "budget", "quarter", "report", "team", "update", "status", "shipment", "warehouse", "client",
        "contract", "renewal", "support", "ticket", "issue", "resolved", "pending", "approval", "manager", "schedule", "call", "tomorrow",
        "morning", "afternoon", "details", "below", "thanks", "regards", "question", "answer", "draft", "final", "version", "changes",
    ];

    private EnvoyExchangeMessages(byte[] requestBody, IReadOnlyList<ProcessingRequest> responseChunks, ProcessingRequest requestHeaders,
        ProcessingRequest requestBodyMessage, ProcessingRequest responseHeaders, CheckRequest check)
    {
        RequestBodyBytes = requestBody;
        ResponseChunks = responseChunks;
        RequestHeaders = requestHeaders;
        RequestBody = requestBodyMessage;
        ResponseHeaders = responseHeaders;
        Check = check;
    }

    public byte[] RequestBodyBytes { get; }

    public ProcessingRequest RequestHeaders { get; }

    public ProcessingRequest RequestBody { get; }

    public ProcessingRequest ResponseHeaders { get; }

    /// <summary>The 50 SSE chunks, then an empty chunk with end_of_stream.</summary>
    public IReadOnlyList<ProcessingRequest> ResponseChunks { get; }

    public CheckRequest Check { get; }

    public int ResponseBytes => ResponseChunks.Sum(c => c.ResponseBody.Body.Length);

    public static EnvoyExchangeMessages Create(string gatewayKey)
    {
        var body = ChatBody();
        var request = new Dictionary<string, string>
        {
            [":method"] = "POST",
            [":path"] = "/v1/chat/completions",
            [":authority"] = "api.openai.com",
            [":scheme"] = "https",
            ["content-type"] = "application/json",
            ["content-length"] = body.Length.ToString(CultureInfo.InvariantCulture),
            ["user-agent"] = "OpenAI/Python 1.60.0",
            ["x-request-id"] = "5a1c0e9e-8f9a-4c56-9d0b-1f1f6b7c2d3e",
        };

        var http = new AttributeContext.Types.HttpRequest
        {
            Id = "1",
            Method = "POST",
            Path = request[":path"],
            Host = request[":authority"],
            Scheme = "https",
            Protocol = "HTTP/1.1",
            Size = body.Length,
            RawBody = ByteString.CopyFrom(body),
        };
        foreach (var (k, v) in request)
        {
            http.Headers[k] = v;
        }

        http.Headers["authorization"] = "Bearer " + gatewayKey;
        http.Headers["x-envoy-auth-partial-body"] = "false";
        var check = new CheckRequest { Attributes = new AttributeContext { Request = new AttributeContext.Types.Request { Http = http } } };

        // What ext_proc sees after ext_authz: the provider key set, the tenant header set, its metadata forwarded.
        request["authorization"] = "Bearer sk-bench-not-a-key";
        request["x-mesh-tenant"] = "team-a";
        var metadata = new Metadata();
        metadata.FilterMetadata["envoy.filters.http.ext_authz"] = new Struct
        {
            Fields = { ["tenant"] = Value.ForString("team-a"), ["auth_method"] = Value.ForString("api_key"), ["provider"] = Value.ForString("openai") },
        };
        var requestHeaders = new ProcessingRequest
        {
            RequestHeaders = new HttpHeaders { Headers = Map(request) },
            MetadataContext = metadata,
            ProtocolConfig = new ProtocolConfiguration { RequestBodyMode = BodySendMode.Buffered, ResponseBodyMode = BodySendMode.Buffered },
        };
        var requestBody = new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFrom(body), EndOfStream = true } };
        var responseHeaders = new ProcessingRequest
        {
            ResponseHeaders = new HttpHeaders
            {
                Headers = Map(new Dictionary<string, string>
                {
                    [":status"] = "200",
                    ["content-type"] = "text/event-stream; charset=utf-8",
                    ["openai-processing-ms"] = "212",
                    ["x-request-id"] = "req_8b1e0a9f6c2d4e5f",
                }),
            },
        };

        var chunks = SseEvents().Select(e => new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFromUtf8(e) } }).ToList();
        chunks.Add(new ProcessingRequest { ResponseBody = new HttpBody { EndOfStream = true } });
        return new EnvoyExchangeMessages(body, chunks, requestHeaders, requestBody, responseHeaders, check);
    }

    private static byte[] ChatBody()
    {
        var random = new Random(42);
        var system = Sentences(random, 600);
        var user = new StringBuilder();
        user.Append("Hello, I am writing about my order. ");
        while (true)
        {
            user.Append(Sentences(random, 200));
            if (user.Length > 3000 && !user.ToString().Contains("jane.roe@example.org", StringComparison.Ordinal))
            {
                user.Append(" You can reach me at jane.roe@example.org or charge the card 4111 1111 1111 1111 for the balance. ");
            }

            var body = Serialize(system, user.ToString());
            if (body.Length >= TargetBodyBytes - 150)
            {
                return body;
            }
        }
    }

    private static byte[] Serialize(string system, string user)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("model", "gpt-4o-mini");
            w.WriteBoolean("stream", true);
            w.WriteNumber("max_tokens", 512);
            w.WriteStartArray("messages");
            foreach (var (role, content) in new[] { ("system", system), ("user", user) })
            {
                w.WriteStartObject();
                w.WriteString("role", role);
                w.WriteString("content", content);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static string Sentences(Random random, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            var count = random.Next(8, 17);
            for (var i = 0; i < count; i++)
            {
                var word = Words[random.Next(Words.Length)];
                text.Append(i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word).Append(i == count - 1 ? ". " : " ");
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> SseEvents()
    {
        const string Head = "{\"id\":\"chatcmpl-BENCH\",\"object\":\"chat.completion.chunk\",\"created\":1737000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0123456789\",\"choices\":";
        var random = new Random(7);
        yield return "data: " + Head + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
        for (var i = 1; i < SseChunks - 3; i++)
        {
            var word = Words[random.Next(Words.Length)] + " ";
            yield return "data: " + Head + "[{\"index\":0,\"delta\":{\"content\":\"" + word + "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
        }

        yield return "data: " + Head + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n";
        yield return "data: " + Head + "[],\"usage\":{\"prompt_tokens\":1650,\"completion_tokens\":46,\"total_tokens\":1696,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n";
        yield return "data: [DONE]\n\n";
    }

    private static HeaderMap Map(Dictionary<string, string> headers)
    {
        var map = new HeaderMap();
        foreach (var (k, v) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = k, RawValue = ByteString.CopyFromUtf8(v) });
        }

        return map;
    }
}
