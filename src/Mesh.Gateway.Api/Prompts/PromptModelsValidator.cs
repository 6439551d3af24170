using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Prompts;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Api.Prompts;

/// <summary>Stops a start (or a reload: every new file passes its validators) on a prompt version whose <c>model</c> is
/// neither a <c>models:</c> route nor <c>provider/model</c> with a configured provider, naming the version's key path.</summary>
/// <remarks><para>Without it such a version starts and answers NOT_FOUND on its first call, which the publisher may never make.</para>
/// <para>The names are read from the version's configuration, not from the bound <c>ModelsOptions</c>: resolving those would
/// run their validators inside this one, and a broken <c>models:</c> would then hide every other section's errors.</para></remarks>
internal sealed class PromptModelsValidator(IConfiguration configuration) : IValidateOptions<PromptsOptions>
{
    public ValidateOptionsResult Validate(string? name, PromptsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var routes = Names(ModelsOptions.SectionName);
        var providerNames = Names(ProvidersOptions.SectionName);
        var errors = new List<string>();
        for (var i = 0; i < options.Templates.Count; i++)
        {
            var versions = options.Templates[i].Versions;
            for (var v = 0; v < versions.Count; v++)
            {
                var model = versions[v].Model;
                if (string.IsNullOrWhiteSpace(model) || routes.Contains(model))
                {
                    continue;
                }

                var slash = model.IndexOf('/', StringComparison.Ordinal);
                if (slash > 0 && slash < model.Length - 1 && providerNames.Contains(model[..slash]))
                {
                    continue;
                }

                errors.Add($"prompts.templates[{i}].versions[{v}].model: unknown model '{model}' (neither a models: route nor provider/model with a configured provider)");
            }
        }

        return MeshOptions.Result(errors);
    }

    private HashSet<string> Names(string section) =>
        configuration.GetSection(section).GetChildren().Select(static c => c["name"]).OfType<string>().ToHashSet(StringComparer.Ordinal);
}
