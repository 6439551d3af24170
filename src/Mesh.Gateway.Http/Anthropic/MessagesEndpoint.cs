using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.Anthropic;

/// <summary><c>POST /v1/messages</c>: Anthropic's Messages API, unary and streamed, served by any provider.</summary>
internal static class MessagesEndpoint
{
    public static Task HandleAsync(HttpContext context) => ChatExchange.HandleAsync(context, ApiSchema.AnthropicMessages, Read);

    private static GatewayError? Read(JsonElement root, HttpDoor door, out ChatRequest? request, out bool stream, out IChatAnswer? answer)
    {
        var error = AnthropicMessagesRequestReader.TryRead(root, door, counting: false, out var read);
        (request, stream) = (read?.Request, read?.Stream ?? false);
        answer = read is null ? null : new AnthropicMessagesAnswer(read.Request.Model);
        return error;
    }
}
