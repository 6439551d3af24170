using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Routing;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Http;

/// <summary>Stops a start whose <c>models[].unsupported_fields</c> is neither reject nor drop; each error names its route.</summary>
internal sealed class RouteFieldPolicyValidator : IValidateOptions<ModelsOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Models.Count; i++)
        {
            if (options.Models[i].UnsupportedFields is { } value
                && !string.Equals(value, "reject", StringComparison.OrdinalIgnoreCase) && !string.Equals(value, "drop", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"models[{i}].unsupported_fields: must be reject or drop (was '{value}')");
            }
        }

        return MeshOptions.Result(errors);
    }
}
