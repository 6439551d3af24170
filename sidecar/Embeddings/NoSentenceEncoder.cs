#if MESH_NO_EMBEDDINGS
using Mesh.Gateway.Caching.Configuration;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Stands in for the local sentence encoder in a build without it (the native build: -p:MeshEmbeddings=false). A cache route
/// with <c>semantic_threshold</c> then stops the start with one line per route, instead of failing on its first call.
/// </summary>
internal static class NoSentenceEncoderGatewayBuilderExtensions
{
    /// <summary>The message a semantic route gets in a build without the local encoder.</summary>
    public const string Message = "this build has no local sentence encoder (the native build leaves ONNX Runtime and all-MiniLM-L6-v2 out); "
        + "set cache.encoder to an Embed route, remove semantic_threshold, or run the JIT build (or publish with -p:MeshEmbeddings=true)";

    public static IMeshGatewayBuilder AddSentenceEncoder(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddSentenceEncoder)))
        {
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResponseCacheOptions>, NoSemanticRoutes>());

            // The section's keys stay known, so one configuration file serves both builds and a typo in it is still refused;
            // here they have nothing to configure.
            builder.Services.AddConfigurationSection("sentence_encoder", ConfigurationNode.Mapping(
                ConfigurationKey.Value("precision", "int8 | fp32", "int8", "The local encoder's weights (no effect in this build: it has no local encoder)."),
                ConfigurationKey.Value("max_windows", "integer", "8", "Windows read per text (no effect in this build: it has no local encoder).")),
                "The local sentence encoder (not in this build).");
        }

        return builder;
    }

    private sealed class NoSemanticRoutes : IValidateOptions<ResponseCacheOptions>
    {
        public ValidateOptionsResult Validate(string? name, ResponseCacheOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var errors = new List<string>();
            if (options.Encoder is not null)
            {
                // An Embed route encodes: the local encoder is not needed.
                return ValidateOptionsResult.Success;
            }

            foreach (var (route, settings) in options.Routes)
            {
                if (settings.SemanticThreshold is not null)
                {
                    errors.Add($"cache.routes.{route}.semantic_threshold: {Message}");
                }
            }

            return MeshOptions.Result(errors);
        }
    }
}
#endif
