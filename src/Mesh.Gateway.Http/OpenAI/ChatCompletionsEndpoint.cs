using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary><c>POST /v1/chat/completions</c>: OpenAI's chat completions, unary and streamed, served by any provider.</summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var door = HttpDoor.Of(context);
        var (body, error) = await door.ReadJsonAsync(context).ConfigureAwait(false);
        using (body)
        {
            OpenAIChatRequestReader.Result? read = null;
            error ??= OpenAIChatRequestReader.TryRead(body!.RootElement, door, out read);
            if (error is not null)
            {
                await HttpDoor.WriteErrorAsync(context, error, ApiSchema.OpenAIChat).ConfigureAwait(false);
                return;
            }

            var call = door.NewChat(context, read!.Request, read.Stream);
            var answer = new OpenAIChatAnswer(read.Request.Model, read.IncludeUsage, JsonResponse.Now(door.Time));
            await ChatExchange.RunAsync(context, door, call, ApiSchema.OpenAIChat, answer).ConfigureAwait(false);
        }
    }
}
