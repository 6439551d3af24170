using System.Buffers;
using System.Net;
using System.Text.Json;
using Grpc.Core;
using Mesh.Gateway.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Benchmarks.Floor;

/// <summary>
/// The floor of CPU per proxied Generate on this stack (issue 22): the least any gRPC-to-HTTP gateway built on Grpc.AspNetCore
/// and HttpClient must do, with no policy at all. It reads the typed request, writes the OpenAI chat body with a
/// Utf8JsonWriter, posts it with one pooled HttpClient, reads the answer's text and usage with Utf8JsonReader, and returns
/// the typed response. tests/Benchmarks/Portkey/run.sh (FLOOR=1) loads it beside the sidecar, so the sidecar's figure can be
/// split into what the stack costs and what the gateway's own layers cost.
/// </summary>
internal static class FloorProxy
{
    public static int Run(int port, string upstreamBaseUrl)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(upstreamBaseUrl.TrimEnd('/') + "/"),
        });
        var app = builder.Build();
        app.MapGrpcService<FloorInference>();
        app.Run();
        return 0;
    }

    private sealed class FloorInference(HttpClient http) : Inference.InferenceBase
    {
        public override async Task<GenerateResponse> Generate(GenerateRequest request, ServerCallContext context)
        {
            var body = new ArrayBufferWriter<byte>(512);
            using (var json = new Utf8JsonWriter(body))
            {
                json.WriteStartObject();
                json.WriteString("model"u8, request.Model);
                json.WriteStartArray("messages"u8);
                foreach (var message in request.Messages)
                {
                    json.WriteStartObject();
                    json.WriteString("role"u8, message.Role switch { Role.System => "system", Role.Assistant => "assistant", _ => "user" });
                    json.WriteString("content"u8, message.Content.Count > 0 ? message.Content[0].Text : string.Empty);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            using var post = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new ReadOnlyMemoryContent(body.WrittenMemory) };
            post.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var answer = await http.SendAsync(post, context.CancellationToken);
            var bytes = await answer.Content.ReadAsByteArrayAsync(context.CancellationToken);
            return Parse(bytes);
        }

        private static GenerateResponse Parse(byte[] bytes)
        {
            var response = new GenerateResponse { Usage = new Usage() };
            var reader = new Utf8JsonReader(bytes);
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                if (reader.ValueTextEquals("id"u8) && reader.CurrentDepth == 1) { reader.Read(); response.Id = reader.GetString()!; }
                else if (reader.ValueTextEquals("content"u8)) { reader.Read(); response.Text = reader.GetString() ?? string.Empty; }
                else if (reader.ValueTextEquals("finish_reason"u8)) { reader.Read(); response.FinishReason = FinishReason.Stop; response.ProviderFinishReason = reader.GetString() ?? string.Empty; }
                else if (reader.ValueTextEquals("prompt_tokens"u8)) { reader.Read(); response.Usage.InputTokens = reader.GetInt64(); }
                else if (reader.ValueTextEquals("completion_tokens"u8)) { reader.Read(); response.Usage.OutputTokens = reader.GetInt64(); }
            }

            return response;
        }
    }
}
