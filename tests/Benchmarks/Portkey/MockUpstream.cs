using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Benchmarks.Portkey;

/// <summary>
/// The OpenAI-compatible upstream all three paths call: answers every POST with one prebuilt chat completion at once,
/// so what the benchmark measures is the path, not a model. <c>GET /count</c> tells how many completions it served.
/// </summary>
internal static class MockUpstream
{
    public static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-bench","object":"chat.completion","created":1735689600,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_bench"}""");

    public static int Run(int port)
    {
        long served = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1AndHttp2));
        var app = builder.Build();
        app.Run(async context =>
        {
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/count")
            {
                await context.Response.WriteAsync(Interlocked.Read(ref served).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return;
            }

            // Read the whole request, as a real provider does before answering.
            var reader = context.Request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync();
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            Interlocked.Increment(ref served);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Completion.Length;
            await context.Response.Body.WriteAsync(Completion);
        });
        app.Run();
        return 0;
    }
}
