using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>Stops the start on an invalid <c>prompts:</c> section: every problem the registry's compilation finds, each with its key path.</summary>
internal sealed class PromptsOptionsValidator : IValidateOptions<PromptsOptions>
{
    public ValidateOptionsResult Validate(string? name, PromptsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PromptRegistry.TryCreate(options, out var errors);
        return MeshOptions.Result(errors);
    }
}
