using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary><c>POST /v1/chat/completions</c>: OpenAI's chat completions, unary and streamed, served by any provider.</summary>
internal static class ChatCompletionsEndpoint
{
    public static Task HandleAsync(HttpContext context) => ChatExchange.HandleAsync(context, ApiSchema.OpenAIChat, Read);

    private static GatewayError? Read(JsonElement root, HttpDoor door, out ChatRequest? request, out bool stream, out IChatAnswer? answer)
    {
        var error = OpenAIChatRequestReader.TryRead(root, door, out var read);
        (request, stream) = (read?.Request, read?.Stream ?? false);
        answer = read is null ? null : new OpenAIChatAnswer(read.Request.Model, read.IncludeUsage, JsonResponse.Now(door.Time));
        return error;
    }
}
