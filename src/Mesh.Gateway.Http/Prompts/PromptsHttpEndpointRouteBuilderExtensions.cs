using Mesh.Gateway.Http.Prompts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Gateway.Http;

/// <summary>Maps the published prompts on the HTTP door.</summary>
public static class PromptsHttpEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>POST /v1/prompts/{name}/completions</c> (needs <c>AddHttpDoor()</c> and <c>AddPrompts()</c>).</summary>
    public static IEndpointRouteBuilder MapMeshPromptCompletions(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/prompts/{name}/completions", PromptCompletionsEndpoint.HandleAsync);
        return endpoints;
    }
}
