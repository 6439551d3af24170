using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>Checks <c>admin:</c>: every credential a <c>sha256:</c> hash (a plain token in the file would be a secret at rest).</summary>
internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Credentials.Count; i++)
        {
            if (!ApiKeyHash.TryParse(options.Credentials[i], out _))
            {
                errors.Add($"admin.credentials[{i}]: must be sha256:<64 hex digits> of the token (the token itself never goes in the file)");
            }
        }

        for (var i = 0; i < options.Viewers.Count; i++)
        {
            if (!ApiKeyHash.TryParse(options.Viewers[i], out _))
            {
                errors.Add($"admin.viewers[{i}]: must be sha256:<64 hex digits> of the token (the token itself never goes in the file)");
            }
            else if (options.Credentials.Contains(options.Viewers[i], StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"admin.viewers[{i}]: is also in admin.credentials; a credential has one role (admin or viewer)");
            }
        }

        if (options.RecentCalls is < 0 or > 1_000_000)
        {
            errors.Add($"admin.recent_calls: must be between 0 and 1000000 (was {options.RecentCalls})");
        }

        return MeshOptions.Result(errors);
    }
}
