using System.Text.RegularExpressions;
using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>Checks <see cref="TenancyOptions"/> at start; each error names the key path and what is wrong.</summary>
public sealed partial class TenancyOptionsValidator : IValidateOptions<TenancyOptions>
{
    private static readonly HashSet<string> KnownOperations = new(StringComparer.Ordinal) { "chat", "responses", "embeddings" };

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TenancyOptions options) => MeshOptions.Result(Validate(options));

    public static IReadOnlyList<string> Validate(TenancyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var t = options.Tenants[i];
            var at = $"tenants[{i}]";
            if (string.IsNullOrWhiteSpace(t.Id))
            {
                errors.Add($"{at}.id: is required");
            }
            else if (!TenantIdPattern().IsMatch(t.Id))
            {
                errors.Add($"{at}.id: must be letters, digits, '.', '_' or '-' (was '{t.Id}')");
            }
            else if (!ids.Add(t.Id))
            {
                errors.Add($"{at}.id: duplicate tenant id '{t.Id}'");
            }

            CheckKeys(t.ApiKeys, $"{at}.api_keys", keys, errors);
            CheckKeys(t.RevokedApiKeys, $"{at}.revoked_api_keys", keys, errors);
            for (var j = 0; j < t.Operations.Count; j++)
            {
                if (!KnownOperations.Contains(t.Operations[j]))
                {
                    errors.Add($"{at}.operations[{j}]: must be one of chat, responses, embeddings (was '{t.Operations[j]}')");
                }
            }

            for (var j = 0; j < t.Models.Count; j++)
            {
                if (string.IsNullOrWhiteSpace(t.Models[j]))
                {
                    errors.Add($"{at}.models[{j}]: must not be empty");
                }
            }
        }

        if (options.Jwt is { } jwt)
        {
            if (string.IsNullOrWhiteSpace(jwt.Issuer))
            {
                errors.Add("auth.jwt.issuer: is required");
            }

            if (jwt.Audiences.Count == 0)
            {
                errors.Add("auth.jwt.audiences: at least one audience is required");
            }

            var sources = (string.IsNullOrEmpty(jwt.JwksFile) ? 0 : 1) + (jwt.JwksUrl is null ? 0 : 1);
            if (sources != 1)
            {
                errors.Add("auth.jwt: exactly one of jwks_file or jwks_url is required");
            }

            if (jwt.JwksUrl is { } url && !(url.IsAbsoluteUri && url.Scheme is "https" or "http"))
            {
                errors.Add($"auth.jwt.jwks_url: must be an absolute http(s) URL (was '{url}')");
            }

            if (jwt.RefreshSeconds <= 0)
            {
                errors.Add($"auth.jwt.refresh_seconds: must be positive (was {jwt.RefreshSeconds})");
            }

            if (jwt.ClockSkewSeconds < 0)
            {
                errors.Add($"auth.jwt.clock_skew_seconds: must not be negative (was {jwt.ClockSkewSeconds})");
            }

            if (string.IsNullOrWhiteSpace(jwt.TenantClaim))
            {
                errors.Add("auth.jwt.tenant_claim: must not be empty");
            }
        }

        for (var i = 0; i < options.GatewayKeyHeaders.Count; i++)
        {
            var h = options.GatewayKeyHeaders[i];
            if (string.IsNullOrEmpty(h) || !string.Equals(h, h.ToLowerInvariant(), StringComparison.Ordinal) || h.StartsWith(':'))
            {
                errors.Add($"auth.gateway_key_headers[{i}]: must be a lower-case header name (was '{h}')");
            }
        }

        return errors;
    }

    private static void CheckKeys(IReadOnlyList<string> list, string at, Dictionary<string, string> seen, List<string> errors)
    {
        for (var j = 0; j < list.Count; j++)
        {
            var key = list[j];
            if (!ApiKeyHash.TryParse(key, out _))
            {
                // Never echo the value: a plaintext key pasted by mistake must not land in logs.
                errors.Add($"{at}[{j}]: must be 'sha256:' followed by 64 hex digits (the SHA-256 of the key, never the key itself)");
            }
            else if (!seen.TryAdd(key, $"{at}[{j}]"))
            {
                errors.Add($"{at}[{j}]: the same key hash is already used at {seen[key]}");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex TenantIdPattern();
}
