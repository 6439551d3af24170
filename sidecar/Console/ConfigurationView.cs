using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Mesh.Gateway.Sidecar.Admin;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Console;

/// <summary>The configuration in force as the console shows it: every key with its value, secrets masked, and a version (the
/// first 12 hex digits of the SHA-256 of the whole configuration, so two sidecars with the same file show the same version).</summary>
internal static partial class ConfigurationView
{
    public const string Masked = "••••••";

    public static AdminDtos.ConfigView Of(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var entries = configuration.AsEnumerable()
            .Where(static e => e.Value is not null)
            .OrderBy(static e => e.Key, StringComparer.Ordinal)
            .ToList();
        var hash = new StringBuilder();
        foreach (var (key, value) in entries)
        {
            hash.Append(key).Append('=').Append(value).Append('\n');
        }

        var version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hash.ToString())))[..12];
        return new AdminDtos.ConfigView(version, [.. entries.Select(static e => new AdminDtos.ConfigEntry(e.Key.Replace(':', '.'), Mask(e.Key, e.Value)))]);
    }

    /// <summary>The value, or <see cref="Masked"/> where the key names a secret; a URL's password is masked and the rest kept.</summary>
    internal static string? Mask(string key, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (SecretKey().IsMatch(key))
        {
            return Masked;
        }

        return UrlPassword().Replace(value, "$1" + Masked + "@");
    }

    // Any segment naming a secret or a credential's hash (api_key, api_keys:0, envoy_secret, password, token, credentials, viewers,
    // readers, postgres, authorization...).
    [GeneratedRegex(@"(^|:)(api_keys?|revoked_api_keys|.*secret.*|.*password.*|.*token|credentials|viewers|readers|postgres|authorization|private_key|access_key.*|secret_access_key|session_token|headers)(:|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretKey();

    [GeneratedRegex(@"(://[^:/@\s]*:)[^@\s]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();
}
