using System.Text.RegularExpressions;
using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Envoy.Configuration;

/// <summary>Checks <see cref="EnvoyOptions"/> at start; each error names the key path.</summary>
public sealed partial class EnvoyOptionsValidator : IValidateOptions<EnvoyOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, EnvoyOptions options) => MeshOptions.Result(Validate(options));

    public static IReadOnlyList<string> Validate(EnvoyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.MetadataNamespace))
        {
            errors.Add("envoy.metadata_namespace: must not be empty");
        }

        if (!HeaderName().IsMatch(options.TenantHeader))
        {
            errors.Add($"envoy.tenant_header: must be a lower-case header name (was '{options.TenantHeader}')");
        }

        if (options.HeaderValueField is not ("raw_value" or "value"))
        {
            errors.Add($"envoy.header_value_field: must be raw_value or value (was '{options.HeaderValueField}')");
        }

        if (options.MaxRequestBodyBytes <= 0)
        {
            errors.Add($"envoy.max_request_body_bytes: must be positive (was {options.MaxRequestBodyBytes})");
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex HeaderName();
}
