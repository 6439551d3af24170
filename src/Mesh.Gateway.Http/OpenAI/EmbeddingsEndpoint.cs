using System.Runtime.InteropServices;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary><c>POST /v1/embeddings</c>: OpenAI's embeddings (float or base64, as the SDKs ask), served by any embedding provider.</summary>
internal static class EmbeddingsEndpoint
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal) { "model", "input", "dimensions", "encoding_format", "user" };

    public static async Task HandleAsync(HttpContext context)
    {
        var door = HttpDoor.Of(context);
        var (body, error) = await door.ReadJsonAsync(context).ConfigureAwait(false);
        using (body)
        {
            var base64 = false;
            EmbeddingRequest? request = null;
            error ??= TryRead(body!.RootElement, door, out request, out base64);
            if (error is not null)
            {
                await HttpDoor.WriteErrorAsync(context, error, ApiSchema.OpenAIEmbeddings).ConfigureAwait(false);
                return;
            }

            var call = door.NewEmbeddings(context, request!);
            var result = await door.ExecuteAsync(call, context.RequestAborted).ConfigureAwait(false);
            if (result.IsError || result.Embeddings is null)
            {
                await HttpDoor.WriteErrorAsync(context, result.Error ?? GatewayError.ModelNotFound(request!.Model), ApiSchema.OpenAIEmbeddings).ConfigureAwait(false);
                return;
            }

            var usage = call.Usage ?? new ChatUsage { InputTokens = result.Embeddings.InputTokens };
            await JsonResponse.WriteAsync(context, (result.Embeddings, request!.Model, usage, base64), static (w, s) =>
            {
                var (vectors, model, usage, base64) = s;
                w.WriteStartObject();
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                for (var i = 0; i < vectors.Embeddings.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("object", "embedding");
                    w.WriteNumber("index", i);
                    var values = vectors.Embeddings[i].Span;
                    if (base64)
                    {
                        // Little-endian float32s, as OpenAI sends them with encoding_format=base64.
                        w.WriteBase64String("embedding", MemoryMarshal.AsBytes(values));
                    }
                    else
                    {
                        w.WriteStartArray("embedding");
                        foreach (var v in values)
                        {
                            w.WriteNumberValue(v);
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteString("model", model);
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", usage.InputTokens);
                w.WriteNumber("total_tokens", usage.InputTokens);
                w.WriteEndObject();
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }
    }

    private static GatewayError? TryRead(JsonElement root, HttpDoor door, out EmbeddingRequest? request, out bool base64)
    {
        request = null;
        base64 = false;
        string? error = null;
        if (JsonRead.Model(root, Known, door, out var model) is { } refused)
        {
            return refused;
        }

        var inputs = JsonRead.Strings(root, "input", ref error);
        if (error is not null)
        {
            return GatewayError.InvalidArgument("input", "must be a string or an array of strings (token arrays are not supported)");
        }

        if (inputs.Count == 0)
        {
            return GatewayError.InvalidArgument("input", "at least one input is required");
        }

        switch (JsonRead.String(root, "encoding_format", string.Empty, ref error))
        {
            case null or "float":
                break;
            case "base64":
                base64 = true;
                break;
            default:
                return GatewayError.InvalidArgument("encoding_format", "must be float or base64");
        }

        var dimensions = JsonRead.Int(root, "dimensions", ref error);
        if (dimensions is <= 0)
        {
            return GatewayError.InvalidArgument("dimensions", $"must be positive (was {dimensions})");
        }

        request = new EmbeddingRequest
        {
            Model = model,
            Inputs = inputs,
            Dimensions = dimensions,
            EndUserId = JsonRead.String(root, "user", string.Empty, ref error),
        };
        return error is null ? null : GatewayError.InvalidArgument(error.Split(':')[0], "has the wrong type");
    }
}
