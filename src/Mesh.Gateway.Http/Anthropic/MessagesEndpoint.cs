using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.Anthropic;

/// <summary><c>POST /v1/messages</c>: Anthropic's Messages API, unary and streamed, served by any provider.</summary>
internal static class MessagesEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var door = HttpDoor.Of(context);
        var (body, error) = await door.ReadJsonAsync(context).ConfigureAwait(false);
        using (body)
        {
            AnthropicMessagesRequestReader.Result? read = null;
            error ??= AnthropicMessagesRequestReader.TryRead(body!.RootElement, door, counting: false, out read);
            if (error is not null)
            {
                await HttpDoor.WriteErrorAsync(context, error, ApiSchema.AnthropicMessages).ConfigureAwait(false);
                return;
            }

            var call = door.NewChat(context, read!.Request, read.Stream);
            await ChatExchange.RunAsync(context, door, call, ApiSchema.AnthropicMessages, new AnthropicMessagesAnswer(read.Request.Model)).ConfigureAwait(false);
        }
    }
}
