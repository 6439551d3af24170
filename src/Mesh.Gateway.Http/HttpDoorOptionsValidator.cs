using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Http;

/// <summary>Stops a start with an HTTP door section it cannot honour; each error names its key.</summary>
internal sealed class HttpDoorOptionsValidator : IValidateOptions<HttpDoorOptions>
{
    private const long MaxBody = 256L * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, HttpDoorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxRequestBytes is <= 0 or > MaxBody)
        {
            errors.Add($"http.max_request_bytes: must be between 1 and {MaxBody} (was {options.MaxRequestBytes})");
        }

        if (!string.Equals(options.UnsupportedFields, "reject", StringComparison.OrdinalIgnoreCase) && !options.DropsUnsupportedFields)
        {
            errors.Add($"http.unsupported_fields: must be reject or drop (was '{options.UnsupportedFields}')");
        }

        return MeshOptions.Result(errors);
    }
}
