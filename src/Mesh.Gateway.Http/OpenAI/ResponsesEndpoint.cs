using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary><c>POST /v1/responses</c>: OpenAI's Responses API, unary and streamed, served by any provider; <c>previous_response_id</c>
/// and built-in tools where the route has a Responses target.</summary>
internal static class ResponsesEndpoint
{
    public static Task HandleAsync(HttpContext context) => ChatExchange.HandleAsync(context, ApiSchema.OpenAIResponses, Read);

    private static GatewayError? Read(JsonElement root, HttpDoor door, out ChatRequest? request, out bool stream, out IChatAnswer? answer)
    {
        var error = OpenAIResponsesRequestReader.TryRead(root, door, out var read);
        (request, stream) = (read?.Request, read?.Stream ?? false);
        answer = read is null ? null : new OpenAIResponsesAnswer(read.Request.Model, JsonResponse.Now(door.Time), read.Request.PreviousResponseId, read.Request.Store);
        return error;
    }
}
