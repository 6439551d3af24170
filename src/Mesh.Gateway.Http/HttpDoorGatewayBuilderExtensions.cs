using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Http;
using Mesh.Gateway.Http.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the HTTP door (OpenAI- and Anthropic-compatible REST) to the gateway.</summary>
public static class HttpDoorGatewayBuilderExtensions
{
    /// <summary>
    /// The HTTP door (<c>http:</c>): OpenAI's chat completions, responses, embeddings and models, Anthropic's messages and
    /// count_tokens, each call run through the same pipeline as the gRPC door. Needs <c>AddInferenceApi()</c> (the router and
    /// the pipeline) and <c>AddTenancy()</c>. Map it with <see cref="HttpDoorEndpointRouteBuilderExtensions.MapMeshHttpDoor"/>.
    /// </summary>
    public static IMeshGatewayBuilder AddHttpDoor(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddHttpDoor)))
        {
            builder.Requires(nameof(AddHttpDoor), "AddInferenceApi");
            builder.Requires(nameof(AddHttpDoor), "AddTenancy");
            var configuration = builder.Configuration;
            var (options, errors) = Bind(builder.Configuration.GetSection(HttpDoorOptions.SectionName));
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpDoorOptions>, HttpDoorOptionsValidator>());
            builder.Services.AddBoundOptions(options, errors);
            builder.Services.AddConfigurationSection(HttpDoorOptions.SectionName, ConfigurationNode.Mapping(
                ConfigurationKey.Value("max_request_bytes", "bytes", "8388608", "The largest request body the HTTP door reads (413 beyond it)."),
                ConfigurationKey.Value("unsupported_fields", "reject or drop", "reject", "A request field the target cannot honour: a 400 naming it, or dropped (a route's own setting wins).")),
                "The HTTP door (OpenAI- and Anthropic-compatible REST); listen.http places it.");
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelsOptions>, RouteFieldPolicyValidator>());
            builder.Services.TryAddSingleton(sp => new RouteFieldPolicy(sp.GetRequiredService<InferenceRouter>(), configuration));
            builder.Services.TryAddSingleton<HttpDoor>();
        }

        return builder;
    }

    private static (HttpDoorOptions Options, List<string> Errors) Bind(IConfigurationSection section)
    {
        var errors = new List<string>();
        var options = new HttpDoorOptions();
        foreach (var child in section.GetChildren())
        {
            switch (child.Key.ToLowerInvariant())
            {
                case "max_request_bytes":
                    if (long.TryParse(child.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var max))
                    {
                        options = options with { MaxRequestBytes = max };
                    }
                    else
                    {
                        errors.Add($"http.max_request_bytes: '{child.Value}' is not a whole number of bytes");
                    }

                    break;
                case "unsupported_fields":
                    options = options with { UnsupportedFields = child.Value ?? string.Empty };
                    break;
                default:
                    errors.Add($"http.{child.Key}: unknown key (known: max_request_bytes, unsupported_fields)");
                    break;
            }
        }

        return (options, errors);
    }
}
