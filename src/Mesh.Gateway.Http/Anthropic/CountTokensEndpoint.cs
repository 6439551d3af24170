using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Tokens;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Tokenizers;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.Anthropic;

/// <summary><c>POST /v1/messages/count_tokens</c>: the prompt's tokens with the gateway's tokenizer for the model the request
/// would be routed to: exact where its encoding is known (OpenAI models), an estimate otherwise, said in the answer
/// (<c>"exact": false</c>, header <c>x-mesh-token-count: estimate</c>).</summary>
internal static class CountTokensEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var door = HttpDoor.Of(context);
        var (body, error) = await door.ReadJsonAsync(context).ConfigureAwait(false);
        using (body)
        {
            AnthropicMessagesRequestReader.Result? read = null;
            error ??= AnthropicMessagesRequestReader.TryRead(body!.RootElement, door, counting: true, out read);
            if (error is null)
            {
                (_, error) = await door.AuthorizeAsync(context, read!.Request.Model).ConfigureAwait(false);
            }

            var target = error is null ? door.Router.Table.CountTarget(read!.Request.Model) : null;
            if (error is null && target is null)
            {
                error = GatewayError.ModelNotFound(read!.Request.Model);
            }

            if (error is not null)
            {
                await HttpDoor.WriteErrorAsync(context, error, ApiSchema.AnthropicMessages).ConfigureAwait(false);
                return;
            }

            var count = door.Tokens.CountChat(ChatTokenRequestMapper.ToTokenRequest(read!.Request, target!.Model));
            var exact = count.Kind == TokenCountKind.Exact;
            context.Response.Headers["x-mesh-token-count"] = exact ? "exact" : "estimate";
            await JsonResponse.WriteAsync(context, (count, exact), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteNumber("input_tokens", s.count.PromptTokens);
                w.WriteBoolean("exact", s.exact);
                w.WriteString("encoding", s.count.Encoding);
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }
    }
}
