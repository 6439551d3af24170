using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Caching.Configuration;

/// <summary>Stops a start (or a reload) whose <c>cache.encoder</c> names no <c>models:</c> route: without it every semantic
/// lookup would miss, silently.</summary>
/// <remarks>The names are read from the configuration, not from the bound <c>ModelsOptions</c>, so a broken <c>models:</c>
/// does not hide this section's errors (as the prompts' model check).</remarks>
internal sealed class CacheEncoderRouteValidator(IConfiguration configuration) : IValidateOptions<ResponseCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, ResponseCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Encoder is not { } route)
        {
            return ValidateOptionsResult.Success;
        }

        var routes = configuration.GetSection(ModelsOptions.SectionName).GetChildren().Select(static c => c["name"]).OfType<string>();
        return routes.Contains(route, StringComparer.Ordinal)
            ? ValidateOptionsResult.Success
            : MeshOptions.Result([$"cache.encoder: unknown model '{route}' (an Embed route named under models:)"]);
    }
}
