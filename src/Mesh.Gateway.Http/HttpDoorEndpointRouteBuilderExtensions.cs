using Mesh.Gateway.Http.Anthropic;
using Mesh.Gateway.Http.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Gateway.Http;

/// <summary>Maps the HTTP door's routes.</summary>
public static class HttpDoorEndpointRouteBuilderExtensions
{
    /// <summary>Maps OpenAI's <c>/v1/chat/completions</c>, <c>/v1/responses</c>, <c>/v1/embeddings</c>, <c>/v1/models</c> and
    /// Anthropic's <c>/v1/messages</c> and <c>/v1/messages/count_tokens</c> (registered by <c>AddHttpDoor()</c>).</summary>
    public static IEndpointRouteBuilder MapMeshHttpDoor(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/chat/completions", ChatCompletionsEndpoint.HandleAsync);
        endpoints.MapPost("/v1/responses", ResponsesEndpoint.HandleAsync);
        endpoints.MapPost("/v1/embeddings", EmbeddingsEndpoint.HandleAsync);
        endpoints.MapGet("/v1/models", ModelsEndpoint.HandleAsync);
        endpoints.MapPost("/v1/messages", MessagesEndpoint.HandleAsync);
        endpoints.MapPost("/v1/messages/count_tokens", CountTokensEndpoint.HandleAsync);
        return endpoints;
    }
}
