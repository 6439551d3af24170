using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.Internal;

/// <summary>Runs a chat call through the pipeline and writes what comes back in the caller's schema: a refusal before any
/// byte as an HTTP error, a whole answer, or a stream of events (an error after the first event as the schema's error event).</summary>
internal static class ChatExchange
{
    /// <summary>Reads a chat route's request: the Core request, whether the caller streams, and the writer of its answer.</summary>
    public delegate GatewayError? Reader(JsonElement root, HttpDoor door, out ChatRequest? request, out bool stream, out IChatAnswer? answer);

    /// <summary>A chat route: reads the capped JSON body with <paramref name="read"/>, runs the call, writes the answer.</summary>
    public static async Task HandleAsync(HttpContext context, ApiSchema schema, Reader read)
    {
        var door = HttpDoor.Of(context);
        var (body, error) = await door.ReadJsonAsync(context).ConfigureAwait(false);
        using (body)
        {
            ChatRequest? request = null;
            var stream = false;
            IChatAnswer? answer = null;
            error ??= read(body!.RootElement, door, out request, out stream, out answer);
            if (error is not null)
            {
                await HttpDoor.WriteErrorAsync(context, error, schema).ConfigureAwait(false);
                return;
            }

            await RunAsync(context, door, door.NewChat(context, request!, stream), schema, answer!).ConfigureAwait(false);
        }
    }

    public static async Task RunAsync(HttpContext context, HttpDoor door, InferenceContext call, ApiSchema schema, IChatAnswer answer)
    {
        var cancellationToken = context.RequestAborted;
        var result = await door.ExecuteAsync(call, cancellationToken).ConfigureAwait(false);
        if (result.IsError)
        {
            await HttpDoor.WriteErrorAsync(context, result.Error, schema).ConfigureAwait(false);
            return;
        }

        // A call the response cache answered says so, as on the other doors.
        if (call.Properties.TryGetValue(Mesh.Gateway.Core.Caching.ResponseCacheHit.Key, out var hit))
        {
            context.Response.Headers[Mesh.Gateway.Core.Caching.ResponseCacheHit.HeaderName] = hit.HeaderValue;
        }

        if (!call.IsStreaming)
        {
            var whole = result.Response;
            if (whole is null && result.Stream is { } gathered)
            {
                // A step (a cache, say) may answer a unary call with a stream: gather it.
                var accumulator = new ChatStreamAccumulator();
                await foreach (var item in gathered.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    if (item.IsError)
                    {
                        await HttpDoor.WriteErrorAsync(context, item.Error, schema).ConfigureAwait(false);
                        return;
                    }

                    accumulator.Add(item.Chunk);
                }

                whole = accumulator.ToResponse(call.ServedTarget?.Provider ?? string.Empty, call.ServedTarget?.Model);
            }

            if (whole is null)
            {
                await HttpDoor.WriteErrorAsync(context, Internal("the pipeline returned no response"), schema).ConfigureAwait(false);
                return;
            }

            await answer.WriteWholeAsync(context, whole, call).ConfigureAwait(false);
            return;
        }

        using var sse = new SseWriter(context);
        if (result.Response is { } single)
        {
            // A step answered a streamed call with a whole response: send it as deltas (its tool items, text, citations) and the end.
            foreach (var chunk in single.AsChunks())
            {
                await answer.DeltaAsync(sse, chunk, call).ConfigureAwait(false);
            }

            await answer.EndAsync(sse, single.FinishReason, single.ProviderFinishReason, single.Usage, call).ConfigureAwait(false);
            return;
        }

        if (result.Stream is not { } stream)
        {
            await HttpDoor.WriteErrorAsync(context, Internal("the pipeline returned no stream"), schema).ConfigureAwait(false);
            return;
        }

        ChatFinishReason? finish = null;
        string? providerFinish = null;
        ChatUsage? usage = null;
        await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (item.IsError)
            {
                if (sse.Started)
                {
                    await answer.FailAsync(sse, item.Error).ConfigureAwait(false);
                }
                else
                {
                    await HttpDoor.WriteErrorAsync(context, item.Error, schema).ConfigureAwait(false);
                }

                return;
            }

            var chunk = item.Chunk;
            if (chunk.FinishReason is { } reason)
            {
                finish = reason;
                providerFinish = chunk.ProviderFinishReason;
            }

            usage = chunk.Usage ?? usage;
            await answer.DeltaAsync(sse, chunk, call).ConfigureAwait(false);
        }

        await answer.EndAsync(sse, finish ?? ChatFinishReason.Other, providerFinish, call.Usage ?? usage ?? ChatUsage.Empty, call).ConfigureAwait(false);
    }

    private static GatewayError Internal(string message) => new() { Code = GatewayErrorCode.Internal, Reason = GatewayErrorReasons.ProviderError, Message = message };
}
