using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Tenancy.Access;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary><c>GET /v1/models</c>: the models the caller's key may use, in OpenAI's list shape, or Anthropic's when the caller
/// sends <c>anthropic-version</c> (the Anthropic SDK always does).</summary>
internal static class ModelsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var door = HttpDoor.Of(context);
        var anthropic = context.Request.Headers.ContainsKey("anthropic-version");
        var (tenant, error) = await door.AuthorizeAsync(context, model: null).ConfigureAwait(false);
        if (error is not null)
        {
            await HttpDoor.WriteErrorAsync(context, error, anthropic ? ApiSchema.AnthropicMessages : ApiSchema.OpenAIChat).ConfigureAwait(false);
            return;
        }

        var models = new List<string>();
        foreach (var route in door.Router.Table.Routes)
        {
            if (tenant is null || AccessPolicy.IsModelAllowed(tenant, route.Name))
            {
                models.Add(route.Name);
            }
        }

        await JsonResponse.WriteAsync(context, (models, anthropic), static (w, s) =>
        {
            var (names, anthropic) = s;
            w.WriteStartObject();
            if (!anthropic)
            {
                w.WriteString("object", "list");
            }

            w.WriteStartArray("data");
            foreach (var name in names)
            {
                w.WriteStartObject();
                w.WriteString("id", name);
                if (anthropic)
                {
                    w.WriteString("type", "model");
                    w.WriteString("display_name", name);
                    w.WriteString("created_at", "1970-01-01T00:00:00Z");
                }
                else
                {
                    w.WriteString("object", "model");
                    w.WriteNumber("created", 0);
                    w.WriteString("owned_by", "mesh-gateway");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (anthropic)
            {
                w.WriteBoolean("has_more", false);
                WriteOptional(w, "first_id", names.Count > 0 ? names[0] : null);
                WriteOptional(w, "last_id", names.Count > 0 ? names[^1] : null);
            }

            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void WriteOptional(System.Text.Json.Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
