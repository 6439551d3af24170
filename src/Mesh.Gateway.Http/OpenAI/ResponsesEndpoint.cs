using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary><c>POST /v1/responses</c>: OpenAI's Responses API, unary and streamed, served by any provider (stateless: no
/// <c>previous_response_id</c>).</summary>
internal static class ResponsesEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var door = HttpDoor.Of(context);
        var (body, error) = await door.ReadJsonAsync(context).ConfigureAwait(false);
        using (body)
        {
            OpenAIResponsesRequestReader.Result? read = null;
            error ??= OpenAIResponsesRequestReader.TryRead(body!.RootElement, door, out read);
            if (error is not null)
            {
                await HttpDoor.WriteErrorAsync(context, error, ApiSchema.OpenAIResponses).ConfigureAwait(false);
                return;
            }

            var call = door.NewChat(context, read!.Request, read.Stream);
            var answer = new OpenAIResponsesAnswer(read.Request.Model, JsonResponse.Now(door.Time));
            await ChatExchange.RunAsync(context, door, call, ApiSchema.OpenAIResponses, answer).ConfigureAwait(false);
        }
    }
}
